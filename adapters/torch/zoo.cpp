// The model zoo: lenet5, simplenet (004 App. F, Table 6, MNIST variant) and a small ResNet.
// Every architecture is registered here with its parameter schema.
#include <cmath>
#include <map>

#include "adapters/torch/api.h"
#include "adapters/torch/network.h"
#include "memlapse/core/error.h"
#include "memlapse/experiment/zoo.h"

namespace memlapse::torch_adapter {
namespace {

namespace nn = torch::nn;

}  // namespace

// GroupNorm / BatchNorm with an optionally re-parameterised scale alpha = 1 + alpha' (004 App. E):
// with weight clipping to [-w_max, w_max], w_max < 1, a plain scale could no longer represent the
// identity; alpha' starts at 0 and is what is stored, clipped and quantized. The parameter and
// buffer names equal torch's GroupNorm/BatchNorm2d ones, so checkpoints stay compatible.
NormImpl::NormImpl(const std::string& kind, int64_t channels, bool reparam)
    : kind_(kind), reparam_(reparam) {
  groups_ = std::max<int64_t>(1, std::min<int64_t>(32, channels / 4));
  while (channels % groups_ != 0) --groups_;
  weight = register_parameter("weight", reparam ? torch::zeros({channels}) : torch::ones({channels}));
  bias = register_parameter("bias", torch::zeros({channels}));
  if (kind_ == "bn") {
    running_mean = register_buffer("running_mean", torch::zeros({channels}));
    running_var = register_buffer("running_var", torch::ones({channels}));
    num_batches_tracked = register_buffer("num_batches_tracked", torch::zeros({}, torch::kInt64));
  }
}

torch::Tensor NormImpl::forward(const torch::Tensor& x) {
  const torch::Tensor scale = reparam_ ? weight + 1.0 : weight;
  if (kind_ == "gn") return torch::group_norm(x, groups_, scale, bias, 1e-5, false);
  if (is_training()) {
    torch::NoGradGuard ng;
    num_batches_tracked += 1;
  }
  if (is_training()) return torch::batch_norm(x, scale, bias, running_mean, running_var, true, 0.1, 1e-5, false);
  // 004 App. G.1: evaluating with the batch's statistics instead of the running ones.
  if (batch_stats) return torch::batch_norm(x, scale, bias, {}, {}, true, 0.1, 1e-5, false);
  return torch::batch_norm(x, scale, bias, running_mean, running_var, false, 0.1, 1e-5, false);
}

void set_norm_batch_stats(ZooNetwork& net, bool on) {
  for (auto& m : net.root().modules(false)) {
    if (auto n = std::dynamic_pointer_cast<NormImpl>(m)) n->batch_stats = on;
  }
}

namespace {

// Normalisation layer by name. GroupNorm uses groups of 4 channels, at most 32 groups
// (Wu & He 2018 use 32 groups; with narrow widths 32 groups would be single channels).
nn::AnyModule make_norm(const std::string& norm, int64_t c, bool reparam) {
  if (norm == "gn" || norm == "bn") return nn::AnyModule(Norm(norm, c, reparam));
  return nn::AnyModule(nn::Identity());
}

int64_t scaled(int64_t c, double width) {
  int64_t v = static_cast<int64_t>(std::lround(static_cast<double>(c) * width));
  v = (v + 3) / 4 * 4;  // multiples of 4 keep GroupNorm groups whole
  return std::max<int64_t>(4, v);
}

void conv_block(nn::Sequential& seq, int64_t in, int64_t out, int64_t k, const std::string& norm, bool reparam) {
  // Conv layers keep their bias even before a norm layer, as 004's models do (Table 6's W counts them).
  seq->push_back(nn::Conv2d(nn::Conv2dOptions(in, out, k).padding(k / 2)));
  seq->push_back(make_norm(norm, out, reparam));
  seq->push_back(nn::ReLU(nn::ReLUOptions(true)));
}

// SimpleNet for 28x28 inputs as in 004 Table 6 (left): 13 conv layers (3x3, except the two 1x1
// layers of 1024 and 128 channels), pooling after layers 4, 7 and 10, global average pooling and
// a linear classifier; at width 1 it has 1,082,826 weights as in the table (with GN).
nn::Sequential simplenet(int64_t in_ch, int64_t classes, double width, const std::string& norm, bool reparam) {
  struct L { int64_t c; int64_t k; bool pool_after; };
  const L layers[] = {{32, 3, false}, {64, 3, false}, {64, 3, false}, {64, 3, true},  {64, 3, false},
                      {64, 3, false}, {128, 3, true}, {256, 3, false}, {1024, 1, false}, {128, 1, true},
                      {128, 3, false}};
  nn::Sequential seq;
  int64_t c = in_ch;
  for (const auto& l : layers) {
    int64_t o = scaled(l.c, width);
    conv_block(seq, c, o, l.k, norm, reparam);
    if (l.pool_after) seq->push_back(nn::MaxPool2d(nn::MaxPool2dOptions(2)));
    c = o;
  }
  seq->push_back(nn::AdaptiveAvgPool2d(nn::AdaptiveAvgPool2dOptions(1)));
  seq->push_back(nn::Flatten());
  seq->push_back(nn::Linear(c, classes));
  return seq;
}

// LeNet-5 (LeCun et al. 1998) with ReLU and max pooling, 28x28 inputs padded as in the original.
nn::Sequential lenet5(int64_t in_ch, int64_t classes) {
  nn::Sequential seq;
  seq->push_back(nn::Conv2d(nn::Conv2dOptions(in_ch, 6, 5).padding(2)));
  seq->push_back(nn::ReLU());
  seq->push_back(nn::MaxPool2d(nn::MaxPool2dOptions(2)));
  seq->push_back(nn::Conv2d(nn::Conv2dOptions(6, 16, 5)));
  seq->push_back(nn::ReLU());
  seq->push_back(nn::MaxPool2d(nn::MaxPool2dOptions(2)));
  seq->push_back(nn::Flatten());
  seq->push_back(nn::Linear(16 * 5 * 5, 120));
  seq->push_back(nn::ReLU());
  seq->push_back(nn::Linear(120, 84));
  seq->push_back(nn::ReLU());
  seq->push_back(nn::Linear(84, classes));
  return seq;
}

// A ResNet basic block (He et al. 2016) with a 1x1 projection when shape changes.
struct BasicBlockImpl : nn::Module {
  BasicBlockImpl(int64_t in, int64_t out, int64_t stride, const std::string& norm, bool reparam) {
    conv1 = register_module("conv1", nn::Conv2d(nn::Conv2dOptions(in, out, 3).stride(stride).padding(1).bias(false)));
    n1 = register_module("n1", make_norm(norm, out, reparam).ptr());
    n1_any = make_norm_any(n1);
    conv2 = register_module("conv2", nn::Conv2d(nn::Conv2dOptions(out, out, 3).padding(1).bias(false)));
    n2 = register_module("n2", make_norm(norm, out, reparam).ptr());
    n2_any = make_norm_any(n2);
    if (stride != 1 || in != out) {
      proj = register_module("proj", nn::Conv2d(nn::Conv2dOptions(in, out, 1).stride(stride).bias(false)));
      pn = register_module("pn", make_norm(norm, out, reparam).ptr());
      pn_any = make_norm_any(pn);
    }
  }
  static std::function<torch::Tensor(torch::Tensor)> make_norm_any(std::shared_ptr<nn::Module> m) {
    if (auto g = std::dynamic_pointer_cast<NormImpl>(m)) return [g](torch::Tensor x) { return g->forward(x); };
    return [](torch::Tensor x) { return x; };
  }
  torch::Tensor forward(torch::Tensor x) {
    auto y = torch::relu(n1_any(conv1->forward(x)));
    y = n2_any(conv2->forward(y));
    auto s = proj ? pn_any(proj->forward(x)) : x;
    return torch::relu(y + s);
  }
  nn::Conv2d conv1{nullptr}, conv2{nullptr}, proj{nullptr};
  std::shared_ptr<nn::Module> n1, n2, pn;
  std::function<torch::Tensor(torch::Tensor)> n1_any, n2_any, pn_any;
};
TORCH_MODULE(BasicBlock);

// ResNet-(6n+2) for small images (He et al. 2016 §4.2): 3 stages of n blocks at 16, 32, 64 channels.
nn::Sequential resnet(int64_t in_ch, int64_t classes, int64_t blocks, double width, const std::string& norm, bool reparam) {
  nn::Sequential seq;
  int64_t c = scaled(16, width);
  seq->push_back(nn::Conv2d(nn::Conv2dOptions(in_ch, c, 3).padding(1).bias(false)));
  seq->push_back(make_norm(norm, c, reparam));
  seq->push_back(nn::ReLU());
  for (int stage = 0; stage < 3; ++stage) {
    int64_t o = scaled(16 << stage, width);
    for (int64_t b = 0; b < blocks; ++b) {
      seq->push_back(BasicBlock(c, o, (b == 0 && stage > 0) ? 2 : 1, norm, reparam));
      c = o;
    }
  }
  seq->push_back(nn::AdaptiveAvgPool2d(nn::AdaptiveAvgPool2dOptions(1)));
  seq->push_back(nn::Flatten());
  seq->push_back(nn::Linear(c, classes));
  return seq;
}

// The builder of every architecture of zoo_architectures() (checked by a test).
using Builder = nn::Sequential (*)(const ParamValues&);
const std::map<std::string, Builder>& builders() {
  static const std::map<std::string, Builder> kBuilders = {
      {"lenet5", [](const ParamValues& v) { return lenet5(v.get_int("in_channels"), v.get_int("classes")); }},
      {"simplenet",
       [](const ParamValues& v) {
         return simplenet(v.get_int("in_channels"), v.get_int("classes"), v.get_double("width"), v.get_string("norm"), v.get_bool("reparam"));
       }},
      {"resnet",
       [](const ParamValues& v) {
         return resnet(v.get_int("in_channels"), v.get_int("classes"), v.get_int("blocks"), v.get_double("width"), v.get_string("norm"),
                       v.get_bool("reparam"));
       }},
  };
  return kBuilders;
}

}  // namespace

std::unique_ptr<ZooNetwork> build_zoo(const std::string& arch, const std::map<std::string, std::string>& params,
                                      std::uint64_t seed) {
  // The schemas (ranges, choices) are the torch-free zoo_architectures(); the builders are here.
  const RegistryEntry* it = &find_registry_entry(zoo_architectures(), arch, "model",
                                                 "; a model is also a checkpoint directory or a TorchScript .pt file");
  const ParamValues v = it->schema.resolve(params, "model " + arch);
  torch::manual_seed(seed);
  const auto built = builders().find(arch);
  MEMLAPSE_CHECK(built != builders().end(), "zoo architecture '" + arch + "' has a schema but no builder");
  return std::make_unique<ZooNetwork>(arch, v.all(), built->second(v));
}

}  // namespace memlapse::torch_adapter
