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
  for (int k : bpc) mlc |= k > 1;
  if (mlc) {
    os << "-bpc";
    for (int k : bpc) os << k;
  }
  return os.str();
}

namespace {
ParamSpec bpc_key(Structure st) {
  const std::string n = to_string(st);
  return {n + "_bpc", ParamType::kInt, "0", "bit", "bits per cell of the " + n + " structure (0 = bits_per_cell)"};
}
}  // namespace

ParamSchema pipeline_schema(const std::string& quant, const std::string& bits, const std::string& sparse,
                            const std::string& idxsync, const std::string& prune) {
  ParamSchema s{
      {"prune", ParamType::kDouble, prune, "", "magnitude pruning: target fraction of zeros per weight tensor (rank >= 2), 0..1 (001 §3.1.2)"},
      {"quant", ParamType::kString, quant, "", "fixed (symmetric signed, per tensor) | cluster (k-means, 001 §3.1.2) | fp16 | bfp (002 §V-C)"},
      {"bits", ParamType::kInt, bits, "bit", "fixed: code width 2..16; cluster: index width b (2^b centroids), 2..8"},
      {"bfp_group", ParamType::kInt, "9", "", "BFP values per shared exponent g (002: 9)"},
      {"bfp_exponent_bits", ParamType::kInt, "4", "bit", "BFP shared exponent width e (002: 4)"},
      {"bfp_mantissa_bits", ParamType::kInt, "5", "bit", "BFP mantissa width f, plus one sign bit (002: 5)"},
      {"bfp_round", ParamType::kString, "trunc", "", "trunc (002 Fig. 4: aligned mantissas truncated) | nearest (halves away from zero)"},
      {"bfp_layout", ParamType::kString, "group", "", "group: one e + g(1+f)-bit word per group (002's 58 bits) | split: exponents in their own region"},
      {"sparse", ParamType::kString, sparse, "", "none | csr (001 §3.2.1) | bitmask (001 §3.2.2)"},
      {"idxsync", ParamType::kBool, idxsync, "", "bitmask only: per-block non-zero counters that re-align decoding (001 §3.3, Fig. 4)"},
      {"sync_block_bytes", ParamType::kInt, "128", "byte", "IdxSync block: 8 * this many mask bits (001: 128-byte aligned blocks)"},
      {"mask_word_bits", ParamType::kInt, "8", "bit", "bits per fault-addressable word of the bitmask region (1..64; a multiple of its bits per cell)"},
      {"ecc", ParamType::kString, "none", "", "none | 72-64 (SEC-DED, 8 check bits per 64) | 4kb-24 (17 check bits in 24 per 4 KB, 001 §4.3)"},
      {"ecc_on", ParamType::kString, "all", "", "structures protected by the ECC: all, or a comma list of structure names"},
      {"gray", ParamType::kBool, "false", "", "Gray-code every k-bit cell (001 §3.3): adjacent levels differ in one data bit"},
      {"bits_per_cell", ParamType::kInt, "1", "bit", "bits per memory cell for structures without their own key (1..4)"},
      {"seed", ParamType::kInt, "1", "", "k-means++ seed"},
      {"kmeans_iterations", ParamType::kInt, "30", "", "Lloyd iterations at most"},
      bpc_key(Structure::kValues), bpc_key(Structure::kIndices), bpc_key(Structure::kBitmask),
      bpc_key(Structure::kRowCounters), bpc_key(Structure::kColumnIndices), bpc_key(Structure::kParity),
      bpc_key(Structure::kExponents), bpc_key(Structure::kCodebook), bpc_key(Structure::kSyncCounters),
  };
  static_assert(kStructureCount == 9, "one <structure>_bpc key per structure");
  return s;
}

namespace {

template <class E>
E pick(const std::string& owner, const std::string& key, const std::string& value,
       std::initializer_list<std::pair<const char*, E>> choices) {
  std::string all;
  for (const auto& [n, e] : choices) {
    if (value == n) return e;
    all += std::string(all.empty() ? "" : ", ") + n;
  }
  throw Error(owner + ": " + key + " = '" + value + "' is not one of " + all);
}

int int_in(const ParamValues& v, const std::string& owner, const std::string& key, long long lo, long long hi) {
  const long long x = v.get_int(key);
  if (x < lo || x > hi) {
    throw Error(owner + ": " + key + " = " + std::to_string(x) + " is outside " + std::to_string(lo) + ".." + std::to_string(hi));
  }
  return static_cast<int>(x);
}

void check_divides(const std::string& owner, Structure s, int bpc, int word_bits, const std::string& why) {
  if (word_bits % bpc != 0) {
    throw Error(owner + ": " + to_string(s) + "_bpc = " + std::to_string(bpc) + " does not divide the " +
                std::to_string(word_bits) + "-bit " + to_string(s) + " word (" + why + "); a cell may not straddle two words");
  }
}

}  // namespace

