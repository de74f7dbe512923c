#include "memlapse/faults/dram.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <numeric>
#include <sstream>

#include "memlapse/core/error.h"
#include "memlapse/core/text.h"
#include "memlapse/faults/layout.h"
#include "memlapse/core/rng.h"
#include "memlapse/faults/nested.h"
#include "memlapse/faults/operating_points.h"

namespace memlapse {

namespace {

// CounterRng streams of the DRAM models (distinct from the per-tensor streams of "uniform").
constexpr std::uint64_t kWeakStream = 0xD7A0000000000001ULL;
constexpr std::uint64_t kThinStream = 0xD7A0000000000002ULL;
constexpr std::uint64_t kLineStream = 0xD7A0000000000003ULL;
constexpr std::uint64_t kFailStream = 0xD7A0000000000004ULL;

const char* kNames[4] = {"dram-model0", "dram-model1", "dram-model2", "dram-model3"};
constexpr double kDefaultWeakFraction = 0.01;  // without a knob: 1% weak cells
const char* kPKey[4] = {"P", "P_B", "P_W", "P"};
const char* kFKey[4] = {"F_A", "F_B", "F_W", ""};

std::string fmt(double x) { return format_double(x); }

std::string fmt_list(const std::vector<double>& v) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) s += ',';
    s += fmt(v[i]);
  }
  return s;
}

double mean_product(const std::vector<double>& p, const std::vector<double>& f) {
  const std::size_t n = std::max(p.size(), f.size());
  double s = 0.0;
  for (std::size_t i = 0; i < n; ++i) s += p[i % p.size()] * f[i % f.size()];
  return s / static_cast<double>(n);
}

}  // namespace

DramErrorModel::DramErrorModel(DramModelSpec spec) : spec_(std::move(spec)) {
  MEMLAPSE_CHECK(spec_.kind >= 0 && spec_.kind <= 3, "DRAM error model kind outside 0..3");
  const std::string owner = std::string("fault model ") + kNames[spec_.kind];
  auto prob = [&](double x, const std::string& key) {
    if (!(x >= 0.0 && x <= 1.0)) throw Error(owner + ": " + key + " = " + fmt(x) + " is outside [0, 1]");
  };
  if (spec_.P.empty() || spec_.F.empty()) throw Error(owner + ": empty parameter list");
  for (double x : spec_.P) prob(x, kPKey[spec_.kind]);
  for (double x : spec_.F) prob(x, spec_.kind == 3 ? "F" : kFKey[spec_.kind]);
  prob(spec_.F_V1, "F_V1");
  prob(spec_.F_V0, "F_V0");
  if (!(spec_.line_fraction > 0.0 && spec_.line_fraction <= 1.0)) {
    throw Error(owner + ": weak line fraction = " + fmt(spec_.line_fraction) + " is outside (0, 1]");
  }
  if (spec_.kind == 0 || spec_.kind == 3) {
    if (spec_.P.size() != 1) throw Error(owner + ": P takes one value");
    spec_.line_fraction = 1.0;
  }
  if (spec_.P.size() > 1) spec_.line_fraction = 1.0;
  if (spec_.P.size() == 1 && spec_.P[0] > spec_.line_fraction) {
    // The weak cells sit on a line_fraction of the lines, so their overall fraction cannot exceed it.
    throw Error(owner + ": " + kPKey[spec_.kind] + " = " + fmt(spec_.P[0]) + " exceeds " +
                (spec_.kind == 1 ? "weak_bitlines" : "weak_wordlines") + " = " + fmt(spec_.line_fraction) +
                " (every cell of the weak lines is then weak); raise it or lower " + kPKey[spec_.kind]);
  }
  p_max_ = std::min(1.0, *std::max_element(spec_.P.begin(), spec_.P.end()) / spec_.line_fraction);
  if (spec_.knob.empty()) {
    spec_.ber = spec_.kind == 3 ? spec_.P[0] * 0.5 * (spec_.F_V1 + spec_.F_V0) : mean_product(spec_.P, spec_.F);
  }
}

std::string DramErrorModel::name() const { return kNames[spec_.kind]; }

