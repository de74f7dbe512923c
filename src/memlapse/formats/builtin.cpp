// The formats registry (STYLE.md habit 2): every format with its name, description and schema.
#include <string>

#include "memlapse/core/error.h"
#include "memlapse/formats/fixed_point.h"
#include "memlapse/formats/float32.h"
#include "memlapse/formats/format.h"

namespace memlapse {

const std::vector<RegistryEntry>& format_registry() {
  static const std::vector<RegistryEntry> entries = {
      {"fp32", "IEEE-754 binary32 stored as raw bits (m = 32, bit 31 = sign)", ParamSchema{}},
      {"fixed",
       "004's NORMAL scheme (§4.1 Eq. 1): per-tensor symmetric signed fixed point, q_max = max|w|",
       ParamSchema{
           {"bits", ParamType::kInt, "8", "bit", "width m of the stored two's-complement integer (2..16)"},
           {"round", ParamType::kBool, "true", "",
            "round to nearest, halves away from zero; false truncates toward zero (Eq. 1's floor)"}}},
  };
  return entries;
}

std::unique_ptr<Format> make_format(const std::string& name, const std::map<std::string, std::string>& params) {
  const auto& reg = format_registry();
  const RegistryEntry* entry = nullptr;
  std::vector<std::string> names;
  for (const auto& e : reg) {
    names.push_back(e.name);
    if (e.name == name) entry = &e;
  }
  if (entry == nullptr) {
    std::string msg = "unknown format '" + name + "'";
    const std::string near = closest_match(name, names);
    if (!near.empty()) msg += " (did you mean '" + near + "'?)";
    msg += "; known formats:";
    for (const auto& n : names) msg += " " + n;
    throw Error(msg);
  }
  const ParamValues v = entry->schema.resolve(params, "format " + name);
  if (name == "fp32") return std::make_unique<Float32Format>();
  if (name == "fixed") {
    const long long bits = v.get_int("bits");
    if (bits < 2 || bits > 16) {
      throw Error("format fixed: bits = " + std::to_string(bits) + " is out of range 2..16");
    }
    return std::make_unique<FixedPointFormat>(static_cast<int>(bits), v.get_bool("round"));
  }
  MEMLAPSE_CHECK(false, "format '" + name + "' is registered but has no factory");
  return nullptr;
}

}  // namespace memlapse
