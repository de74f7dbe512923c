#pragma once
// eDRAM retention faults (002 CAMEL §VII-A, Fig. 18) and 002's simpler readout-noise mode.
// Retention: each cell's retention time is fixed per chip and log-normal,
//   ln t_ret ~ N(mu(T), s^2),  s = retention_sigma_ln (default 0.35, an assumption: 002 reports
//   only the 99.9%-yield worst case of 2000 Monte Carlo samples, not the spread),
// with mu(T) set so the 0.1% quantile is 002's worst case: t_0.1%(T) = exp(mu(T) - 3.0902 s).
// The worst case follows an Arrhenius law through 002's two stated points, 3.35 us at 100 C and
// 30 us at -30 C: t_0.1%(T) = 3.35 us * exp(Ea/k (1/T - 1/373.15 K)), Ea/k = ln(30/3.35) /
// (1/243.15 - 1/373.15) = 1530 K (Ea = 0.132 eV); temperatures outside [-30, 100] C are Errors.
// A bit whose data lifetime L (time since it was written or refreshed; refresh_us > 0 caps L at the
// refresh interval) exceeds its retention is lost: P(lost) = Phi((ln L - mu(T)) / s). A lost bit
// reads `lost_value`: zero (default: the storage node discharges), one, or flip.
// The lost set is the nested sampler at P(lost) over the image's bit positions: persistent per
// chip and nested in L and T (a longer lifetime or a hotter chip only adds lost bits).
// Noise mode (mode = noise; 002 §VI, Fig. 17(c): "percentage of correct eDRAM reads from 99.9% to
// 99%"): a fraction noise_fraction of the words read return uniformly random bits; drawn per pass.
// Example:
//   auto m = make_fault_model("edram", {{"lifetime_us", "5"}, {"temperature_c", "85"}});
#include <memory>

#include "memlapse/faults/fault_model.h"

namespace memlapse {

struct EdramSpec {
  bool noise_mode = false;
  double lifetime_us = 3.35, temperature_c = 100.0, refresh_us = 0.0, sigma_ln = 0.35;
  int lost_value = 0;  // 0: reads 0, 1: reads 1, 2: flips
  double noise_fraction = 0.0;
};

// Contract: 002 Fig. 18 worst-case (99.9% yield) retention at temperature_c in [-30, 100], else Error.
double edram_worst_retention_us(double temperature_c);
// Contract: probability that a cell's retention is shorter than lifetime_us at temperature_c.
double edram_loss_probability(double lifetime_us, double temperature_c, double sigma_ln);

class EdramRetention final : public FaultModel {
 public:
  explicit EdramRetention(EdramSpec spec);
  std::string name() const override { return "edram"; }
  FaultList sample(const PartitionView& view, std::uint64_t seed, std::uint64_t chip) const override {
    return sample_pass(view, seed, chip, 0);
  }
  FaultList sample_pass(const PartitionView& view, std::uint64_t seed, std::uint64_t chip,
                        std::uint64_t pass) const override;
  std::map<std::string, std::string> params() const override;
  double loss_probability() const { return p_loss_; }

 private:
  EdramSpec spec_;
  double p_loss_ = 0.0;
};

// Registry entry (schema + factory) of "edram".
Implementation<std::unique_ptr<FaultModel>> edram_implementation();

}  // namespace memlapse