FaultList DramErrorModel::sample_pass(const PartitionView& image, std::uint64_t seed, std::uint64_t chip,
                                      std::uint64_t pass) const {
  FaultList out;
  const ImageBits bits(image);
  std::vector<std::uint64_t> weak;
  append_nested_hits(image.rng(seed, chip, kWeakStream), bits.total_bits(), p_max_, weak);
  const CounterRng thin = image.rng(seed, chip, kThinStream), line = image.rng(seed, chip, kLineStream);
  const CounterRng fail = image.rng(seed, chip, kFailStream).substream(spec_.freeze ? 0 : pass);
  const bool concentrated = spec_.P.size() == 1 && spec_.line_fraction < 1.0;
  const double p_conc = std::min(1.0, spec_.P[0] / spec_.line_fraction);
  const bool lines = spec_.kind == 1 || spec_.kind == 2;
  const LineIndex line_index(image.layout());
  ImageBits::Cursor cur(bits);
  // Each candidate's decisions are independent functions of q (counter-based draws), so the
  // cheap tests run first: the line (model1/2), the thinning, the failure draw, and only then
  // the (tensor, element, bit) lookup, which skips padding between words.
  const double expected = spec_.ber * static_cast<double>(bits.total_bits());
  if (expected < 1e9) out.reserve(static_cast<std::size_t>(expected + 6.0 * std::sqrt(expected)) + 16);
  const std::uint8_t* const stored = image.bytes().data();
  constexpr std::size_t kAhead = 16;  // model3 reads the stored bit: prefetch it, the image is large
  for (std::size_t i = 0; i < weak.size(); ++i) {
    const std::uint64_t q = weak[i];
    if (spec_.kind == 3 && i + kAhead < weak.size()) __builtin_prefetch(stored + (weak[i + kAhead] >> 3));
    double p = spec_.P[0], fp = spec_.F[0];
    if (lines) {
      std::uint64_t idx = 0, line_id = 0;
      line_index(q, spec_.kind == 1, idx, line_id);
      if (concentrated) {
        if (!(line.uniform(line_id) <= spec_.line_fraction)) continue;  // not a weak line: p = 0
        p = p_conc;
      } else {
        p = spec_.P[idx % spec_.P.size()];
      }
      fp = spec_.F[idx % spec_.F.size()];
    }
    if (p < p_max_ && thin.uniform(q) * p_max_ > p) continue;  // p = 0 always lands here
    if (spec_.kind != 3 && fail.uniform(q) > fp) continue;
    BitFault f;
    if (!cur.locate(q, f)) continue;  // padding between words
    if (spec_.kind == 3) {
      fp = image.image().get_bit(f.tensor, f.element, f.bit) ? spec_.F_V1 : spec_.F_V0;
      if (fail.uniform(q) > fp) continue;
    }
    f.kind = BitFault::kFlip;
    out.push_back(f);
  }
  sort_unique(out);
  return out;
}

std::map<std::string, std::string> DramErrorModel::params() const {
  std::map<std::string, std::string> out;
  const int k = spec_.kind;
  out["model"] = kNames[k];
  out["ber"] = fmt(spec_.ber);
  if (!spec_.knob.empty()) {
    out[spec_.knob] = fmt(spec_.knob_value);
    out[spec_.knob == "vdd_delta" ? "vdd_v" : "trcd_ns"] =
        fmt((spec_.knob == "vdd_delta" ? kDramNominalVdd : kDramNominalTrcd) + spec_.knob_value);
  }
  out[kPKey[k]] = fmt_list(spec_.P);
  if (k == 3) {
    out["F_V1"] = fmt(spec_.F_V1);
    out["F_V0"] = fmt(spec_.F_V0);
  } else {
    out[kFKey[k]] = fmt_list(spec_.F);
  }
  if (k == 1) out["weak_bitlines"] = fmt(spec_.line_fraction);
  if (k == 2) out["weak_wordlines"] = fmt(spec_.line_fraction);
  out["freeze"] = spec_.freeze ? "true" : "false";
  return out;
}

namespace {

std::unique_ptr<FaultModel> make_dram_model(int kind, const ParamValues& v) {
  const std::string owner = std::string("fault model ") + kNames[kind];
  DramModelSpec s;
  s.kind = kind;
  s.freeze = v.get_bool("freeze");
  const bool has_vdd = v.has("vdd_delta"), has_trcd = v.has("trcd_delta");
  if (has_vdd && has_trcd) {
    throw Error(owner + ": give vdd_delta or trcd_delta, not both (000 Table 3 reduces one at a time)");
  }
  const bool has_p = v.has(kPKey[kind]);
  if (kind == 0 || kind == 3) {
    s.P = {has_p ? v.get_double("P") : kDefaultWeakFraction};
  } else {
    s.P = has_p ? v.get_double_list(kPKey[kind]) : std::vector<double>{kDefaultWeakFraction};
    s.line_fraction = v.get_double(kind == 1 ? "weak_bitlines" : "weak_wordlines");
  }
  if (kind == 3) {
    // 000 Fig. 5: VDD scaling favours 1->0 failures, tRCD scaling 0->1 (when neither is given).
    const bool swap = has_trcd && !v.has("F_V1") && !v.has("F_V0");
    s.F_V1 = v.has("F_V1") ? v.get_double("F_V1") : (swap ? 0.25 : 0.75);
    s.F_V0 = v.has("F_V0") ? v.get_double("F_V0") : (swap ? 0.75 : 0.25);
  } else {
    s.F = kind == 0 ? std::vector<double>{v.get_double("F_A")} : v.get_double_list(kFKey[kind]);
  }
  if (has_vdd || has_trcd) {
    if (has_p) {
      throw Error(owner + ": " + kPKey[kind] + " is implied by " + (has_vdd ? "vdd_delta" : "trcd_delta") +
                  "; give one of them");
    }
    s.knob = has_vdd ? "vdd_delta" : "trcd_delta";
    s.knob_value = v.get_double(s.knob);
    s.ber = has_vdd ? dram_ber_vdd(s.knob_value) : dram_ber_trcd(s.knob_value);
    double f_mean = 0.5 * (s.F_V1 + s.F_V0);
    if (kind != 3) f_mean = std::accumulate(s.F.begin(), s.F.end(), 0.0) / static_cast<double>(s.F.size());
    if (s.ber > 0.0 && !(f_mean > 0.0)) throw Error(owner + ": the failure probability must be > 0 to reach a BER");
    const double p = s.ber > 0.0 ? s.ber / f_mean : 0.0;
    if (p > 1.0) {
      throw Error(owner + ": " + s.knob + " = " + fmt(s.knob_value) + " implies BER " + fmt(s.ber) +
                  ", more than the weak-cell failure probability " + fmt(f_mean) + " allows");
    }
    s.P = {p};
  }
  return std::make_unique<DramErrorModel>(std::move(s));
}

}  // namespace

