// The fault-model registry (STYLE.md habit 2): every model with its name, description and schema.
#include "memlapse/core/error.h"
#include "memlapse/faults/fault_model.h"
#include "memlapse/faults/uniform.h"

namespace memlapse {

const std::vector<RegistryEntry>& fault_registry() {
  static const std::vector<RegistryEntry> entries = {
      {"uniform",
       "004 §3 random bit errors: each stored value bit flips independently, nested in the rate",
       ParamSchema{{"ber", ParamType::kDouble, "", "1/bit", "probability that a stored bit is flipped (004 §3)"}}},
  };
  return entries;
}

std::unique_ptr<FaultModel> make_fault_model(const std::string& name,
                                             const std::map<std::string, std::string>& params) {
  const auto& reg = fault_registry();
  const RegistryEntry* entry = nullptr;
  std::vector<std::string> names;
  for (const auto& e : reg) {
    names.push_back(e.name);
    if (e.name == name) entry = &e;
  }
  if (entry == nullptr) {
    std::string msg = "unknown fault model '" + name + "'";
    const std::string near = closest_match(name, names);
    if (!near.empty()) msg += " (did you mean '" + near + "'?)";
    msg += "; known fault models:";
    for (const auto& n : names) msg += " " + n;
    throw Error(msg);
  }
  const ParamValues v = entry->schema.resolve(params, "fault model " + name);
  if (name == "uniform") return std::make_unique<UniformBitErrors>(v.get_double("ber"));
  MEMLAPSE_CHECK(false, "fault model '" + name + "' is registered but has no factory");
  return nullptr;
}

}  // namespace memlapse
