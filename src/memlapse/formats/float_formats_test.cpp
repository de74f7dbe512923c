// FP16 / BF16 bit exactness and EDEN's correction of implausible values (000 §3.2, §5).
#include "memlapse/formats/float_formats.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <random>

namespace memlapse {
namespace {

// Slow reference: the nearest FP16 by binary search over the ordered positive patterns, ties to
// the even pattern; 0x7C00 (inf) stands for 65536, the next value after 65504 at the same spacing.
std::uint16_t reference_fp16(float f) {
  const double a = std::fabs(static_cast<double>(f));
  auto value = [](std::uint32_t h) { return h == 0x7C00u ? 65536.0 : static_cast<double>(fp16_to_float(static_cast<std::uint16_t>(h))); };
  std::uint32_t lo = 0, hi = 0x7C00u;
  if (a >= 65536.0) return static_cast<std::uint16_t>((std::signbit(f) ? 0x8000u : 0u) | 0x7C00u);
  while (hi - lo > 1) {
    const std::uint32_t mid = (lo + hi) / 2;
    (value(mid) <= a ? lo : hi) = mid;
  }
  const double dl = a - value(lo), dh = value(hi) - a;
  const std::uint32_t pick = dl < dh ? lo : (dh < dl ? hi : ((lo & 1u) ? hi : lo));
  return static_cast<std::uint16_t>((std::signbit(f) ? 0x8000u : 0u) | pick);
}

std::uint16_t reference_bf16(float f) {
  const auto x = std::bit_cast<std::uint32_t>(f);
  const std::uint32_t down = x & 0xFFFF0000u, up = down + 0x10000u;
  const double a = std::fabs(static_cast<double>(f));
  const double vd = std::fabs(static_cast<double>(std::bit_cast<float>(down)));
  const double vu = (up & 0x7FFFFFFFu) == 0x7F800000u ? std::ldexp(1.0, 128) : std::fabs(static_cast<double>(std::bit_cast<float>(up)));
  const double dd = a - vd, du = vu - a;
  const std::uint32_t pick = dd < du ? down : (du < dd ? up : (((down >> 16) & 1u) ? up : down));
  return static_cast<std::uint16_t>(pick >> 16);
}

TEST(Fp16, EveryPatternRoundTripsBitExactly) {
  for (std::uint32_t h = 0; h < 65536; ++h) {
    const float x = fp16_to_float(static_cast<std::uint16_t>(h));
    ASSERT_EQ(float_to_fp16(x), h) << std::hex << h;
  }
  EXPECT_EQ(fp16_to_float(0x3C00), 1.0f);
  EXPECT_EQ(fp16_to_float(0xC000), -2.0f);
  EXPECT_EQ(fp16_to_float(0x0001), std::ldexp(1.0f, -24));
  EXPECT_EQ(fp16_to_float(0x7BFF), 65504.0f);
}

TEST(Bf16, EveryPatternRoundTripsBitExactly) {
  for (std::uint32_t b = 0; b < 65536; ++b) {
    const float x = bf16_to_float(static_cast<std::uint16_t>(b));
    ASSERT_EQ(float_to_bf16(x), b) << std::hex << b;
  }
}

TEST(Fp16, RoundsToNearestEvenLikeSlowReference) {
  std::mt19937 gen(11);
  for (int i = 0; i < 200000; ++i) {
    float f = std::bit_cast<float>(static_cast<std::uint32_t>(gen()));
    if (i % 2) f = std::ldexp(static_cast<float>(gen() % 4096) + 0.5f, static_cast<int>(gen() % 40) - 34);  // ties
    if (std::isnan(f)) continue;
    ASSERT_EQ(float_to_fp16(f), reference_fp16(f)) << f;
  }
  EXPECT_EQ(float_to_fp16(65520.0f), 0x7C00);  // the overflow threshold ties to inf (even)
  EXPECT_EQ(float_to_fp16(65519.99f), 0x7BFF);
  EXPECT_EQ(float_to_fp16(std::ldexp(1.0f, -25)), 0x0000);  // half the smallest subnormal: tie to 0
}

TEST(Bf16, RoundsToNearestEvenLikeSlowReference) {
  std::mt19937 gen(12);
  for (int i = 0; i < 200000; ++i) {
    std::uint32_t u = static_cast<std::uint32_t>(gen());
    if (i % 2) u = (u & 0xFFFF0000u) | 0x8000u;  // ties
    const float f = std::bit_cast<float>(u);
    if (std::isnan(f)) continue;
    ASSERT_EQ(float_to_bf16(f), reference_bf16(f)) << std::hex << u;
  }
}

TEST(FloatCorrection, FaultFreeValuesAreNeverCorrected) {
  std::mt19937 gen(3);
  std::normal_distribution<float> nd(0.0f, 0.3f);
  std::vector<float> v(5000);
  for (auto& x : v) x = nd(gen);
  for (FloatKind k : {FloatKind::kFp32, FloatKind::kFp16, FloatKind::kBf16}) {
    for (BoundCheck c : {BoundCheck::kValue, BoundCheck::kExponent}) {
      const FloatFormat f(k, Correction::kZero, c), raw(k, Correction::kNone, c);
      std::vector<std::uint8_t> b(v.size() * static_cast<std::size_t>(f.value_bytes()));
      const TensorParams p = f.encode(v, b);
      for (std::size_t i = 0; i < v.size(); ++i) {
        const auto* at = &b[i * static_cast<std::size_t>(f.value_bytes())];
        ASSERT_FALSE(f.implausible(at, p));
        ASSERT_EQ(f.decode_one(at, p), raw.decode_one(at, p));
      }
    }
  }
}

TEST(FloatCorrection, ExponentBitErrorIsZeroedOrSaturated) {
  const std::vector<float> v = {0.5f, -0.75f, 0.125f};
  for (FloatKind k : {FloatKind::kFp32, FloatKind::kFp16, FloatKind::kBf16}) {
    const int top_exp_bit = k == FloatKind::kFp32 ? 30 : 14;  // the exponent MSB
    for (BoundCheck c : {BoundCheck::kValue, BoundCheck::kExponent}) {
      const FloatFormat zero(k, Correction::kZero, c), sat(k, Correction::kSaturate, c), none(k, Correction::kNone, c);
      std::vector<std::uint8_t> b(v.size() * static_cast<std::size_t>(zero.value_bytes()));
      const TensorParams p = zero.encode(v, b);
      b[static_cast<std::size_t>(top_exp_bit / 8)] ^= static_cast<std::uint8_t>(1u << (top_exp_bit % 8));
      EXPECT_GT(std::fabs(none.decode_one(b.data(), p)), 1e4f) << "0.5 with its exponent MSB flipped is huge";
      EXPECT_EQ(zero.decode_one(b.data(), p), 0.0f);
      EXPECT_EQ(sat.decode_one(b.data(), p), 0.5f) << "saturates to the fault-free maximum";
    }
  }
  EXPECT_EQ(FloatFormat(FloatKind::kFp16, Correction::kSaturate, BoundCheck::kExponent).name(), "fp16-sat-exp");
}

}  // namespace
}  // namespace memlapse
