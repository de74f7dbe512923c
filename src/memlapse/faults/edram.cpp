#include "memlapse/faults/edram.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "memlapse/core/error.h"
#include "memlapse/core/text.h"
#include "memlapse/core/rng.h"
#include "memlapse/faults/layout.h"
#include "memlapse/faults/nested.h"

namespace memlapse {

namespace {

constexpr std::uint64_t kLostStream = 0xED7A000000000001ULL;
constexpr std::uint64_t kNoiseWordStream = 0xED7A000000000002ULL;
constexpr std::uint64_t kNoiseBitsStream = 0xED7A000000000003ULL;
constexpr double kZ999 = 3.090232306167813;  // Phi^-1(0.999)
constexpr double kT100K = 373.15, kTm30K = 243.15;
constexpr double kWorst100Us = 3.35, kWorstM30Us = 30.0;  // 002 §VII-A, Fig. 18

std::string fmt(double x) { return format_double(x); }

}  // namespace

double edram_worst_retention_us(double temperature_c) {
  if (!(temperature_c >= -30.0 && temperature_c <= 100.0)) {
    throw Error("fault model edram: temperature_c = " + fmt(temperature_c) +
                " is outside -30..100 C, the range of 002 Fig. 18");
  }
  const double ea_over_k = std::log(kWorstM30Us / kWorst100Us) / (1.0 / kTm30K - 1.0 / kT100K);
  const double t_k = temperature_c + 273.15;
  return kWorst100Us * std::exp(ea_over_k * (1.0 / t_k - 1.0 / kT100K));
}

double edram_loss_probability(double lifetime_us, double temperature_c, double sigma_ln) {
  if (!(lifetime_us > 0.0)) return 0.0;
  const double mu = std::log(edram_worst_retention_us(temperature_c)) + kZ999 * sigma_ln;
  return 0.5 * std::erfc(-(std::log(lifetime_us) - mu) / (sigma_ln * std::sqrt(2.0)));
}

EdramRetention::EdramRetention(EdramSpec spec) : spec_(spec) {
  if (!(spec_.lifetime_us >= 0.0)) throw Error("fault model edram: lifetime_us = " + fmt(spec_.lifetime_us) + " must be >= 0");
  if (!(spec_.refresh_us >= 0.0)) throw Error("fault model edram: refresh_us = " + fmt(spec_.refresh_us) + " must be >= 0");
  if (!(spec_.sigma_ln > 0.0 && spec_.sigma_ln < 5.0)) {
    throw Error("fault model edram: retention_sigma_ln = " + fmt(spec_.sigma_ln) + " is outside (0, 5)");
  }
  if (!(spec_.noise_fraction >= 0.0 && spec_.noise_fraction <= 1.0)) {
    throw Error("fault model edram: noise_fraction = " + fmt(spec_.noise_fraction) + " is outside [0, 1]");
  }
  const double eff = spec_.refresh_us > 0.0 ? std::min(spec_.lifetime_us, spec_.refresh_us) : spec_.lifetime_us;
  p_loss_ = edram_loss_probability(eff, spec_.temperature_c, spec_.sigma_ln);  // validates the temperature
}

FaultList EdramRetention::sample_pass(const PartitionView& image, std::uint64_t seed, std::uint64_t chip,
                                      std::uint64_t pass) const {
  FaultList out;
  std::vector<std::uint64_t> hits;
  if (spec_.noise_mode) {
    for (std::uint32_t t = 0; t < image.tensor_count(); ++t) {
      hits.clear();
      append_nested_hits(image.rng(seed, chip, kNoiseWordStream ^ t).substream(pass), image.tensor(t).count,
                         spec_.noise_fraction, hits);
      const CounterRng bits = image.rng(seed, chip, kNoiseBitsStream ^ t).substream(pass);
      const int wb = image.word_bits(t);
      for (std::uint64_t e : hits) {
        const std::uint64_t r = bits.bits(e);  // the random word read (up to 64 bits)
        for (int b = 0; b < wb; ++b) {
          const bool one = b < 64 ? ((r >> b) & 1) : (bits.bits(e ^ (0x9E37ULL << 40) ^ static_cast<std::uint64_t>(b)) & 1);
          out.push_back(BitFault{image.region(t), e, static_cast<std::uint8_t>(b), one ? BitFault::kStuckAt1 : BitFault::kStuckAt0});
        }
      }
    }
    return out;
  }
  const ImageBits ib(image);
  append_nested_hits(image.rng(seed, chip, kLostStream), ib.total_bits(), p_loss_, hits);
  ImageBits::Cursor cur(ib);
  const BitFault::Kind kind =
      spec_.lost_value == 0 ? BitFault::kStuckAt0 : spec_.lost_value == 1 ? BitFault::kStuckAt1 : BitFault::kFlip;
  for (std::uint64_t q : hits) {
    BitFault f;
    if (!cur.locate(q, f)) continue;
    f.kind = kind;
    out.push_back(f);
  }
  sort_unique(out);
  return out;
}

std::map<std::string, std::string> EdramRetention::params() const {
  std::map<std::string, std::string> p{{"mode", spec_.noise_mode ? "noise" : "retention"}};
  if (spec_.noise_mode) {
    p["noise_fraction"] = fmt(spec_.noise_fraction);
    return p;
  }
  p["lifetime_us"] = fmt(spec_.lifetime_us);
  p["temperature_c"] = fmt(spec_.temperature_c);
  p["refresh_us"] = fmt(spec_.refresh_us);
  p["retention_sigma_ln"] = fmt(spec_.sigma_ln);
  p["lost_value"] = spec_.lost_value == 0 ? "zero" : spec_.lost_value == 1 ? "one" : "flip";
  p["worst_retention_us"] = fmt(edram_worst_retention_us(spec_.temperature_c));
  p["loss_probability"] = fmt(p_loss_);
  return p;
}

Implementation<std::unique_ptr<FaultModel>> edram_implementation() {
  RegistryEntry e{"edram",
                  "002 §VII-A 3T eDRAM: bits whose data lifetime exceeds their (log-normal) retention time are lost; "
                  "or mode=noise: a fraction of words read are random",
                  ParamSchema{ParamSpec{"mode", ParamType::kString, "retention", "", "retention or noise"}.one_of({"retention", "noise"}),
                              ParamSpec{"lifetime_us", ParamType::kDouble, "3.35", "us", "time since the data was written"}
                                  .at_least(0)
                                  .as(ParamRole::kOperatingPoint),
                              ParamSpec{"temperature_c", ParamType::kDouble, "100", "C", "die temperature (002 Fig. 18)"}
                                  .in(-30, 100)
                                  .as(ParamRole::kOperatingPoint),
                              ParamSpec{"refresh_us", ParamType::kDouble, "0", "us", "refresh interval (0: none); caps the lifetime"}
                                  .at_least(0)
                                  .as(ParamRole::kOperatingPoint),
                              ParamSpec{"retention_sigma_ln", ParamType::kDouble, "0.35", "", "std of ln(retention) (assumed)"}.above(0),
                              ParamSpec{"lost_value", ParamType::kString, "zero", "", "what a lost bit reads"}.one_of({"zero", "one", "flip"}),
                              ParamSpec{"noise_fraction", ParamType::kDouble, "0.001", "1/word",
                                        "mode=noise: fraction of words read as random bits (002: 0.1%..1%)"}
                                  .in(0, 1)
                                  .as(ParamRole::kRate)},
                  {"edram3t"}};
  return {e, [](const ParamValues& v) -> std::unique_ptr<FaultModel> {
            EdramSpec s;
            s.noise_mode = v.get_choice("mode") == 1;
            s.lifetime_us = v.get_double("lifetime_us");
            s.temperature_c = v.get_double("temperature_c");
            s.refresh_us = v.get_double("refresh_us");
            s.sigma_ln = v.get_double("retention_sigma_ln");
            s.noise_fraction = v.get_double("noise_fraction");
            s.lost_value = static_cast<int>(v.get_choice("lost_value"));
            return std::make_unique<EdramRetention>(s);
          }};
}

}  // namespace memlapse
