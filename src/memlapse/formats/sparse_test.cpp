#include "memlapse/formats/sparse.h"

#include <gtest/gtest.h>

#include <random>

#include "memlapse/formats/bits.h"

namespace memlapse {
namespace {

std::vector<bool> random_mask(std::size_t n, double density, std::uint32_t seed) {
  std::mt19937 g(seed);
  std::bernoulli_distribution b(density);
  std::vector<bool> m(n);
  for (std::size_t i = 0; i < n; ++i) m[i] = b(g);
  return m;
}

// The fault-free positions: the i-th non-zero element reads value i.
std::vector<std::int64_t> expected_positions(const std::vector<bool>& nz) {
  std::vector<std::int64_t> p(nz.size(), kZero);
  std::int64_t k = 0;
  for (std::size_t i = 0; i < nz.size(); ++i) if (nz[i]) p[i] = k++;
  return p;
}

std::vector<std::uint8_t> pack(const std::vector<std::uint32_t>& v, int bits) {
  BitWriter w;
  for (auto x : v) w.put(x, bits);
  return w.take();
}

TEST(Bitmask, RoundTripsRandomMasksWithAndWithoutIdxSync) {
  for (std::uint32_t seed = 1; seed <= 10; ++seed) {
    const std::size_t n = 1 + seed * 517;
    const auto nz = random_mask(n, 0.05 + 0.09 * seed, seed);
    const std::uint64_t block = 64ULL * seed;
    const BitmaskIndex bm = bitmask_encode(nz, block);
    EXPECT_EQ(bitmask_decode(bm.mask, n, nullptr, 0, nullptr), expected_positions(nz));
    const auto counters = pack(bm.sync_counts, 16);
    const FieldView sync{counters, 16, bm.sync_counts.size()};
    std::uint64_t resynced = 0;
    EXPECT_EQ(bitmask_decode(bm.mask, n, &sync, block, &resynced), expected_positions(nz));
    EXPECT_EQ(resynced, 0u);
  }
}

TEST(Bitmask, OneFlippedMaskBitWithoutIdxSyncMisassignsEveryLaterValue) {
  const auto nz = random_mask(5000, 0.3, 4);
  BitmaskIndex bm = bitmask_encode(nz, 1024);
  const auto clean = expected_positions(nz);
  const std::size_t flip = 100;
  bm.mask[flip / 8] ^= static_cast<std::uint8_t>(1u << (flip % 8));
  const auto pos = bitmask_decode(bm.mask, nz.size(), nullptr, 0, nullptr);
  for (std::size_t i = flip + 1; i < nz.size(); ++i) {
    if (nz[i]) { ASSERT_NE(pos[i], clean[i]) << "element " << i << " should read a shifted value"; }
  }
  for (std::size_t i = 0; i < flip; ++i) ASSERT_EQ(pos[i], clean[i]);
}

TEST(Bitmask, OneFlippedMaskBitWithIdxSyncMisassignsOnlyItsBlock) {
  const auto nz = random_mask(5000, 0.3, 4);
  const std::uint64_t block = 1024;
  BitmaskIndex bm = bitmask_encode(nz, block);
  const auto counters = pack(bm.sync_counts, 11);
  const FieldView sync{counters, 11, bm.sync_counts.size()};
  const auto clean = expected_positions(nz);
  for (std::size_t flip : {100u, 1500u, 4999u}) {
    auto mask = bm.mask;
    mask[flip / 8] ^= static_cast<std::uint8_t>(1u << (flip % 8));
    std::uint64_t resynced = 0;
    const auto pos = bitmask_decode(mask, nz.size(), &sync, block, &resynced);
    EXPECT_EQ(resynced, 1u);
    const std::size_t b0 = flip / block * block, b1 = std::min<std::size_t>(b0 + block, nz.size());
    for (std::size_t i = 0; i < nz.size(); ++i) {
      if (i < b0 || i >= b1) { ASSERT_EQ(pos[i], clean[i]) << "flip " << flip << " element " << i; }
    }
  }
}

TEST(Csr, RoundTripsRandomMatrices) {
  for (std::uint32_t seed = 1; seed <= 10; ++seed) {
    const std::uint64_t rows = 1 + seed * 3, cols = 1 + seed * 17;
    const auto nz = random_mask(rows * cols, 0.1 * seed - 0.05, seed);
    const CsrIndex c = csr_encode(nz, rows, cols);
    const auto rc = pack(c.row_counts, 12), ci = pack(c.rel_columns, 12);
    const auto pos = csr_decode({rc, 12, rows}, {ci, 12, c.rel_columns.size()}, rows, cols);
    EXPECT_EQ(pos, expected_positions(nz)) << "seed " << seed;
  }
}

TEST(Csr, RowCounterFaultShiftsLaterRowsColumnIndexFaultStaysInItsRow) {
  const std::uint64_t rows = 20, cols = 50;
  const auto nz = random_mask(rows * cols, 0.3, 2);
  CsrIndex c = csr_encode(nz, rows, cols);
  const auto clean = expected_positions(nz);
  // Row counter of row 3 plus one: rows 4.. read values and column indices one entry late, so
  // every later row is mis-assigned (001 §4.2); rows 0..2 are intact.
  auto rcs = c.row_counts;
  rcs[3] += 1;
  const auto ci = pack(c.rel_columns, 12);
  auto pos = csr_decode({pack(rcs, 12), 12, rows}, {ci, 12, c.rel_columns.size()}, rows, cols);
  for (std::uint64_t i = 0; i < 3 * cols; ++i) ASSERT_EQ(pos[i], clean[i]);
  for (std::uint64_t r = 4; r < rows; ++r) {
    bool differs = false;
    for (std::uint64_t i = r * cols; i < (r + 1) * cols; ++i) differs |= nz[i] && pos[i] != clean[i];
    EXPECT_TRUE(differs) << "row " << r;
  }
  // A relative column index of row 5 plus one: only row 5's positions change.
  std::uint64_t first5 = 0;
  for (std::uint64_t r = 0; r < 5; ++r) first5 += c.row_counts[r];
  auto rel = c.rel_columns;
  rel[first5] += 1;
  pos = csr_decode({pack(c.row_counts, 12), 12, rows}, {pack(rel, 12), 12, rel.size()}, rows, cols);
  for (std::uint64_t i = 0; i < rows * cols; ++i) {
    if (i / cols != 5) { ASSERT_EQ(pos[i], clean[i]); }
  }
}

}  // namespace
}  // namespace memlapse
