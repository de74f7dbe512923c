#include "memlapse/core/rng.h"

#include <gtest/gtest.h>

#include <array>
#include <set>

namespace memlapse {
namespace {

TEST(CounterRng, SameKeyGivesSameSequence) {
  const CounterRng a(7, 3, 11), b(7, 3, 11);
  for (std::uint64_t i = 0; i < 1000; ++i) {
    ASSERT_EQ(a.bits(i), b.bits(i));
    ASSERT_EQ(a.uniform(i), b.uniform(i));
  }
  EXPECT_EQ(a.substream(5).bits(9), b.substream(5).bits(9));
}

TEST(CounterRng, DifferentSeedChipStreamOrSubstreamDiffer) {
  const CounterRng base(7, 3, 11);
  const std::array<CounterRng, 5> others = {CounterRng(8, 3, 11), CounterRng(7, 4, 11), CounterRng(7, 3, 12),
                                            base.substream(0), base.substream(1)};
  for (const auto& o : others) {
    int equal = 0;
    for (std::uint64_t i = 0; i < 1000; ++i) equal += o.bits(i) == base.bits(i);
    EXPECT_EQ(equal, 0);
  }
  int equal = 0;
  for (std::uint64_t i = 0; i < 1000; ++i) equal += base.substream(0).bits(i) == base.substream(1).bits(i);
  EXPECT_EQ(equal, 0);
}

TEST(CounterRng, SequenceHasNoRepeatsInShortRun) {
  const CounterRng r(1, 2, 3);
  std::set<std::uint64_t> seen;
  for (std::uint64_t i = 0; i < 100000; ++i) seen.insert(r.bits(i));
  EXPECT_EQ(seen.size(), 100000u);
}

TEST(CounterRng, UniformIsInHalfOpenUnitIntervalExcludingZero) {
  const CounterRng r(42, 0, 0);
  double lo = 1.0, hi = 0.0;
  for (std::uint64_t i = 0; i < 200000; ++i) {
    const double u = r.uniform(i);
    ASSERT_GT(u, 0.0);
    ASSERT_LE(u, 1.0);
    lo = std::min(lo, u);
    hi = std::max(hi, u);
  }
  EXPECT_LT(lo, 1e-4);
  EXPECT_GT(hi, 1.0 - 1e-4);
}

TEST(CounterRng, UniformPassesChiSquareOnTenBins) {
  // 10 equiprobable bins, 9 degrees of freedom; the 0.999 quantile of chi^2_9 is 27.877.
  constexpr int kBins = 10;
  constexpr std::uint64_t kN = 1000000;
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    const CounterRng r(seed, 5, 9);
    std::array<std::uint64_t, kBins> count{};
    for (std::uint64_t i = 0; i < kN; ++i) {
      int b = static_cast<int>((1.0 - r.uniform(i)) * kBins);  // 1-u in [0,1)
      ++count[static_cast<std::size_t>(b)];
    }
    const double expected = static_cast<double>(kN) / kBins;
    double chi2 = 0.0;
    for (auto c : count) chi2 += (static_cast<double>(c) - expected) * (static_cast<double>(c) - expected) / expected;
    EXPECT_LT(chi2, 27.877) << "seed " << seed;
  }
}

TEST(CounterRng, BitsAreBalanced) {
  // Each of the 64 output bits is 1 about half the time: |ones - n/2| < 6 sigma.
  const CounterRng r(3, 1, 4);
  constexpr int kN = 100000;
  std::array<int, 64> ones{};
  for (std::uint64_t i = 0; i < kN; ++i) {
    const std::uint64_t x = r.bits(i);
    for (int b = 0; b < 64; ++b) ones[static_cast<std::size_t>(b)] += static_cast<int>((x >> b) & 1u);
  }
  for (int b = 0; b < 64; ++b) EXPECT_NEAR(ones[static_cast<std::size_t>(b)], kN / 2, 6 * 158) << "bit " << b;
}

TEST(CounterRng, IsUsableAtCompileTime) {
  constexpr CounterRng r(1, 2, 3);
  constexpr std::uint64_t x = r.bits(0);
  static_assert(x == CounterRng(1, 2, 3).bits(0));
  EXPECT_EQ(x, r.bits(0));
}

}  // namespace
}  // namespace memlapse
