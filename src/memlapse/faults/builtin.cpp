// The fault-model registry (STYLE.md habit 2): every model with its name, description and schema,
// and the one place that maps a name to its factory.
#include "memlapse/core/error.h"
#include "memlapse/faults/dram.h"
#include "memlapse/faults/edram.h"
#include "memlapse/faults/fault_model.h"
#include "memlapse/faults/mlc.h"
#include "memlapse/faults/profiled.h"
#include "memlapse/faults/uniform.h"
#include "memlapse/faults/uniform_ext.h"

namespace memlapse {

const std::vector<RegistryEntry>& fault_registry() {
  static const std::vector<RegistryEntry> entries = {
      uniform_registry_entry(),
      sram_registry_entry(),
      dram_registry_entry(0),
      dram_registry_entry(1),
      dram_registry_entry(2),
      dram_registry_entry(3),
      mlc_registry_entry(MlcTechnology::kCtt),
      mlc_registry_entry(MlcTechnology::kRram),
      edram_registry_entry(),
      profiled_registry_entry(),
  };
  return entries;
}

std::unique_ptr<FaultModel> make_fault_model(const std::string& name,
                                             const std::map<std::string, std::string>& params) {
  const RegistryEntry* entry = &find_registry_entry(fault_registry(), name, "fault model");
  const ParamValues v = entry->schema.resolve(params, "fault model " + name);
  if (name == "uniform") return make_uniform_model(v, params);
  if (name == "sram") return make_sram_model(v);
  if (name == "dram-model0") return make_dram_model(0, v, params);
  if (name == "dram-model1") return make_dram_model(1, v, params);
  if (name == "dram-model2") return make_dram_model(2, v, params);
  if (name == "dram-model3") return make_dram_model(3, v, params);
  if (name == "mlc-ctt") return make_mlc_model(MlcTechnology::kCtt, v);
  if (name == "mlc-rram") return make_mlc_model(MlcTechnology::kRram, v);
  if (name == "edram") return make_edram_model(v);
  if (name == "profiled") return make_profiled_model(v);
  MEMLAPSE_CHECK(false, "fault model '" + name + "' is registered but has no factory");
  return nullptr;
}

}  // namespace memlapse
