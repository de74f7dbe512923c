#pragma once
// Extensions of 004 §3's uniform model and the SRAM operating point.
//   uniform: `ber` alone gives UniformBitErrors (uniform.h), bit for bit. With ber_01 / ber_10
//     (separate 0->1 and 1->0 rates), stuck_at_0 / stuck_at_1 (cells that always read 0 / 1) or
//     protected_bits (bit positions of every word that never fail, e.g. "7" for an 8-bit sign
//     bit kept in hardened cells) it becomes UniformExtended. Each of the four fault sets is drawn
//     by the nested sampler from its own CounterRng stream over the tensor's bits, so each is
//     persistent per chip and nested in its own rate; a cell in a stuck-at set reads the stuck
//     value whatever else happens (stuck-at-0 before stuck-at-1).
//   sram: `voltage` normalised to Vmin -> ber = sram_ber(voltage) (004 Fig. 1, operating_points.h),
//     then exactly UniformBitErrors(ber): persistent and nested across voltages (004 §3, Fig. 3).
// Example:
//   auto m = make_fault_model("uniform", {{"ber", "1e-3"}, {"ber_01", "3e-3"}, {"protected_bits", "7"}});
//   auto s = make_fault_model("sram", {{"voltage", "0.85"}});   // params()["ber"] ~ 5.2e-3
#include <memory>
#include <vector>

#include "memlapse/faults/fault_model.h"

namespace memlapse {

struct UniformExtSpec {
  double ber_01 = 0.0, ber_10 = 0.0, stuck_at_0 = 0.0, stuck_at_1 = 0.0;
  double ber = 0.0;                 // the `ber` given (reported)
  std::vector<int> protected_bits;  // sorted, unique
};

class UniformExtended final : public FaultModel {
 public:
  // Contract: rates in [0, 1], protected bits in 0..63; Error names the key and value.
  explicit UniformExtended(UniformExtSpec spec);
  std::string name() const override { return "uniform"; }
  FaultList sample(const PartitionView& view, std::uint64_t seed, std::uint64_t chip) const override;
  std::map<std::string, std::string> params() const override;

 private:
  UniformExtSpec spec_;
};

class SramLowVoltage final : public FaultModel {
 public:
  // Contract: voltage >= 0.80 (normalised to Vmin), else Error.
  explicit SramLowVoltage(double voltage_norm);
  std::string name() const override { return "sram"; }
  FaultList sample(const PartitionView& view, std::uint64_t seed, std::uint64_t chip) const override;
  std::map<std::string, std::string> params() const override;

 private:
  double voltage_, ber_;
};

// Registry entries (schema + factory) of "uniform" and "sram".
Implementation<std::unique_ptr<FaultModel>> uniform_implementation();
Implementation<std::unique_ptr<FaultModel>> sram_implementation();

}  // namespace memlapse
