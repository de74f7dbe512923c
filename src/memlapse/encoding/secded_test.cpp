// SEC-DED and Gray coding (001 §3.3, §4.3).
#include "memlapse/encoding/secded.h"

#include <gtest/gtest.h>

#include <bit>
#include <random>

#include "memlapse/core/error.h"

namespace memlapse {
namespace {

std::vector<std::uint8_t> random_block(int d, std::mt19937& gen) {
  std::vector<std::uint8_t> b(static_cast<std::size_t>((d + 7) / 8));
  for (auto& x : b) x = static_cast<std::uint8_t>(gen());
  if (d % 8) b.back() = static_cast<std::uint8_t>(b.back() & ((1u << (d % 8)) - 1u));
  return b;
}

void flip(std::vector<std::uint8_t>& data, std::uint64_t& check, int d, int bit) {
  if (bit < d) {
    data[static_cast<std::size_t>(bit) >> 3] ^= static_cast<std::uint8_t>(1u << (bit & 7));
  } else {
    check ^= std::uint64_t{1} << (bit - d);
  }
}

TEST(SecDed, CheckBitCountsMatchTheStandardCodes) {
  EXPECT_EQ(SecDed(64).check_bits(), 8);      // (72,64)
  EXPECT_EQ(SecDed(32).check_bits(), 7);      // (39,32)
  EXPECT_EQ(SecDed(32768).check_bits(), 17);  // 4 KB block: fits 001's 24 parity bits
  EXPECT_THROW(SecDed(0), Error);
}

TEST(SecDed, CorrectsEverySingleFlipAndDetectsEveryDoubleFlip) {
  std::mt19937 gen(7);
  for (int d : {8, 13, 64}) {
    const SecDed code(d);
    const int n = d + code.check_bits();
    for (int trial = 0; trial < 4; ++trial) {
      const auto data = random_block(d, gen);
      const std::uint64_t check = code.encode(data);
      auto clean_d = data;
      auto clean_c = check;
      ASSERT_EQ(code.decode(clean_d, clean_c), SecDedResult::kClean);
      for (int a = 0; a < n; ++a) {
        auto dd = data;
        auto cc = check;
        flip(dd, cc, d, a);
        ASSERT_EQ(code.decode(dd, cc), SecDedResult::kCorrected) << "d=" << d << " bit " << a;
        ASSERT_EQ(dd, data);
        ASSERT_EQ(cc, check);
        for (int b = a + 1; b < n; ++b) {
          auto d2 = data;
          auto c2 = check;
          flip(d2, c2, d, a);
          flip(d2, c2, d, b);
          ASSERT_EQ(code.decode(d2, c2), SecDedResult::kDetected) << "d=" << d << " bits " << a << "," << b;
        }
      }
    }
  }
}

TEST(SecDed, FourKilobyteBlockCorrectsSampledSingleFlips) {
  std::mt19937 gen(9);
  const SecDed code(32768);
  const auto data = random_block(32768, gen);
  const std::uint64_t check = code.encode(data);
  for (int i = 0; i < 300; ++i) {
    const int bit = static_cast<int>(gen() % (32768 + 17));
    auto dd = data;
    auto cc = check;
    flip(dd, cc, 32768, bit);
    ASSERT_EQ(code.decode(dd, cc), SecDedResult::kCorrected);
    ASSERT_EQ(dd, data);
  }
}

TEST(Gray, AdjacentLevelFaultChangesExactlyOneBit) {
  for (int k = 1; k <= 4; ++k) {
    const std::uint32_t levels = 1u << k;
    for (std::uint32_t v = 0; v < levels; ++v) {
      ASSERT_EQ(gray_decode(gray_encode(v)), v);
      ASSERT_LT(gray_encode(v), levels);
      if (v + 1 < levels) {
        ASSERT_EQ(std::popcount(gray_encode(v) ^ gray_encode(v + 1)), 1) << "k=" << k << " level " << v;
      }
    }
  }
  // Without Gray coding the 3 -> 4 step of a 3-bit cell flips three bits.
  EXPECT_EQ(std::popcount(3u ^ 4u), 3);
}

}  // namespace
}  // namespace memlapse
