#pragma once
// Multi-level-cell read faults (001 MaxNVM §2.2-2.3, §4.1).
// A cell with b bits has N = 2^b levels. The read quantity (current, normalised so the lowest
// level's mean is 0 and the highest's is 1) of level i is Gaussian N(mu_i + delta, sigma_i^2)
// (001 §2.2.1: "well approximated using a Gaussian"); delta is the sense amplifier's input-referred
// offset, which "shift[s] the mean of each level distribution" (001 §4.1). The unprogrammed level 0
// is wider (sigma_0 = sigma_unprog; "wider distribution of intrinsic process variations") and
// separated from level 1 by a larger gap ("we separate the unprogrammed and first programmed
// state", §2.2.1): gap_0 = d (sigma_0 + sigma)/(2 sigma) where d is the spacing of the programmed
// levels, so every threshold sits at the same z-score. The threshold between levels i and i+1 is
// t_i = mu_i + (mu_{i+1} - mu_i) sigma_i / (sigma_i + sigma_{i+1}); a read of level i returns level
// j when the quantity falls in (t_{j-1}, t_j]:
//   M[i][j] = Phi((t_j - mu_i - delta)/sigma_i) - Phi((t_{j-1} - mu_i - delta)/sigma_i).
// Non-adjacent transitions (|i-j| >= 2) are raised to `non_adjacent` (default 1.5e-10, 001 §2.3
// footnote: "1.5e-10 or below") when the Gaussian tail is smaller; M[i][i] absorbs the difference.
//
// Built-in parameter sets (read window normalised to 1; sigma chosen so that MLC3 lands in
// 001 §2.3's "fault rates for MLC3 range from 1e-3 to 1e-5", CTT near the top as the
// technology MaxNVM stores at 2 bits/cell and RRAM near the bottom as it stores 3, §6/Table 7):
//   mlc-ctt : sigma = 0.0212, sigma_unprog = 1.5 sigma, sa_offset = 0.002 (< 2x rate change, §2.3)
//   mlc-rram: sigma = 0.0168, sigma_unprog = sigma,     sa_offset = 0.0015
// The per-cell fault rates these give are in docs/fault_models.md and checked by mlc_test.
//
// Cells on words: a word's bits_per_cell(t) consecutive bits from bit 0 form one cell (bit 0 its
// LSB); when the image says 1 bit per cell the model's own `bits_per_cell` groups the bits
// (emulating MLC packing). The bits' value v maps to the physical level order by `mapping`:
// binary (level = v) or gray (level l stores bits l ^ (l >> 1), so adjacent-level faults flip one
// bit). A formats-level Gray code is separate: this mapping is the physical level order.
// Faults are re-drawn per read (sensing noise): sample() is pass 0, sample_pass() other passes.
// Cost ~ number of faulty cells: the nested sampler over cells at the largest level fault rate,
// thinned per level, then the destination level drawn from the row of M.
// Example:
//   auto m = make_fault_model("mlc-ctt", {{"bits_per_cell", "3"}, {"mapping", "gray"}});
#include <array>
#include <memory>
#include <vector>

#include "memlapse/faults/fault_model.h"

namespace memlapse {

enum class MlcTechnology { kCtt, kRram };

struct MlcParams {
  int bits_per_cell = 2;
  double sigma = 0.02;          // programmed levels, fraction of the read window
  double sigma_unprog = 0.02;   // level 0
  double sa_offset = 0.0;       // added to every level mean
  double non_adjacent = 1.5e-10;
  bool gray = true;
};

// Contract: the N x N level-transition matrix (rows sum to 1), N = 2^bits_per_cell.
std::vector<std::vector<double>> mlc_transition_matrix(const MlcParams& p);
// Contract: level means and thresholds used above (size N and N-1).
std::vector<double> mlc_level_means(const MlcParams& p);
std::vector<double> mlc_thresholds(const MlcParams& p);
// Contract: the built-in parameter set of a technology at b bits per cell (1..4).
MlcParams mlc_builtin(MlcTechnology tech, int bits_per_cell);

class MlcLevelFaults final : public FaultModel {
 public:
  MlcLevelFaults(std::string name, MlcParams p);
  std::string name() const override { return name_; }
  FaultList sample(const PartitionView& view, std::uint64_t seed, std::uint64_t chip) const override {
    return sample_pass(view, seed, chip, 0);
  }
  FaultList sample_pass(const PartitionView& view, std::uint64_t seed, std::uint64_t chip,
                        std::uint64_t pass) const override;
  std::map<std::string, std::string> params() const override;
  // Contract: mean per-cell fault rate with levels equally likely.
  double mean_cell_fault_rate() const;

 private:
  struct Table {
    int bits;
    std::vector<std::vector<double>> M;
    std::vector<double> p_fail;  // 1 - M[i][i]
    double p_max;
  };
  const Table& table_for(int bits) const;
  std::string name_;
  MlcParams p_;
  std::array<Table, 5> tables_;  // by bits per cell 1..4 (index 0 unused)
};

// Registry entry (schema + factory) of mlc-ctt or mlc-rram.
Implementation<std::unique_ptr<FaultModel>> mlc_implementation(MlcTechnology tech);

}  // namespace memlapse
