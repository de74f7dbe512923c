// The fault-model registry (STYLE.md habit 2): every model with its name, description, schema,
// factory and the memory technologies it describes, in one list.
#include "memlapse/core/error.h"
#include "memlapse/faults/dram.h"
#include "memlapse/faults/edram.h"
#include "memlapse/faults/fault_model.h"
#include "memlapse/faults/mlc.h"
#include "memlapse/faults/profiled.h"
#include "memlapse/faults/uniform.h"
#include "memlapse/faults/uniform_ext.h"

namespace memlapse {

namespace {

Implementation<std::unique_ptr<FaultModel>> none_implementation() {
  return {{"none", "a reliable memory: no faults (nominal operating point, or errors an ECC corrects)", ParamSchema{}, {"any"}},
          [](const ParamValues&) -> std::unique_ptr<FaultModel> { return std::make_unique<NoFaults>(); }};
}

}  // namespace

const Registry<std::unique_ptr<FaultModel>>& fault_registry() {
  static const Registry<std::unique_ptr<FaultModel>> registry(
      "fault model", {
                         none_implementation(),
                         uniform_implementation(),
                         sram_implementation(),
                         dram_implementation(0),
                         dram_implementation(1),
                         dram_implementation(2),
                         dram_implementation(3),
                         mlc_implementation(MlcTechnology::kCtt),
                         mlc_implementation(MlcTechnology::kRram),
                         edram_implementation(),
                         profiled_implementation(),
                     });
  return registry;
}

std::unique_ptr<FaultModel> make_fault_model(const std::string& name,
                                             const std::map<std::string, std::string>& params) {
  return fault_registry().make(name, params);
}

}  // namespace memlapse
