#include "memlapse/formats/structure.h"

#include <iterator>

#include "memlapse/core/error.h"

namespace memlapse {
namespace {
constexpr const char* kStructureNames[] = {"values", "indices", "bitmask", "row_counters", "column_indices",
                                           "parity", "exponents", "codebook", "sync_counters", "scales"};
static_assert(std::size(kStructureNames) == kStructureCount);
}  // namespace

const char* to_string(Structure s) { return kStructureNames[static_cast<int>(s)]; }

Structure structure_from_string(const std::string& name) {
  std::string all;
  for (int i = 0; i < kStructureCount; ++i) {
    if (name == kStructureNames[i]) return static_cast<Structure>(i);
    all += std::string(i ? ", " : "") + kStructureNames[i];
  }
  throw Error("unknown data structure '" + name + "'; expected one of " + all);
}

const std::vector<std::string>& structure_names() {
  static const std::vector<std::string> kNames(std::begin(kStructureNames), std::end(kStructureNames));
  return kNames;
}

}  // namespace memlapse
