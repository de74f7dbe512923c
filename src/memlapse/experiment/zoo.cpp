#include "memlapse/experiment/zoo.h"

#include <algorithm>

namespace memlapse {

const std::vector<RegistryEntry>& zoo_architectures() {
  static const std::vector<RegistryEntry> kZoo = [] {
    const ParamSpec in{ParamSpec{"in_channels", ParamType::kInt, "1", "", "input channels"}.in(1, 4096)};
    const ParamSpec classes{ParamSpec{"classes", ParamType::kInt, "10", "", "output classes"}.in(2, 1 << 20)};
    const auto width = [](const char* doc) { return ParamSpec{"width", ParamType::kDouble, "1.0", "", doc}.open_above(0, 4); };
    const ParamSpec norm{ParamSpec{"norm", ParamType::kString, "gn", "", "gn (GroupNorm, 004's default) | bn | none"}.one_of({"gn", "bn", "none"})};
    const auto reparam = [](const char* def) {
      return ParamSpec{"reparam", ParamType::kBool, def, "", "norm scale as 1 + alpha' (004 App. E), for weight clipping"};
    };
    return std::vector<RegistryEntry>{
        {"lenet5", "LeNet-5 (LeCun et al. 1998), ReLU + max pooling, 61,706 weights for 1x28x28", ParamSchema{in, classes}, {}},
        {"simplenet", "SimpleNet of 004 App. F / Table 6 (MNIST variant, 13 conv layers), width multiplier",
         ParamSchema{in, classes, width("channel width multiplier (004 uses 1.0 on MNIST)"), norm, reparam("true")}, {}},
        {"resnet", "small ResNet-(6n+2) for 28x28/32x32 inputs (He et al. 2016 §4.2)",
         ParamSchema{in, classes, ParamSpec{"blocks", ParamType::kInt, "3", "", "blocks per stage n (3 = ResNet-20)"}.in(1, 18),
                     width("channel width multiplier"), norm, reparam("false")},
         {}},
    };
  }();
  return kZoo;
}

bool is_zoo_name(const std::string& source) {
  if (source.find('/') != std::string::npos || source.find('.') != std::string::npos) return false;
  return std::any_of(zoo_architectures().begin(), zoo_architectures().end(), [&](const RegistryEntry& e) { return e.name == source; });
}

}  // namespace memlapse
