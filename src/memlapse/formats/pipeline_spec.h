#pragma once
// The encoding pipeline's configuration (issue #3 item 7; 001 §3, 002 §V-C): a tensor goes
// through prune -> (fixed | cluster | fp16 | bfp) -> sparse encoding (none | csr | bitmask
// [+ IdxSync]) -> SEC-DED over chosen structures -> Gray coding of cell levels -> k bits per cell
// per structure. Parsed once from the registry schema (formats/builtin.cpp) into this typed spec;
// every bad value is an Error naming the format, the key and what was expected.
// Example:
//   PipelineSpec s = pipeline_spec_from(values, "format maxnvm");   // values: schema-resolved
//   int k = s.bpc[static_cast<int>(Structure::kBitmask)];
#include <array>
#include <cstdint>
#include <string>

#include "memlapse/core/schema.h"
#include "memlapse/formats/bfp.h"
#include "memlapse/formats/structure.h"

namespace memlapse {

enum class Quant : std::uint8_t { kFixed, kCluster, kFp16, kBfp };
enum class SparseKind : std::uint8_t { kNone, kCsr, kBitmask };
enum class EccKind : std::uint8_t { kNone, k72_64, k4kb24 };

struct PipelineSpec {
  double prune = 0.0;  // target sparsity per weight tensor (rank >= 2), 001 §3.1.2
  Quant quant = Quant::kFixed;
  int bits = 8;        // fixed: code bits (2..16); cluster: index bits b, 2^b centroids (2..8)
  BfpSpec bfp;         // quant = bfp
  bool bfp_packed = true;  // true: one (e + g(1+f))-bit word per group (002); false: exponents region
  SparseKind sparse = SparseKind::kNone;
  bool idxsync = false;
  int sync_block_bytes = 128;  // IdxSync block: 8 * sync_block_bytes mask bits (001 §3.3)
  int mask_word_bits = 8;      // fault-addressable word of the bitmask region
  EccKind ecc = EccKind::kNone;
  std::array<bool, kStructureCount> ecc_on{};  // structures protected by SEC-DED
  bool gray = false;
  std::array<int, kStructureCount> bpc{};      // bits per cell per structure (1..4)
  std::uint64_t seed = 1;                      // k-means++ seeding
  int kmeans_iterations = 30;

  int bpc_of(Structure s) const { return bpc[static_cast<int>(s)]; }
  // Contract: SEC-DED data bits per block (64 or 32768) and the stored check-word width (8 or
  // 24 bits: 001's "24 parity bits per 4 KB"); 0 for ecc = none.
  int ecc_data_bits() const;
  int ecc_word_bits() const;
  // Contract: the word width of the values (or indices) region.
  int value_word_bits() const;
  // Contract: a short descriptive name, e.g. "pipeline-p0.9-cluster4-bitmask-idxsync-ecc72-64-gray".
  std::string name() const;
};

// Contract: the pipeline keys with defaults; `preset` sets quant/sparse/idxsync defaults.
ParamSchema pipeline_schema(const std::string& quant, const std::string& bits, const std::string& sparse,
                            const std::string& idxsync, const std::string& prune);
// Contract: the typed spec; Error naming `owner` and the key for every invalid value or
// combination (unknown structure, bits per cell not dividing a word, idxsync without a bitmask...).
PipelineSpec pipeline_spec_from(const ParamValues& v, const std::string& owner);

}  // namespace memlapse
