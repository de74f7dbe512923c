#pragma once
// The data structures a stored tensor is made of (001 §3.2-§3.3): fault models and bits per
// cell are chosen per structure, and every memory-image region carries one of these tags.
// Example:
//   Structure s = structure_from_string("bitmask");   // Error listing the names otherwise
//   std::string n = to_string(Structure::kParity);    // "parity"
#include <cstdint>
#include <string>
#include <vector>

namespace memlapse {

enum class Structure : std::uint8_t {
  kValues,         // weight values (fixed-point codes, fp16, BFP sign+mantissa)
  kIndices,        // k-means cluster indices (001 §3.1.2)
  kBitmask,        // one bit per weight, 1 = stored non-zero (001 §3.2.2)
  kRowCounters,    // CSR non-zeros per row (001 §3.2.1)
  kColumnIndices,  // CSR relative column indices (001 §3.2.1)
  kParity,         // SEC-DED check words (001 §3.3, §4.3)
  kExponents,      // BFP shared exponents (002 §V-C)
  kCodebook,       // k-means centroids (001 §3.1.2)
  kSyncCounters,   // IdxSync per-block non-zero counters (001 §3.3, Fig. 4)
  kScales,         // decode parameters: quantization scales and offsets (per tensor or channel), BFP
                   // tensor exponents (docs/formats.md "Scales"); fault-free unless placed otherwise
};
inline constexpr int kStructureCount = 10;
const char* to_string(Structure s);
// Contract: the structure named `name` (as to_string writes it); Error listing the names otherwise.
Structure structure_from_string(const std::string& name);
// Contract: every structure name, in enum order.
const std::vector<std::string>& structure_names();

}  // namespace memlapse