Implementation<std::unique_ptr<FaultModel>> dram_implementation(int kind) {
  const ParamSpec vdd = ParamSpec{"vdd_delta", ParamType::kDouble, "", "V",
                                  "VDD change from nominal 1.35 V; sets BER from 000 Table 3 (vendor A) and the weak fraction"}
                            .at_least(-0.35)
                            .optional_()
                            .as(ParamRole::kOperatingPoint);
  const ParamSpec trcd = ParamSpec{"trcd_delta", ParamType::kDouble, "", "ns",
                                   "tRCD change from nominal 12.5 ns; sets BER from 000 Table 3 (vendor A) and the weak fraction"}
                             .at_least(-6.0)
                             .optional_()
                             .as(ParamRole::kOperatingPoint);
  const ParamSpec freeze{"freeze", ParamType::kBool, "false", "",
                         "true: a weak cell's failure is drawn once per chip, not per evaluation pass"};
  const auto prob = [](const char* name, ParamType t, const char* def, const char* unit, const char* doc) {
    return ParamSpec{name, t, def, unit, doc}.in(0, 1);
  };
  const auto weak = [](const char* name, ParamType t, const char* doc) {
    return ParamSpec{name, t, "", "1/cell", doc}.in(0, 1).optional_().as(ParamRole::kRate);
  };
  const auto lines = [](const char* name, const char* doc) {
    return ParamSpec{name, ParamType::kDouble, "0.05", "", doc}.open_above(0, 1);
  };
  RegistryEntry e;
  switch (kind) {
    case 0:
      e = {"dram-model0", "000 §4 Error Model 0: weak cells uniform over the bank (P), failing with F_A",
           ParamSchema{vdd, trcd, weak("P", ParamType::kDouble, "fraction of weak cells (default 0.01)"),
                       prob("F_A", ParamType::kDouble, "0.5", "1/read", "failure probability of a weak cell"), freeze},
           {"dram"}};
      break;
    case 1:
      e = {"dram-model1", "000 §4 Error Model 1: weak cells per bitline (P_B, F_B), bitline-aligned errors",
           ParamSchema{vdd, trcd,
                       weak("P_B", ParamType::kDoubleList, "weak fraction per bitline: one value, or one per column (cycled; default 0.01)"),
                       prob("F_B", ParamType::kDoubleList, "0.5", "1/read", "failure probability per bitline (as P_B)"),
                       lines("weak_bitlines", "with one P_B: fraction of bitlines (per chip) holding the weak cells"), freeze},
           {"dram"}};
      break;
    case 2:
      e = {"dram-model2", "000 §4 Error Model 2: weak cells per wordline (P_W, F_W), row-aligned errors",
           ParamSchema{vdd, trcd,
                       weak("P_W", ParamType::kDoubleList, "weak fraction per wordline: one value, or one per row (cycled; default 0.01)"),
                       prob("F_W", ParamType::kDoubleList, "0.5", "1/read", "failure probability per wordline (as P_W)"),
                       lines("weak_wordlines", "with one P_W: fraction of wordlines (per chip) holding the weak cells"), freeze},
           {"dram"}};
      break;
    default:
      e = {"dram-model3", "000 §4 Error Model 3: data-dependent; weak cells (P) fail with F_V1 holding 1, F_V0 holding 0",
           ParamSchema{vdd, trcd, weak("P", ParamType::kDouble, "fraction of weak cells (default 0.01)"),
                       ParamSpec{"F_V1", ParamType::kDouble, "", "1/read",
                                 "failure probability of a weak cell holding 1 (default 0.75: VDD scaling favours 1->0, 000 Fig. 5; 0.25 under trcd_delta)"}
                           .in(0, 1)
                           .optional_(),
                       ParamSpec{"F_V0", ParamType::kDouble, "", "1/read",
                                 "failure probability of a weak cell holding 0 (default 0.25; 0.75 under trcd_delta)"}
                           .in(0, 1)
                           .optional_(),
                       freeze},
           {"dram"}};
      break;
  }
  return {e, [kind](const ParamValues& v) { return make_dram_model(kind, v); }};
}

}  // namespace memlapse
