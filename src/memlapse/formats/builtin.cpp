// The formats registry (STYLE.md habit 2): every format and preset with its name, description,
// schema and factory. Presets are the fixed-point schema with other defaults (docs/formats.md).
#include <string>

#include "memlapse/core/error.h"
#include "memlapse/formats/fixed_point.h"
#include "memlapse/formats/float32.h"
#include "memlapse/formats/float_formats.h"
#include "memlapse/formats/format.h"
#include "memlapse/formats/pipeline.h"

namespace memlapse {
namespace {

using FormatImpl = Implementation<std::unique_ptr<Format>>;

// The fixed-point keys with a preset's defaults; with_bits = false leaves "bits" out (fixed by name).
ParamSchema fixed_schema(const std::string& round, const std::string& symmetric, const std::string& is_signed, bool with_bits) {
  std::vector<ParamSpec> specs;
  if (with_bits) specs.push_back(ParamSpec{"bits", ParamType::kInt, "8", "bit", "width m of the stored integer"}.in(2, 16));
  specs.push_back({"round", ParamType::kBool, round, "",
                   "round to nearest, halves away from zero; false truncates toward zero (C++ conversion, Eq. 1's floor)"});
  specs.push_back(ParamSpec{"range", ParamType::kString, "tensor", "",
                            "range granularity: tensor (004's per-layer) | global (one range for the whole model) | channel (per output channel)"}
                      .one_of({"tensor", "global", "channel"}));
  specs.push_back({"symmetric", ParamType::kBool, symmetric, "",
                   "true: [-q_max, q_max], q_max = max|w| (Eq. 1); false: [min w, max w] mapped to [-1, 1] (004 App. D Eq. 3)"});
  specs.push_back({"signed", ParamType::kBool, is_signed, "",
                   "true: two's-complement code; false: unsigned offset code c + 2^(m-1) - 1 (004 App. D Eq. 4)"});
  specs.push_back(ParamSpec{"clip", ParamType::kDouble, "0", "", "clamp values to [-clip, clip] before quantization (0 = off; 004 §4.2)"}.at_least(0));
  specs.push_back(ParamSpec{"layout", ParamType::kString, "byte", "",
                            "byte: value i in bytes [i*w, (i+1)*w), w = ceil(m/8), high bits zero (004 App. D) | dense: m bits per value, packed"}
                      .one_of({"byte", "dense"}));
  return ParamSchema(std::move(specs));
}

ParamSchema float_schema() {
  return ParamSchema{
      ParamSpec{"correct", ParamType::kString, "none", "", "correction of implausible values on read (000 §3.2): none | zero (EDEN's default) | saturate"}
          .one_of({"none", "zero", "saturate"}),
      ParamSpec{"check", ParamType::kString, "value", "",
                "value: outside the tensor's fault-free [min, max] or NaN | exponent: exponent field above the fault-free maximum (000 §5)"}
          .one_of({"value", "exponent"})};
}

FormatImpl float_format(const char* name, FloatKind kind, const char* doc) {
  return {{name, doc, float_schema(), {}}, [kind](const ParamValues& v) -> std::unique_ptr<Format> {
            constexpr Correction kCorr[] = {Correction::kNone, Correction::kZero, Correction::kSaturate};
            constexpr BoundCheck kCheck[] = {BoundCheck::kValue, BoundCheck::kExponent};
            const Correction corr = kCorr[v.get_choice("correct")];
            if (kind == FloatKind::kFp32 && corr == Correction::kNone) return std::make_unique<Float32Format>();
            return std::make_unique<FloatFormat>(kind, corr, kCheck[v.get_choice("check")]);
          }};
}

struct FixedPreset {
  const char* name;
  int bits;  // 0: from the "bits" key
  bool round, symmetric, is_signed;
  const char* doc;
};
constexpr FixedPreset kFixedPresets[] = {
    {"fixed", 0, true, true, true, "fixed point, all 004 variants; defaults = the foundation's NORMAL with rounding (per tensor, symmetric, signed)"},
    {"normal", 0, false, true, true, "004's NORMAL (§4.1 Eq. 1): per tensor, symmetric, signed, truncation"},
    {"rquant", 0, true, false, false, "004's RQUANT (§4.1, App. D Eq. 3-4): per tensor, asymmetric, unsigned, rounded"},
    {"eden-int4", 4, true, true, true, "EDEN's symmetric linear int4 (000 §6.1): per tensor, symmetric, signed, rounded"},
    {"eden-int8", 8, true, true, true, "EDEN's symmetric linear int8 (000 §6.1): per tensor, symmetric, signed, rounded"},
    {"eden-int16", 16, true, true, true, "EDEN's symmetric linear int16 (000 §6.1): per tensor, symmetric, signed, rounded"},
};

const char* b(bool v) { return v ? "true" : "false"; }

FormatImpl fixed_format(const FixedPreset& p) {
  const int bits = p.bits;
  return {{p.name, p.doc, fixed_schema(b(p.round), b(p.symmetric), b(p.is_signed), bits == 0), {}},
          [bits](const ParamValues& v) -> std::unique_ptr<Format> {
            FixedPointSpec s;
            if (bits != 0) {
              auto with_bits = v.all();
              with_bits["bits"] = std::to_string(bits);
              s = fixed_point_spec_from(fixed_schema("true", "true", "true", true).resolve(with_bits, v.owner()));
            } else {
              s = fixed_point_spec_from(v);
            }
            return std::make_unique<FixedPointFormat>(s);
          }};
}

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

FormatImpl pipeline_format(const PipelinePreset& p) {
  return {{p.name, p.doc, pipeline_schema(p.quant, p.bits, p.sparse, p.idxsync, "0"), {}},
          [](const ParamValues& v) -> std::unique_ptr<Format> {
            return std::make_unique<PipelineFormat>(pipeline_spec_from(v, v.owner()), v.all());
          }};
}

}  // namespace

const Registry<std::unique_ptr<Format>>& format_registry() {
  static const Registry<std::unique_ptr<Format>> registry = [] {
    std::vector<FormatImpl> e;
    e.push_back(float_format("fp32", FloatKind::kFp32, "IEEE-754 binary32 stored as raw bits (m = 32, bit 31 = sign), optional EDEN correction"));
    e.push_back(float_format("fp16", FloatKind::kFp16, "IEEE-754 binary16 (m = 16, bias 15), round to nearest even, optional EDEN correction"));
    e.push_back(float_format("bf16", FloatKind::kBf16, "bfloat16 (m = 16, 8-bit exponent), round to nearest even, optional EDEN correction"));
    for (const auto& p : kFixedPresets) e.push_back(fixed_format(p));
    for (const auto& p : kPipelinePresets) e.push_back(pipeline_format(p));
    return Registry<std::unique_ptr<Format>>("format", std::move(e));
  }();
  return registry;
}

std::unique_ptr<Format> make_format(const std::string& name, const std::map<std::string, std::string>& params) {
  return format_registry().make(name, params);
}

}  // namespace memlapse
