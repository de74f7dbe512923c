#include "memlapse/faults/nested.h"
#include "memlapse/faults/simd.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <array>
#include <cmath>

#include "memlapse/faults/test_util.h"

namespace memlapse {
namespace {

using memlapse::testing::binomial_accepts;
using memlapse::testing::chi_square_equal;

std::vector<std::uint64_t> hits(const CounterRng& rng, std::uint64_t n, double p) {
  std::vector<std::uint64_t> out;
  for_each_nested_hit(rng, n, p, [&](std::uint64_t j) { out.push_back(j); });
  return out;
}

TEST(NestedErrors, HitsAreStrictlyIncreasingAndInRange) {
  for (double p : {1e-4, 0.01, 0.3, 0.5, 0.9}) {
    const auto h = hits(CounterRng(1, 2, 3), 50000, p);
    ASSERT_FALSE(h.empty());
    EXPECT_TRUE(std::adjacent_find(h.begin(), h.end(), std::greater_equal<>()) == h.end()) << p;
    EXPECT_LT(h.back(), 50000u);
  }
}

TEST(NestedErrors, LowerRateIsSubsetOfHigherRate) {
  // Includes rates on, just below and just above level boundaries (octaves and quarter octaves).
  const std::vector<double> ps = {1e-6, 0x1.306fe0a31b715p-20, 0x1.306fe0a31b715p-20 * 1.000001, 1e-5,
                                  std::ldexp(1.0, -10) * 0.999999, std::ldexp(1.0, -10),
                                  std::ldexp(1.0, -10) * 1.000001, 3e-3, 0.0078125, 0.0079, 0.01, 0.03,
                                  0.0625, 0.1, 0.2499999, 0.25, 0.2500001, 0.4, 0.5, 0.5000001, 0.6,
                                  0.9, 0.999, 1.0};
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    for (std::uint64_t chip : {0u, 17u}) {
      const CounterRng rng(seed, chip, 4);
      std::vector<std::uint64_t> prev;
      for (double p : ps) {
        const auto cur = hits(rng, 40000, p);
        EXPECT_TRUE(std::includes(cur.begin(), cur.end(), prev.begin(), prev.end()))
            << "seed " << seed << " chip " << chip << " p " << p;
        EXPECT_GE(cur.size(), prev.size());
        prev = cur;
      }
      EXPECT_EQ(prev.size(), 40000u);
    }
  }
}

TEST(NestedErrors, ReferenceIsNestedToo) {
  const CounterRng rng(9, 9, 9);
  const auto a = nested_hits_reference(rng, 20000, 0.01), b = nested_hits_reference(rng, 20000, 0.02);
  EXPECT_TRUE(std::includes(b.begin(), b.end(), a.begin(), a.end()));
}

TEST(NestedErrors, SameInputsGiveSameHitsAndChipsDiffer) {
  const auto a = hits(CounterRng(5, 1, 0), 100000, 0.01);
  EXPECT_EQ(a, hits(CounterRng(5, 1, 0), 100000, 0.01));
  EXPECT_NE(a, hits(CounterRng(5, 2, 0), 100000, 0.01));
  EXPECT_NE(a, hits(CounterRng(6, 1, 0), 100000, 0.01));
  EXPECT_NE(a, hits(CounterRng(5, 1, 1), 100000, 0.01));
}

TEST(NestedErrors, ShorterRangeIsPrefixOfLongerRange) {
  const CounterRng rng(3, 3, 3);
  for (double p : {0.001, 0.2, 0.7}) {
    const auto longer = hits(rng, 100000, p);
    const auto shorter = hits(rng, 31337, p);
    std::vector<std::uint64_t> prefix;
    for (auto j : longer) if (j < 31337) prefix.push_back(j);
    EXPECT_EQ(shorter, prefix) << p;
  }
}

TEST(NestedErrors, ZeroRateHitsNothingAndUnitRateHitsEverything) {
  const CounterRng rng(1, 1, 1);
  EXPECT_TRUE(hits(rng, 100000, 0.0).empty());
  EXPECT_TRUE(hits(rng, 100000, -0.5).empty());
  EXPECT_TRUE(hits(rng, 100000, std::nan("")).empty());
  EXPECT_TRUE(hits(rng, 0, 0.5).empty());
  EXPECT_TRUE(hits(rng, 0, 1.0).empty());
  for (double p : {1.0, 1.5}) {
    const auto all = hits(rng, 1000, p);
    ASSERT_EQ(all.size(), 1000u);
    for (std::uint64_t j = 0; j < 1000; ++j) EXPECT_EQ(all[j], j);
  }
  EXPECT_EQ(nested_hits_reference(rng, 1000, 1.0).size(), 1000u);
  EXPECT_TRUE(nested_hits_reference(rng, 1000, 0.0).empty());
}

// The window-bitmap engine against the construction computed level by level with merges: the same
// bits, in the same order, across window boundaries (2^18 bits), level boundaries and every
// entry point.
TEST(NestedErrors, EngineIsBitIdenticalToTheLevelByLevelConstruction) {
  const std::vector<double> ps = {1e-7, 1e-5, 3e-4, std::ldexp(1.0, -10), 0.0078125, 0.01, 0.03, 0.2,
                                  0.25, 0.4, 0.5, 0.5000001, 0.77, 0.999999};
  const std::vector<std::uint64_t> ns = {1, 63, 64, 65, 1000, (1u << 18) - 1, 1u << 18, (1u << 18) + 1, 700001};
  std::size_t total = 0;
  for (std::uint64_t seed : {1u, 2u}) {
    for (const std::uint64_t n : ns) {
      for (const double p : ps) {
        if (n > 300000 && p > 0.3 && seed == 2) continue;  // keep the reference's runtime short
        const CounterRng rng(seed, 4, n);
        const auto want = nested_hits_levels_reference(rng, n, p);
        total += want.size();
        EXPECT_EQ(hits(rng, n, p), want) << "seed " << seed << " n " << n << " p " << p;
        std::vector<std::uint64_t> appended = {42};
        append_nested_hits(rng, n, p, appended);
        ASSERT_EQ(appended.size(), want.size() + 1);
        EXPECT_TRUE(std::equal(want.begin(), want.end(), appended.begin() + 1)) << "n " << n << " p " << p;
        std::vector<std::uint64_t> blocks;
        std::size_t calls = 0;
        for_each_nested_block(rng, n, p, [&](std::span<const std::uint64_t> b) {
          EXPECT_FALSE(b.empty());
          ++calls;
          blocks.insert(blocks.end(), b.begin(), b.end());
        });
        EXPECT_EQ(blocks, want);
        EXPECT_LE(calls, (n + (1u << 18) - 1) >> 18);
        // The window bitmaps name the same bits; each window's words end at n (bits past it clear).
        std::vector<std::uint64_t> from_words;
        std::uint64_t last_w0 = 0;
        bool first_window = true;
        for_each_nested_window(rng, n, p, [&](std::uint64_t w0, std::span<const std::uint64_t> words) {
          EXPECT_EQ(w0 % (1u << 18), 0u);
          EXPECT_TRUE(first_window || w0 > last_w0);
          first_window = false;
          last_w0 = w0;
          EXPECT_EQ(words.size(), (std::min<std::uint64_t>(n, w0 + (1u << 18)) - w0 + 63) / 64);
          for (std::size_t w = 0; w < words.size(); ++w) {
            for (std::uint64_t x = words[w]; x != 0; x &= x - 1) from_words.push_back(w0 + 64 * w + std::countr_zero(x));
          }
        });
        EXPECT_EQ(from_words, want) << "seed " << seed << " n " << n << " p " << p;
      }
    }
  }
  EXPECT_GT(total, 1000000u);
}

// The AVX-512 skip draws (where this CPU has them) give the same hits as the portable code.
TEST(NestedErrors, SimdAndPortableDrawsGiveTheSameHits) {
  if (!simd_kernels_available()) GTEST_SKIP() << "no AVX-512 kernels on this build or CPU: only the portable code runs";
  for (const double p : {1e-6, 3e-4, 0.01, 0.03, 0.3, 0.77}) {
    for (const std::uint64_t n : {std::uint64_t{100}, std::uint64_t{3000001}}) {
      const CounterRng rng(9, 2, n);
      const bool was = set_simd_kernels(false);
      const auto portable = hits(rng, n, p);
      set_simd_kernels(true);
      const auto simd = hits(rng, n, p);
      set_simd_kernels(was);
      EXPECT_EQ(simd, portable) << "n " << n << " p " << p;
      EXPECT_FALSE(n > 1000 && simd.empty()) << "n " << n << " p " << p;
    }
  }
}

struct CountCase {
  std::uint64_t n;
  double p;
};

void PrintTo(const CountCase& c, std::ostream* os) { *os << "n=" << c.n << " p=" << c.p; }

class NestedCount : public ::testing::TestWithParam<CountCase> {};

TEST_P(NestedCount, CountIsBinomialWithinOneInAMillionAcceptance) {
  const auto [n, p] = GetParam();
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    std::uint64_t count = 0;
    for_each_nested_hit(CounterRng(seed, 0, 0), n, p, [&](std::uint64_t) { ++count; });
    EXPECT_TRUE(binomial_accepts(count, n, p))
        << "n=" << n << " p=" << p << " seed=" << seed << " count=" << count << " expected=" << n * p;
    if (n <= 10'000'000) {
      const auto ref = nested_hits_reference(CounterRng(seed, 0, 0), n, p).size();
      EXPECT_TRUE(binomial_accepts(ref, n, p)) << "reference count " << ref;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Rates, NestedCount,
    ::testing::Values(CountCase{100000, 0.5}, CountCase{100000, 0.75}, CountCase{1000000, 0.3},
                      CountCase{1000000, 1e-3}, CountCase{10000000, 0x1p-10}, CountCase{10000000, 0.0078},
                      CountCase{100000000, 1e-6}, CountCase{100000, 0.999},
                      // quarter-octave ladder: on r_26 = 2^-6.5, just below it, on r_79 = 2^-19.75,
                      // just above the last fine level r_80 = 2^-20
                      CountCase{10000000, 0x1.6a09e667f3bcdp-7}, CountCase{10000000, 0x1.6a09e667f3bcdp-7 * 0.9999999},
                      CountCase{100000000, 0x1.306fe0a31b715p-20}, CountCase{100000000, 0x1p-20 * 1.0001},
                      CountCase{std::uint64_t{1} << 40, 1e-9},        // 64-bit bit indices
                      CountCase{std::uint64_t{1} << 52, 0x1p-48},     // top level boundary, ~16 hits
                      CountCase{std::uint64_t{1} << 52, 1e-15}));     // below the top level

TEST(NestedErrors, CountsOverManyChipsFollowTheBinomialLaw) {
  // 4000 chips of n = 2000 bits at p = 0.005 (mean 10): chi-square of the count histogram against
  // Binomial(2000, 0.005) in 11 bins (<=5, 6..14, >=15); 10 dof, 0.999 critical value 29.588.
  constexpr std::uint64_t kN = 2000, kChips = 4000;
  constexpr double kP = 0.005;
  std::array<double, 11> observed{}, expected{};
  auto bin = [](std::uint64_t c) { return c <= 5 ? 0 : c >= 15 ? 10 : static_cast<int>(c) - 5; };
  for (std::uint64_t chip = 0; chip < kChips; ++chip) {
    std::uint64_t c = 0;
    for_each_nested_hit(CounterRng(11, chip, 0), kN, kP, [&](std::uint64_t) { ++c; });
    observed[static_cast<std::size_t>(bin(c))] += 1;
  }
  double pmf = std::pow(1.0 - kP, static_cast<double>(kN));  // P(X = 0)
  for (std::uint64_t c = 0; c <= kN; ++c) {
    expected[static_cast<std::size_t>(bin(c))] += pmf * kChips;
    pmf *= static_cast<double>(kN - c) / static_cast<double>(c + 1) * kP / (1.0 - kP);
  }
  double chi2 = 0.0;
  for (std::size_t i = 0; i < observed.size(); ++i) {
    chi2 += (observed[i] - expected[i]) * (observed[i] - expected[i]) / expected[i];
  }
  EXPECT_LT(chi2, 29.588);
}

TEST(NestedErrors, HitPositionsAreUniformOverTheRange) {
  // 16 equal buckets of positions: 15 dof, 0.999 critical value 37.697. Bit-in-byte (j mod 8):
  // 7 dof, 24.322.
  constexpr std::uint64_t kN = 1 << 21;
  for (double p : {0.004, 0x1p-8, 0.05, 0.3, 0.6}) {
    for (std::uint64_t seed : {1u, 2u}) {
      std::array<std::uint64_t, 16> bucket{};
      std::array<std::uint64_t, 8> lane{};
      for_each_nested_hit(CounterRng(seed, 7, 0), kN, p, [&](std::uint64_t j) {
        ++bucket[j * 16 / kN];
        ++lane[j % 8];
      });
      EXPECT_LT(chi_square_equal(bucket), 37.697) << "p=" << p << " seed=" << seed;
      EXPECT_LT(chi_square_equal(lane), 24.322) << "p=" << p << " seed=" << seed;
    }
  }
}

// The ziggurat Exp(1) behind the skips: chi-square of 2^22 draws (consecutive hashed counters) in
// 64 equiprobable bins of Exp(1), plus the far tail beyond the base layer's edge (x > 7.697,
// P = 4.54e-4) and beyond 12 (P = 6.1e-6), each within a binomial bound; the mean within 6 sigma.
TEST(NestedErrors, ZigguratDrawsAreExponential) {
  constexpr std::uint64_t kDraws = std::uint64_t{1} << 22;
  constexpr int kBins = 64;
  std::array<std::uint64_t, kBins> bins{};
  std::uint64_t beyond_r = 0, beyond_12 = 0;
  double sum = 0.0;
  for (std::uint64_t i = 0; i < kDraws; ++i) {
    const double x = exp1_from_bits(mix64(i * 0x9E3779B97F4A7C15ULL + 12345));
    ASSERT_GE(x, 0.0);
    sum += x;
    const double cdf = -std::expm1(-x);  // F(x); equiprobable bins of F
    ++bins[static_cast<std::size_t>(std::min(kBins - 1, static_cast<int>(cdf * kBins)))];
    beyond_r += x > 7.697117470131487;
    beyond_12 += x > 12.0;
  }
  EXPECT_LT(chi_square_equal(bins), 110.0);  // 63 dof: 0.9997 quantile ~ 110
  EXPECT_TRUE(binomial_accepts(beyond_r, kDraws, std::exp(-7.697117470131487))) << beyond_r;
  EXPECT_TRUE(binomial_accepts(beyond_12, kDraws, std::exp(-12.0))) << beyond_12;
  EXPECT_NEAR(sum / static_cast<double>(kDraws), 1.0, 6.0 / std::sqrt(static_cast<double>(kDraws)));
}

// End to end through the skips: hits are i.i.d. Bernoulli(p), so the gap between consecutive hits
// is geometric, P(gap >= g) = (1-p)^(g-1). Chi-square of the gaps in bins [a_b, a_{b+1}) whose edges
// are the integer quantiles at b/40 (merged where they coincide, last bin open), against the exact
// bin probabilities; rates on the fine ladder, between levels, coarse ladder and very dense.
TEST(NestedErrors, GapsBetweenHitsAreGeometric) {
  for (const double p : {0.01, 0.0625, 0.3, 3e-4, 2e-6}) {
    const auto n = static_cast<std::uint64_t>(2e5 / p);
    const auto h = hits(CounterRng(21, 3, 5), n, p);
    ASSERT_GT(h.size(), 150000u) << p;
    const double l1mp = std::log1p(-p);
    auto tail = [&](double g) { return std::exp((g - 1.0) * l1mp); };  // P(gap >= g)
    std::vector<double> edges = {1.0};
    for (int b = 1; b < 40; ++b) {
      const double g = std::ceil(1.0 + std::log(1.0 - b / 40.0) / l1mp);
      if (g > edges.back()) edges.push_back(g);
    }
    std::vector<double> observed(edges.size(), 0.0);
    for (std::size_t i = 1; i < h.size(); ++i) {
      const auto g = static_cast<double>(h[i] - h[i - 1]);
      const auto b = static_cast<std::size_t>(std::upper_bound(edges.begin(), edges.end(), g) - edges.begin()) - 1;
      observed[b] += 1.0;
    }
    const double total = static_cast<double>(h.size() - 1);
    double chi2 = 0.0;
    for (std::size_t b = 0; b < edges.size(); ++b) {
      const double e = total * (tail(edges[b]) - (b + 1 < edges.size() ? tail(edges[b + 1]) : 0.0));
      chi2 += (observed[b] - e) * (observed[b] - e) / e;
    }
    // edges.size() - 1 dof (<= 39): 0.999 quantiles, 39 dof: 72.1; 3 dof (p = 0.3): 16.3.
    const double dof = static_cast<double>(edges.size() - 1);
    EXPECT_LT(chi2, dof + 3.1 * std::sqrt(2.0 * dof) + 6.0) << "p=" << p << " bins=" << edges.size();
  }
}

TEST(NestedErrors, NeighbouringBitsAreIndependent) {
  // Adjacent pairs both hit with probability p^2: check that count is binomial.
  constexpr std::uint64_t kN = 1 << 22;
  for (double p : {0.02, 0.3}) {
    const auto h = hits(CounterRng(4, 4, 4), kN, p);
    std::uint64_t pairs = 0;
    for (std::size_t i = 1; i < h.size(); ++i) pairs += (h[i] == h[i - 1] + 1 && h[i] % 2 == 1);
    EXPECT_TRUE(binomial_accepts(pairs, kN / 2, p * p)) << "p=" << p << " pairs=" << pairs;
  }
}

}  // namespace
}  // namespace memlapse
