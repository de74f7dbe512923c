#include "memlapse/formats/pipeline_spec.h"

#include <algorithm>
#include <sstream>

#include "memlapse/core/error.h"
#include "memlapse/encoding/secded.h"

namespace memlapse {

int PipelineSpec::ecc_data_bits() const { return ecc == EccKind::k72_64 ? 64 : (ecc == EccKind::k4kb24 ? 32768 : 0); }
int PipelineSpec::ecc_word_bits() const { return ecc == EccKind::k72_64 ? 8 : (ecc == EccKind::k4kb24 ? 24 : 0); }

int PipelineSpec::value_word_bits() const {
  switch (quant) {
    case Quant::kFixed:
    case Quant::kCluster: return bits;
    case Quant::kFp16: return 16;
    case Quant::kBfp: return bfp_packed ? bfp.group_bits() : bfp.code_bits();
  }
  return bits;
}

std::string PipelineSpec::name() const {
  std::ostringstream os;
  os << "pipeline";
  if (prune > 0) os << "-p" << prune;
  switch (quant) {
    case Quant::kFixed: os << "-fixed" << bits; break;
    case Quant::kCluster: os << "-cluster" << bits; break;
    case Quant::kFp16: os << "-fp16"; break;
    case Quant::kBfp: os << "-bfp" << bfp.group << "x" << bfp.exponent_bits << "e" << bfp.mantissa_bits << "m"
                         << (bfp.round_nearest ? "-rn" : "") << (bfp_packed ? "" : "-split"); break;
  }
  if (sparse == SparseKind::kCsr) os << "-csr";
  if (sparse == SparseKind::kBitmask) os << "-bitmask" << (idxsync ? "-idxsync" : "");
  if (ecc == EccKind::k72_64) os << "-ecc72-64";
  if (ecc == EccKind::k4kb24) os << "-ecc4kb-24";
  if (gray) os << "-gray";
  bool mlc = false;
  for (int i = 0; i < kStructureCount; ++i) mlc |= i != static_cast<int>(Structure::kScales) && bpc[i] > 1;
  if (mlc) {
    os << "-bpc";
    for (int i = 0; i < kStructureCount; ++i) if (i != static_cast<int>(Structure::kScales)) os << bpc[i];
  }
  return os.str();
}

namespace {
ParamSpec bpc_key(Structure st) {
  const std::string n = to_string(st);
  return ParamSpec{n + "_bpc", ParamType::kInt, "0", "bit", "bits per cell of the " + n + " structure (0 = bits_per_cell)"}.in(0, 4);
}

// Structures a pipeline stores per tensor (scales are 64-bit words in single-level cells).
constexpr Structure kCellStructures[] = {Structure::kValues,        Structure::kIndices,     Structure::kBitmask,
                                         Structure::kRowCounters,   Structure::kColumnIndices, Structure::kParity,
                                         Structure::kExponents,     Structure::kCodebook,    Structure::kSyncCounters};

std::vector<std::string> protectable_structures() {
  std::vector<std::string> out{"all"};
  for (Structure st : kCellStructures) if (st != Structure::kParity) out.push_back(to_string(st));
  return out;
}

void check_divides(const std::string& owner, Structure s, int bpc, int word_bits, const std::string& why) {
  if (word_bits % bpc != 0) {
    throw Error(owner + ": " + to_string(s) + "_bpc = " + std::to_string(bpc) + " does not divide the " +
                std::to_string(word_bits) + "-bit " + to_string(s) + " word (" + why + "); a cell may not straddle two words");
  }
}

int as_int(const ParamValues& v, const std::string& key) { return static_cast<int>(v.get_int(key)); }

}  // namespace

ParamSchema pipeline_schema(const std::string& quant, const std::string& bits, const std::string& sparse,
                            const std::string& idxsync, const std::string& prune) {
  std::vector<ParamSpec> specs{
      ParamSpec{"prune", ParamType::kDouble, prune, "", "magnitude pruning: target fraction of zeros per weight tensor (rank >= 2) (001 §3.1.2)"}.in(0, 1),
      ParamSpec{"quant", ParamType::kString, quant, "", "fixed (symmetric signed, per tensor) | cluster (k-means, 001 §3.1.2) | fp16 | bfp (002 §V-C)"}
          .one_of({"fixed", "cluster", "fp16", "bfp"}),
      ParamSpec{"bits", ParamType::kInt, bits, "bit", "fixed: code width 2..16; cluster: index width b (2^b centroids), 2..8"}.in(2, 16),
      ParamSpec{"bfp_group", ParamType::kInt, "9", "", "BFP values per shared exponent g (002: 9)"}.in(1, 64),
      ParamSpec{"bfp_exponent_bits", ParamType::kInt, "4", "bit", "BFP shared exponent width e (002: 4)"}.in(1, 8),
      ParamSpec{"bfp_mantissa_bits", ParamType::kInt, "5", "bit", "BFP mantissa width f, plus one sign bit (002: 5)"}.in(1, 23),
      ParamSpec{"bfp_round", ParamType::kString, "trunc", "", "trunc (002 Fig. 4: aligned mantissas truncated) | nearest (halves away from zero)"}
          .one_of({"trunc", "nearest"}),
      ParamSpec{"bfp_layout", ParamType::kString, "group", "", "group: one e + g(1+f)-bit word per group (002's 58 bits) | split: exponents in their own region"}
          .one_of({"group", "split"}),
      ParamSpec{"sparse", ParamType::kString, sparse, "", "none | csr (001 §3.2.1) | bitmask (001 §3.2.2)"}.one_of({"none", "csr", "bitmask"}),
      ParamSpec{"idxsync", ParamType::kBool, idxsync, "", "bitmask only: per-block non-zero counters that re-align decoding (001 §3.3, Fig. 4)"},
      ParamSpec{"sync_block_bytes", ParamType::kInt, "128", "byte", "IdxSync block: 8 * this many mask bits (001: 128-byte aligned blocks)"}.in(1, 1 << 20),
      ParamSpec{"mask_word_bits", ParamType::kInt, "8", "bit", "bits per fault-addressable word of the bitmask region (a multiple of its bits per cell)"}.in(1, 64),
      ParamSpec{"ecc", ParamType::kString, "none", "", "none | 72-64 (SEC-DED, 8 check bits per 64) | 4kb-24 (17 check bits in 24 per 4 KB, 001 §4.3)"}
          .one_of({"none", "72-64", "4kb-24"}),
      ParamSpec{"ecc_on", ParamType::kStringList, "all", "", "structures protected by the ECC: all, or a list of structure names"}
          .one_of(protectable_structures()),
      ParamSpec{"gray", ParamType::kBool, "false", "", "Gray-code every k-bit cell (001 §3.3): adjacent levels differ in one data bit"},
      ParamSpec{"bits_per_cell", ParamType::kInt, "1", "bit", "bits per memory cell for structures without their own key"}.in(1, 4),
      ParamSpec{"seed", ParamType::kInt, "1", "", "k-means++ seed"}.at_least(0),
      ParamSpec{"kmeans_iterations", ParamType::kInt, "30", "", "Lloyd iterations at most"}.in(1, 1000),
  };
  for (Structure st : kCellStructures) specs.push_back(bpc_key(st));
  return ParamSchema(std::move(specs));
}

PipelineSpec pipeline_spec_from(const ParamValues& v, const std::string& owner) {
  PipelineSpec s;
  s.prune = v.get_double("prune");
  constexpr Quant kQuants[] = {Quant::kFixed, Quant::kCluster, Quant::kFp16, Quant::kBfp};
  s.quant = kQuants[v.get_choice("quant")];
  s.bits = as_int(v, "bits");
  if (s.quant == Quant::kCluster && s.bits > 8) {
    throw Error(owner + ": bits = " + std::to_string(s.bits) + " is outside [2, 8] for quant = cluster (2^bits centroids)");
  }
  s.bfp.group = as_int(v, "bfp_group");
  s.bfp.exponent_bits = as_int(v, "bfp_exponent_bits");
  s.bfp.mantissa_bits = as_int(v, "bfp_mantissa_bits");
  s.bfp.round_nearest = v.get_choice("bfp_round") == 1;
  s.bfp_packed = v.get_choice("bfp_layout") == 0;
  if (s.quant == Quant::kBfp && s.bfp_packed && s.bfp.group_bits() > 64) {
    throw Error(owner + ": bfp_layout = group needs e + g(1+f) <= 64 bits, got " + std::to_string(s.bfp.group_bits()) +
                "; use bfp_layout=split or a smaller bfp_group");
  }
  constexpr SparseKind kSparse[] = {SparseKind::kNone, SparseKind::kCsr, SparseKind::kBitmask};
  s.sparse = kSparse[v.get_choice("sparse")];
  s.idxsync = v.get_bool("idxsync");
  if (s.idxsync && s.sparse != SparseKind::kBitmask) {
    throw Error(owner + ": idxsync = true needs sparse = bitmask (IdxSync re-aligns the bitmask, 001 §3.3)");
  }
  s.sync_block_bytes = as_int(v, "sync_block_bytes");
  s.mask_word_bits = as_int(v, "mask_word_bits");
  constexpr EccKind kEcc[] = {EccKind::kNone, EccKind::k72_64, EccKind::k4kb24};
  s.ecc = kEcc[v.get_choice("ecc")];
  for (const auto& item : v.get_string_list("ecc_on")) {
    if (item == "all") {
      s.ecc_on.fill(true);
    } else {
      s.ecc_on[static_cast<int>(structure_from_string(item))] = true;
    }
  }
  s.ecc_on[static_cast<int>(Structure::kParity)] = false;
  s.ecc_on[static_cast<int>(Structure::kScales)] = false;
  s.gray = v.get_bool("gray");
  const int def = as_int(v, "bits_per_cell");
  s.bpc.fill(1);
  for (Structure st : kCellStructures) {
    const int k = as_int(v, std::string(to_string(st)) + "_bpc");
    s.bpc[static_cast<std::size_t>(st)] = k == 0 ? def : k;
  }
  s.seed = static_cast<std::uint64_t>(v.get_int("seed"));
  s.kmeans_iterations = as_int(v, "kmeans_iterations");
  // Fixed-width structures: the cell size must divide the word (auto-width counters and column
  // indices are widened to a multiple of their cell size instead, docs/formats.md).
  const Structure vs = s.quant == Quant::kCluster ? Structure::kIndices : Structure::kValues;
  check_divides(owner, vs, s.bpc_of(vs), s.value_word_bits(), s.quant == Quant::kBfp ? "BFP code" : "value code");
  if (s.quant == Quant::kCluster) check_divides(owner, Structure::kCodebook, s.bpc_of(Structure::kCodebook), 32, "fp32 centroid");
  if (s.quant == Quant::kBfp && !s.bfp_packed) {
    check_divides(owner, Structure::kExponents, s.bpc_of(Structure::kExponents), s.bfp.exponent_bits, "bfp_exponent_bits");
  }
  if (s.sparse == SparseKind::kBitmask) {
    check_divides(owner, Structure::kBitmask, s.bpc_of(Structure::kBitmask), s.mask_word_bits, "mask_word_bits");
  }
  if (s.ecc != EccKind::kNone) {
    check_divides(owner, Structure::kParity, s.bpc_of(Structure::kParity), s.ecc_word_bits(), "SEC-DED check word");
    MEMLAPSE_CHECK(SecDed(s.ecc_data_bits()).check_bits() <= s.ecc_word_bits(), "check bits exceed the parity word");
  }
  return s;
}

}  // namespace memlapse
