#pragma once
// 004 §3's random bit error model: every stored value bit of every tensor flips with probability
// `ber`, independently; the set at ber' <= ber is a subset of the set at ber (same seed, chip).
// Bit index j of region t of the partition (j in [0, count*m)) is element j / m, bit j % m; the
// randomness is view.rng(seed, chip, t) fed to the nested sampler, so a chip's faults are a pure
// function of (seed, chip, partition) and the partition's regions.
// Example:
//   UniformBitErrors model(1e-3);
//   FaultList f = model.sample(image, /*seed=*/7, /*chip=*/42);
#include "memlapse/faults/fault_model.h"

namespace memlapse {

class UniformBitErrors final : public FaultModel {
 public:
  // Contract: 0 <= ber <= 1, else Error naming the value.
  explicit UniformBitErrors(double ber);
  std::string name() const override { return "uniform"; }
  FaultList sample(const PartitionView& view, std::uint64_t seed, std::uint64_t chip) const override;
  std::map<std::string, std::string> params() const override;
  // Hands the sampler's hits straight to the injection (no FaultList): the same faults as sample().
  void inject(Injection& inj, const PartitionView& view, std::uint64_t seed, std::uint64_t chip) const override;
  double ber() const { return ber_; }

 private:
  double ber_;
};

}  // namespace memlapse
