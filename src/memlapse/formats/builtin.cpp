// The formats registry (STYLE.md habit 2): every format and preset with its name, description
// and schema. Presets are the fixed-point schema with other defaults (docs/formats.md).
#include <string>

#include "memlapse/core/error.h"
#include "memlapse/formats/fixed_point.h"
#include "memlapse/formats/float32.h"
#include "memlapse/formats/float_formats.h"
#include "memlapse/formats/format.h"
#include "memlapse/formats/pipeline.h"

namespace memlapse {
namespace {

// The fixed-point keys with a preset's defaults; with_bits = false leaves "bits" out (fixed by name).
ParamSchema fixed_schema(const std::string& bits, const std::string& round, const std::string& symmetric,
                         const std::string& is_signed, bool with_bits = true) {
  const ParamSpec b{"bits", ParamType::kInt, bits, "bit", "width m of the stored integer (2..16)"};
  const ParamSpec r{"round", ParamType::kBool, round, "",
                    "round to nearest, halves away from zero; false truncates toward zero (C++ conversion, Eq. 1's floor)"};
  const ParamSpec g{"range", ParamType::kString, "tensor", "",
                    "range granularity: tensor (004's per-layer) | global (one range for the whole model) | channel (per output channel)"};
  const ParamSpec y{"symmetric", ParamType::kBool, symmetric, "",
                    "true: [-q_max, q_max], q_max = max|w| (Eq. 1); false: [min w, max w] mapped to [-1, 1] (004 App. D Eq. 3)"};
  const ParamSpec s{"signed", ParamType::kBool, is_signed, "",
                    "true: two's-complement code; false: unsigned offset code c + 2^(m-1) - 1 (004 App. D Eq. 4)"};
  const ParamSpec c{"clip", ParamType::kDouble, "0", "", "clamp values to [-clip, clip] before quantization (0 = off; 004 §4.2)"};
  const ParamSpec l{"layout", ParamType::kString, "byte", "",
                    "byte: value i in bytes [i*w, (i+1)*w), w = ceil(m/8), high bits zero (004 App. D) | dense: m bits per value, packed"};
  return with_bits ? ParamSchema{b, r, g, y, s, c, l} : ParamSchema{r, g, y, s, c, l};
}

ParamSchema float_schema() {
  return ParamSchema{
      {"correct", ParamType::kString, "none", "",
       "correction of implausible values on read (000 §3.2): none | zero (EDEN's default) | saturate"},
      {"check", ParamType::kString, "value", "",
       "value: outside the tensor's fault-free [min, max] or NaN | exponent: exponent field above the fault-free maximum (000 §5)"}};
}

struct FixedPreset {
  const char* name;
  int bits;  // 0: from the "bits" key
  bool round, symmetric, is_signed;
};
constexpr FixedPreset kFixedPresets[] = {
    {"fixed", 0, true, true, true},       {"normal", 0, false, true, true},    {"rquant", 0, true, false, false},
    {"eden-int4", 4, true, true, true},   {"eden-int8", 8, true, true, true}, {"eden-int16", 16, true, true, true},
};

const char* b(bool v) { return v ? "true" : "false"; }

// Pipeline presets: the same keys, other defaults (docs/formats.md "Pipeline").
struct PipelinePreset {
  const char* name;
  const char* quant;
  const char* bits;
  const char* sparse;
  const char* idxsync;
  const char* doc;
};
constexpr PipelinePreset kPipelinePresets[] = {
    {"pipeline", "fixed", "8", "none", "false",
     "encoding pipeline: prune -> fixed|cluster|fp16|bfp -> csr|bitmask[+idxsync] -> SEC-DED -> Gray -> k bits per cell per structure"},
    {"bfp", "bfp", "8", "none", "false", "block floating point (002 §V-C): g = 9 values share a 4-bit exponent, sign + 5-bit mantissa each, 58-bit groups"},
    {"cluster", "cluster", "4", "none", "false", "per-tensor k-means (001 §3.1.2): b-bit indices + a 2^b-entry fp32 codebook, k-means++ seeded"},
    {"maxnvm", "cluster", "4", "bitmask", "true",
     "MaxNVM (001 §3-4): clustered weights, BitMask sparse encoding with IdxSync; add prune/ecc/gray/*_bpc as needed"},
};

}  // namespace

const std::vector<RegistryEntry>& format_registry() {
  static const std::vector<RegistryEntry> entries = [] {
    std::vector<RegistryEntry> e;
    e.push_back({"fp32", "IEEE-754 binary32 stored as raw bits (m = 32, bit 31 = sign), optional EDEN correction", float_schema()});
    e.push_back({"fp16", "IEEE-754 binary16 (m = 16, bias 15), round to nearest even, optional EDEN correction", float_schema()});
    e.push_back({"bf16", "bfloat16 (m = 16, 8-bit exponent), round to nearest even, optional EDEN correction", float_schema()});
    const char* docs[] = {
        "fixed point, all 004 variants; defaults = the foundation's NORMAL with rounding (per tensor, symmetric, signed)",
        "004's NORMAL (§4.1 Eq. 1): per tensor, symmetric, signed, truncation",
        "004's RQUANT (§4.1, App. D Eq. 3-4): per tensor, asymmetric, unsigned, rounded",
        "EDEN's symmetric linear int4 (000 §6.1): per tensor, symmetric, signed, rounded",
        "EDEN's symmetric linear int8 (000 §6.1): per tensor, symmetric, signed, rounded",
        "EDEN's symmetric linear int16 (000 §6.1): per tensor, symmetric, signed, rounded"};
    for (std::size_t i = 0; i < std::size(kFixedPresets); ++i) {
      const auto& p = kFixedPresets[i];
      e.push_back({p.name, docs[i], fixed_schema("8", b(p.round), b(p.symmetric), b(p.is_signed), p.bits == 0)});
    }
    for (const auto& p : kPipelinePresets) e.push_back({p.name, p.doc, pipeline_schema(p.quant, p.bits, p.sparse, p.idxsync, "0")});
    return e;
  }();
  return entries;
}

std::unique_ptr<Format> make_format(const std::string& name, const std::map<std::string, std::string>& params) {
  const RegistryEntry* entry = &find_registry_entry(format_registry(), name, "format");
  const std::string owner = "format " + name;
  const ParamValues v = entry->schema.resolve(params, owner);
  if (name == "fp32" || name == "fp16" || name == "bf16") {
    const std::string& c = v.get_string("correct");
    const std::string& k = v.get_string("check");
    Correction corr;
    if (c == "none") corr = Correction::kNone;
    else if (c == "zero") corr = Correction::kZero;
    else if (c == "saturate") corr = Correction::kSaturate;
    else throw Error(owner + ": correct = '" + c + "' is not one of none, zero, saturate");
    BoundCheck check;
    if (k == "value") check = BoundCheck::kValue;
    else if (k == "exponent") check = BoundCheck::kExponent;
    else throw Error(owner + ": check = '" + k + "' is not one of value, exponent");
    if (name == "fp32" && corr == Correction::kNone) return std::make_unique<Float32Format>();
    const FloatKind kind = name == "fp32" ? FloatKind::kFp32 : (name == "fp16" ? FloatKind::kFp16 : FloatKind::kBf16);
    return std::make_unique<FloatFormat>(kind, corr, check);
  }
  for (const auto& p : kPipelinePresets) {
    if (name == p.name) return std::make_unique<PipelineFormat>(pipeline_spec_from(v, owner), v.all());
  }
  for (const auto& p : kFixedPresets) {
    if (name != p.name) continue;
    if (p.bits != 0) {
      auto with_bits = v.all();
      with_bits["bits"] = std::to_string(p.bits);
      return std::make_unique<FixedPointFormat>(fixed_point_spec_from(ParamValues(with_bits, owner), owner));
    }
    return std::make_unique<FixedPointFormat>(fixed_point_spec_from(v, owner));
  }
  MEMLAPSE_CHECK(false, "format '" + name + "' is registered but has no factory");
  return nullptr;
}

}  // namespace memlapse
