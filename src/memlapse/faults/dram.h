#pragma once
// 000's four DRAM error models (EDEN §4), on the partition's physical layout (physical_layout.h):
//   model0 (dram-model0): weak cells spread uniformly, fraction P; a weak cell fails with F_A.
//   model1 (dram-model1): per bitline B: weak fraction P_B, failure probability F_B.
//   model2 (dram-model2): per wordline W: weak fraction P_W, failure probability F_W.
//   model3 (dram-model3): weak fraction P; a weak cell holding 1 fails with F_V1, holding 0 with F_V0.
// Which cells are weak is fixed per chip: cell q (image bit position) is weak iff u_q <= P(q)
// with u_q drawn by the nested sampler (nested.h) at the largest P and thinned by a second
// uniform of q, so raising P (same spatial profile) only adds weak cells. A weak cell fails on a
// read when a third uniform of (q, pass) is <= F; sample() is pass 0 and `freeze` = true makes
// every pass equal to pass 0. A failure flips the stored bit (BitFault::kFlip).
// Spatial concentration: with one P_B value, the weak cells live on a fraction `weak_bitlines`
// of the bitlines (chosen per chip), each holding P_B / weak_bitlines of weak cells, so the mean
// rate stays P_B * F_B; a list P_B = "p0,p1,..." gives column c the value p[c % len] (the form
// `memlapse fault fit` prints). Same for wordlines.
// Operating points (operating_points.h): vdd_delta (V) or trcd_delta (ns) sets BER from 000
// Table 3 and the weak fraction = BER / mean F (model3: mean of F_V1, F_V0, i.e. half the cells
// hold 1). Without a knob the raw parameters are used.
// Example:
//   auto m = make_fault_model("dram-model1", {{"vdd_delta", "-0.25"}});
//   FaultList f = m->sample(image, 1, chip);
#include <memory>
#include <vector>

#include "memlapse/faults/fault_model.h"
#include "memlapse/faults/layout.h"

namespace memlapse {

struct DramModelSpec {
  int kind = 0;                 // 0..3
  std::vector<double> P{0.01};  // model0/3: one value; model1: per column; model2: per wordline
  std::vector<double> F{0.5};   // model0/1/2: failure probability of a weak cell (list as P)
  double F_V1 = 0.75, F_V0 = 0.25;  // model3
  double line_fraction = 1.0;   // model1/2 with one P value: fraction of lines holding weak cells
  bool freeze = false;
  std::string knob;             // "", "vdd_delta" or "trcd_delta"
  double knob_value = 0.0;
  double ber = 0.0;             // from the knob (000 Table 3), else the mean rate of the raw params
};

class DramErrorModel final : public FaultModel {
 public:
  // Contract: spec validated (probabilities in [0,1], non-empty lists); Error names the model.
  explicit DramErrorModel(DramModelSpec spec);
  std::string name() const override;
  FaultList sample(const PartitionView& view, std::uint64_t seed, std::uint64_t chip) const override {
    return sample_pass(view, seed, chip, 0);
  }
  FaultList sample_pass(const PartitionView& view, std::uint64_t seed, std::uint64_t chip,
                        std::uint64_t pass) const override;
  std::map<std::string, std::string> params() const override;
  const DramModelSpec& spec() const { return spec_; }

 private:
  DramModelSpec spec_;
  double p_max_ = 0.0;
};

// Registry entry (schema + factory) of model `kind` (0..3).
Implementation<std::unique_ptr<FaultModel>> dram_implementation(int kind);

}  // namespace memlapse
