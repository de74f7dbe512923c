#include "memlapse/formats/float32.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <random>

namespace memlapse {
namespace {

TEST(Float32, StoresIeeeBitsLittleEndian) {
  const Float32Format f;
  EXPECT_EQ(f.value_bits(), 32);
  EXPECT_EQ(f.value_bytes(), 4);
  const std::vector<float> v = {1.0f, -2.0f, 0.0f, 0.15625f};
  std::vector<std::uint8_t> b(16);
  f.encode(v, b);
  const std::vector<std::uint8_t> expected = {0x00, 0x00, 0x80, 0x3F,   // 1.0  = 0x3F800000
                                              0x00, 0x00, 0x00, 0xC0,   // -2.0 = 0xC0000000
                                              0x00, 0x00, 0x00, 0x00,   // 0.0
                                              0x00, 0x00, 0x20, 0x3E};  // 0.15625 = 0x3E200000
  EXPECT_EQ(b, expected);
}

TEST(Float32, Bit31IsTheSignAndBit23TheExponentLsb) {
  const Float32Format f;
  std::vector<std::uint8_t> b(4);
  const float x = 3.25f;
  f.encode(std::span<const float>(&x, 1), b);
  b[3] ^= 0x80;  // bit 31
  EXPECT_EQ(f.decode_one(b.data(), {}), -3.25f);
  b[3] ^= 0x80;
  b[2] ^= 0x80;  // bit 23: exponent LSB; 3.25 = 1.625 * 2^1 has biased exponent 128, now 129
  EXPECT_EQ(f.decode_one(b.data(), {}), 6.5f);
}

TEST(Float32, EveryBitPatternRoundTripsBitExactly) {
  const Float32Format f;
  std::mt19937 gen(5);
  std::vector<std::uint8_t> b(4), back(4);
  for (int i = 0; i < 100000; ++i) {
    const std::uint32_t u = i < 4 ? std::vector<std::uint32_t>{0x7FC00001u, 0xFF800000u, 0x00000001u, 0x80000000u}[i]
                                  : static_cast<std::uint32_t>(gen());
    for (int k = 0; k < 4; ++k) b[static_cast<std::size_t>(k)] = static_cast<std::uint8_t>(u >> (8 * k));
    const float x = f.decode_one(b.data(), {});
    ASSERT_EQ(std::bit_cast<std::uint32_t>(x), u);  // NaN payloads included
    f.encode(std::span<const float>(&x, 1), back);
    ASSERT_EQ(back, b);
  }
}

TEST(Float32, BulkDecodeEqualsDecodeOne) {
  const Float32Format f;
  std::vector<float> v(257);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = std::cos(static_cast<float>(i)) * 1e3f;
  std::vector<std::uint8_t> b(v.size() * 4);
  f.encode(v, b);
  std::vector<float> out(v.size());
  f.decode(b, {}, out);
  for (std::size_t i = 0; i < v.size(); ++i) {
    EXPECT_EQ(out[i], v[i]);
    EXPECT_EQ(out[i], f.decode_one(&b[4 * i], {}));
  }
}

}  // namespace
}  // namespace memlapse
