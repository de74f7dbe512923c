#include "memlapse/faults/mlc.h"

#include <gtest/gtest.h>

#include <tuple>

#include <bit>
#include <cmath>

#include "memlapse/core/error.h"
#include "memlapse/faults/model_test_util.h"
#include "memlapse/faults/test_util.h"

namespace memlapse {
namespace {

using testing::binomial_accepts;

// Independent reference: Simpson integration of the level's Gaussian density over (a, b].
double gaussian_mass(double mean, double sd, double a, double b) {
  a = std::max(a, mean - 40 * sd);
  b = std::min(b, mean + 40 * sd);
  if (b <= a) return 0.0;
  const int n = 20000;
  const double h = (b - a) / n;
  double s = 0;
  for (int i = 0; i <= n; ++i) {
    const double x = a + i * h, z = (x - mean) / sd;
    const double f = std::exp(-0.5 * z * z) / (sd * std::sqrt(2 * M_PI));
    s += f * (i == 0 || i == n ? 1 : i % 2 ? 4 : 2);
  }
  return s * h / 3;
}

TEST(MlcTransitionMatrix, MatchesGaussianIntegralsAndRowsSumToOne) {
  for (auto tech : {MlcTechnology::kCtt, MlcTechnology::kRram}) {
    for (int b = 1; b <= 3; ++b) {
      MlcParams p = mlc_builtin(tech, b);
      p.non_adjacent = 0;  // compare the pure Gaussian integrals
      const auto M = mlc_transition_matrix(p);
      const auto mu = mlc_level_means(p);
      const auto t = mlc_thresholds(p);
      const std::size_t n = mu.size();
      for (std::size_t i = 0; i < n; ++i) {
        double row = 0;
        const double sd = i == 0 ? p.sigma_unprog : p.sigma;
        for (std::size_t j = 0; j < n; ++j) {
          row += M[i][j];
          const double lo = j == 0 ? -1e9 : t[j - 1], hi = j + 1 == n ? 1e9 : t[j];
          const double ref = gaussian_mass(mu[i] + p.sa_offset, sd, lo, hi);
          if (j != i) {
            EXPECT_NEAR(M[i][j], ref, 1e-9 + 1e-6 * ref) << b << " " << i << "->" << j;
          }
        }
        EXPECT_NEAR(row, 1.0, 1e-12);
      }
    }
  }
}

TEST(MlcTransitionMatrix, Mlc3RatesInThe001RangeAndFaultsGoToAdjacentLevels) {
  for (auto tech : {MlcTechnology::kCtt, MlcTechnology::kRram}) {
    const MlcLevelFaults m("x", mlc_builtin(tech, 3));
    const double r = m.mean_cell_fault_rate();
    EXPECT_GE(r, 1e-5);  // 001 §2.3: "fault rates for MLC3 range from 1e-3 to 1e-5"
    EXPECT_LE(r, 1.1e-3);
    const auto M = mlc_transition_matrix(mlc_builtin(tech, 3));
    for (std::size_t i = 0; i < 8; ++i) {
      for (std::size_t j = 0; j < 8; ++j) {
        if ((i > j ? i - j : j - i) >= 2) {
          EXPECT_NEAR(M[i][j], 1.5e-10, 1e-12);  // 001 footnote 1
        }
      }
    }
    // Fewer bits per cell, wider spacing: far lower rates.
    EXPECT_LT(MlcLevelFaults("x", mlc_builtin(tech, 2)).mean_cell_fault_rate(), r * 1e-3);
  }
}

TEST(MlcLevelFaults, SampledTransitionsFollowTheMatrix) {
  // Exaggerated sigma so that every transition is frequent; 8-bit words = 4 cells of 2 bits.
  MlcParams p = mlc_builtin(MlcTechnology::kCtt, 2);
  p.sigma = 0.08;
  p.sigma_unprog = 0.1;
  p.gray = false;
  const MlcLevelFaults m("mlc-test", p);
  const MemoryImage img = testing::make_test_image(8, {60000});
  const auto M = mlc_transition_matrix(p);
  std::uint64_t from[4] = {}, moved[4][4] = {};
  for (std::uint64_t e = 0; e < 60000; ++e)
    for (int c = 0; c < 4; ++c) from[img.get_bit(0, e, 2 * c) | (img.get_bit(0, e, 2 * c + 1) << 1)]++;
  const FaultList f = m.sample(img, 4, 0);
  for (std::size_t i = 0; i < f.size();) {
    const std::uint64_t e = f[i].element;
    const int c = f[i].bit / 2;
    const int old = img.get_bit(0, e, 2 * c) | (img.get_bit(0, e, 2 * c + 1) << 1);
    int mask = 0;
    while (i < f.size() && f[i].element == e && f[i].bit / 2 == c) mask |= 1 << (f[i++].bit % 2);
    moved[old][old ^ mask]++;
  }
  for (int a = 0; a < 4; ++a) {
    for (int b = 0; b < 4; ++b) {
      if (a != b) {
        EXPECT_TRUE(binomial_accepts(moved[a][b], from[a], M[a][b])) << a << "->" << b << " " << moved[a][b];
      }
    }
  }
}

TEST(MlcLevelFaults, GrayMappingMakesAdjacentFaultsSingleBitFlips) {
  MlcParams p = mlc_builtin(MlcTechnology::kRram, 3);
  p.sigma = 0.03;  // adjacent misreads ~1%, two-level jumps ~1e-12
  p.sigma_unprog = 0.03;
  p.non_adjacent = 0;
  const MemoryImage img = testing::make_test_image(12, {20000});
  const FaultList g = MlcLevelFaults("g", p).sample(img, 1, 0);
  ASSERT_FALSE(g.empty());
  for (std::size_t i = 1; i < g.size(); ++i) {
    // Adjacent-level faults (p(non-adjacent) < 1e-9 here) flip one bit per cell.
    EXPECT_FALSE(g[i].element == g[i - 1].element && g[i].bit / 3 == g[i - 1].bit / 3);
  }
  p.gray = false;
  const FaultList b = MlcLevelFaults("b", p).sample(img, 1, 0);
  EXPECT_GT(b.size(), g.size());  // binary 3->4 flips 3 bits
}

TEST(MlcLevelFaults, PassesRedrawAndBadParametersAreErrors) {
  const MemoryImage img = testing::make_test_image(8, {20000});
  const auto m = make_fault_model("mlc-ctt", {{"bits_per_cell", "2"}, {"sigma", "0.06"}});
  EXPECT_EQ(m->sample(img, 1, 1), m->sample_pass(img, 1, 1, 0));
  EXPECT_NE(m->sample(img, 1, 1), m->sample_pass(img, 1, 1, 1));
  EXPECT_THROW(make_fault_model("mlc-rram", {{"bits_per_cell", "5"}}), Error);
  EXPECT_THROW(make_fault_model("mlc-rram", {{"mapping", "grey"}}), Error);
}

TEST(MlcLevelFaults, ThreeBitCellsSpanByteWordsOfAPlainImage) {
  // 8-bit words, 3 bits/cell: cell c holds stream bits 3c..3c+2, so cell 2 holds bits 6, 7 of
  // word 0 and bit 0 of word 1. Faults stay sorted, inside the words, and some cross a word edge.
  const MemoryImage img = testing::make_test_image(8, {30000});
  const auto m = make_fault_model("mlc-ctt", {{"bits_per_cell", "3"}, {"sigma", "0.06"}, {"mapping", "binary"}});
  const FaultList f = m->sample(img, 3, 0);
  ASSERT_FALSE(f.empty());
  std::size_t spanning = 0;
  for (std::size_t i = 0; i < f.size(); ++i) {
    EXPECT_LT(f[i].bit, 8);
    if (i > 0) {
      const auto a = std::make_tuple(f[i - 1].element, f[i - 1].bit), b = std::make_tuple(f[i].element, f[i].bit);
      EXPECT_LT(a, b);
      const std::uint64_t ga = f[i - 1].element * 8 + f[i - 1].bit, gb = f[i].element * 8 + f[i].bit;
      if (ga / 3 == gb / 3 && f[i - 1].element != f[i].element) ++spanning;  // same cell, two words
    }
  }
  EXPECT_GT(spanning, 0u);
}

}  // namespace
}  // namespace memlapse