PipelineSpec pipeline_spec_from(const ParamValues& v, const std::string& owner) {
  PipelineSpec s;
  s.prune = v.get_double("prune");
  if (!(s.prune >= 0.0 && s.prune <= 1.0)) throw Error(owner + ": prune = " + std::to_string(s.prune) + " is outside [0, 1]");
  s.quant = pick<Quant>(owner, "quant", v.get_string("quant"),
                        {{"fixed", Quant::kFixed}, {"cluster", Quant::kCluster}, {"fp16", Quant::kFp16}, {"bfp", Quant::kBfp}});
  s.bits = s.quant == Quant::kCluster ? int_in(v, owner, "bits", 2, 8) : int_in(v, owner, "bits", 2, 16);
  s.bfp.group = int_in(v, owner, "bfp_group", 1, 64);
  s.bfp.exponent_bits = int_in(v, owner, "bfp_exponent_bits", 1, 8);
  s.bfp.mantissa_bits = int_in(v, owner, "bfp_mantissa_bits", 1, 23);
  s.bfp.round_nearest = pick<bool>(owner, "bfp_round", v.get_string("bfp_round"), {{"trunc", false}, {"nearest", true}});
  s.bfp_packed = pick<bool>(owner, "bfp_layout", v.get_string("bfp_layout"), {{"group", true}, {"split", false}});
  if (s.quant == Quant::kBfp && s.bfp_packed && s.bfp.group_bits() > 64) {
    throw Error(owner + ": bfp_layout = group needs e + g(1+f) <= 64 bits, got " + std::to_string(s.bfp.group_bits()) +
                "; use bfp_layout=split or a smaller bfp_group");
  }
  s.sparse = pick<SparseKind>(owner, "sparse", v.get_string("sparse"),
                              {{"none", SparseKind::kNone}, {"csr", SparseKind::kCsr}, {"bitmask", SparseKind::kBitmask}});
  s.idxsync = v.get_bool("idxsync");
  if (s.idxsync && s.sparse != SparseKind::kBitmask) {
    throw Error(owner + ": idxsync = true needs sparse = bitmask (IdxSync re-aligns the bitmask, 001 §3.3)");
  }
  s.sync_block_bytes = int_in(v, owner, "sync_block_bytes", 1, 1 << 20);
  s.mask_word_bits = int_in(v, owner, "mask_word_bits", 1, 64);
  s.ecc = pick<EccKind>(owner, "ecc", v.get_string("ecc"),
                        {{"none", EccKind::kNone}, {"72-64", EccKind::k72_64}, {"4kb-24", EccKind::k4kb24}});
  const std::string& on = v.get_string("ecc_on");
  if (on == "all") {
    s.ecc_on.fill(true);
  } else {
    std::size_t start = 0;
    while (start <= on.size()) {
      const std::size_t end = std::min(on.find(',', start), on.size());
      const std::string item = on.substr(start, end - start);
      Structure st;
      try {
        st = structure_from_string(item);
      } catch (const Error& e) {
        throw Error(owner + ": ecc_on: " + e.what());
      }
      if (st == Structure::kParity) throw Error(owner + ": ecc_on: parity cannot protect itself");
      s.ecc_on[static_cast<int>(st)] = true;
      start = end + 1;
    }
  }
  s.ecc_on[static_cast<int>(Structure::kParity)] = false;
  s.gray = v.get_bool("gray");
  const int def = int_in(v, owner, "bits_per_cell", 1, 4);
  for (int i = 0; i < kStructureCount; ++i) {
    const std::string key = std::string(to_string(static_cast<Structure>(i))) + "_bpc";
    const int k = int_in(v, owner, key, 0, 4);
    s.bpc[static_cast<std::size_t>(i)] = k == 0 ? def : k;
  }
  s.seed = static_cast<std::uint64_t>(v.get_int("seed"));
  s.kmeans_iterations = int_in(v, owner, "kmeans_iterations", 1, 1000);
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
