#include "memlapse/formats/fixed_point.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "memlapse/core/error.h"

namespace memlapse {
namespace {

// Slow exact reference for 004 Eq. 1: |w| * k and c * q_max are exact in long double (at most
// 24 + 16 significant bits), so floor and the half comparison are decided without rounding.
std::int32_t reference_code(float w, float q_max, int m, bool round) {
  const long long k = (1LL << (m - 1)) - 1;
  if (q_max == 0.0f) q_max = static_cast<float>(k);  // all-zero tensor: Delta = 1
  const long double a = std::fabs(static_cast<long double>(w)) * static_cast<long double>(k);
  const long double b = q_max;
  long long c = static_cast<long long>(a / b);
  while (c > 0 && static_cast<long double>(c) * b > a) --c;
  while (static_cast<long double>(c + 1) * b <= a) ++c;
  if (round && 2.0L * a >= static_cast<long double>(2 * c + 1) * b) ++c;
  if (c > k) c = k;
  return static_cast<std::int32_t>(w < 0 ? -c : c);
}

std::vector<std::uint8_t> encode(const FixedPointFormat& f, const std::vector<float>& v, TensorParams* p = nullptr) {
  std::vector<std::uint8_t> bytes(v.size() * static_cast<std::size_t>(f.value_bytes()));
  const TensorParams tp = f.encode(v, bytes);
  if (p != nullptr) *p = tp;
  return bytes;
}

class FixedPointBits : public ::testing::TestWithParam<int> {};

TEST_P(FixedPointBits, EveryCodeRoundTripsWithExactLittleEndianLayout) {
  const int m = GetParam();
  const FixedPointFormat f(m, true);
  const int w = f.value_bytes();
  ASSERT_EQ(w, (m + 7) / 8);
  const std::int32_t k = f.max_code();
  ASSERT_EQ(k, (1 << (m - 1)) - 1);
  const double delta = 0.0123;
  TensorParams p;
  p.scale = delta;
  std::vector<float> decoded;
  for (std::int32_t c = -(1 << (m - 1)); c <= k; ++c) {
    std::uint8_t b[2] = {0xAB, 0xCD};
    f.store_code(c, b);
    const auto pattern = static_cast<std::uint32_t>(c) & ((1u << m) - 1u);
    EXPECT_EQ(b[0], pattern & 0xFFu) << "m=" << m << " code=" << c;
    if (w == 2) {
      EXPECT_EQ(b[1], pattern >> 8) << "m=" << m << " code=" << c;
    }
    EXPECT_EQ(pattern >> m, 0u);
    EXPECT_EQ(f.load_code(b), c) << "m=" << m;  // total: -2^(m-1) decodes too
    EXPECT_EQ(f.decode_one(b, p), static_cast<float>(delta * c));
    if (c >= -k) decoded.push_back(f.decode_one(b, p));
  }
  // encode(decode(code)) == code for every code encode can produce.
  const auto bytes = encode(f, decoded);
  for (std::size_t i = 0; i < decoded.size(); ++i) {
    ASSERT_EQ(f.load_code(&bytes[i * static_cast<std::size_t>(w)]), static_cast<std::int32_t>(i) - k)
        << "m=" << m << " i=" << i;
  }
}

TEST_P(FixedPointBits, RoundingIsHalfAwayFromZeroLikeExactReference) {
  const int m = GetParam();
  for (bool round : {true, false}) {
    const FixedPointFormat f(m, round);
    std::mt19937_64 gen(1000u + static_cast<unsigned>(m));
    for (int trial = 0; trial < 40; ++trial) {
      std::vector<float> v(2000);
      const float scale = std::ldexp(1.0f, static_cast<int>(gen() % 40) - 20);
      std::normal_distribution<float> normal(0.0f, scale);
      for (auto& x : v) x = normal(gen);
      if (trial % 4 == 1) {  // exact halves: q_max = k makes Delta = 1
        const int k = f.max_code();
        for (auto& x : v) x = static_cast<float>(static_cast<int>(gen() % static_cast<unsigned>(2 * k)) - k) + 0.5f;
        v[0] = static_cast<float>(k);
      }
      if (trial % 4 == 2) v[3] = -v[3] * 1e6f;  // a dominating negative q_max
      TensorParams p;
      const auto bytes = encode(f, v, &p);
      float q_max = 0.0f;
      for (float x : v) q_max = std::max(q_max, std::fabs(x));
      EXPECT_DOUBLE_EQ(p.scale, static_cast<double>(q_max) / f.max_code());
      for (std::size_t i = 0; i < v.size(); ++i) {
        const auto off = i * static_cast<std::size_t>(f.value_bytes());
        ASSERT_EQ(f.load_code(&bytes[off]), reference_code(v[i], q_max, m, round))
            << "m=" << m << " round=" << round << " w=" << v[i] << " q_max=" << q_max;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllWidths, FixedPointBits, ::testing::Range(2, 17));

TEST(FixedPoint, HalvesRoundAwayFromZero) {
  const FixedPointFormat f(8, true);  // q_max = 127 -> Delta = 1
  const auto b = encode(f, {127.0f, 2.5f, -2.5f, 0.5f, -0.5f, 2.4999998f, -126.5f});
  EXPECT_EQ(f.load_code(&b[1]), 3);
  EXPECT_EQ(f.load_code(&b[2]), -3);
  EXPECT_EQ(f.load_code(&b[3]), 1);
  EXPECT_EQ(f.load_code(&b[4]), -1);
  EXPECT_EQ(f.load_code(&b[5]), 2);
  EXPECT_EQ(f.load_code(&b[6]), -127);
}

TEST(FixedPoint, TruncationGoesTowardZero) {
  const FixedPointFormat f(8, false);
  EXPECT_EQ(f.name(), "fixed8-trunc");
  const auto b = encode(f, {127.0f, 2.99f, -2.99f, 0.7f, -0.7f, -127.0f});
  EXPECT_EQ(f.load_code(&b[0]), 127);
  EXPECT_EQ(f.load_code(&b[1]), 2);
  EXPECT_EQ(f.load_code(&b[2]), -2);
  EXPECT_EQ(f.load_code(&b[3]), 0);
  EXPECT_EQ(f.load_code(&b[4]), 0);
  EXPECT_EQ(f.load_code(&b[5]), -127);
}

TEST(FixedPoint, SignBitFlipChangesValueByAboutQmax) {
  // 004 §4.1: flipping the MSB (sign bit) costs about q_max, flipping the LSB costs Delta.
  for (int m : {4, 8, 12, 16}) {
    const FixedPointFormat f(m, true);
    std::vector<float> v = {0.31f, -0.05f, 0.0f, -0.9f, 0.6f};
    TensorParams p;
    auto bytes = encode(f, v, &p);
    const auto w = static_cast<std::size_t>(f.value_bytes());
    const double q_max = 0.9;
    for (std::size_t i = 0; i < v.size(); ++i) {
      std::uint8_t* b = &bytes[i * w];
      const float before = f.decode_one(b, p);
      b[(m - 1) / 8] ^= static_cast<std::uint8_t>(1u << ((m - 1) % 8));
      const float after = f.decode_one(b, p);
      const double change = std::fabs(static_cast<double>(after) - before);
      EXPECT_NEAR(change, std::ldexp(p.scale, m - 1), 1e-6) << "m=" << m;  // 2^(m-1) * Delta
      EXPECT_NEAR(change, q_max, q_max / f.max_code() + 1e-6) << "m=" << m;
      EXPECT_EQ(after < 0, before >= 0) << "sign bit flips the sign (code 0 -> -2^(m-1))";
      b[0] ^= 1u;
      EXPECT_NEAR(std::fabs(f.decode_one(b, p) - after), p.scale, 1e-6) << "LSB flip costs Delta";
    }
  }
}

TEST(FixedPoint, AllZeroTensorUsesUnitScale) {
  const FixedPointFormat f(8, true);
  TensorParams p;
  const auto b = encode(f, {0.0f, -0.0f, 0.0f}, &p);
  EXPECT_EQ(p.scale, 1.0);
  for (auto x : b) EXPECT_EQ(x, 0);
}

TEST(FixedPoint, NonFiniteInputsDoNotSetTheRange) {
  const FixedPointFormat f(8, true);
  TensorParams p;
  const auto b = encode(f, {1.0f, NAN, INFINITY, -INFINITY, -0.5f}, &p);
  EXPECT_DOUBLE_EQ(p.scale, 1.0 / 127);
  EXPECT_EQ(f.load_code(&b[1]), 0);
  EXPECT_EQ(f.load_code(&b[2]), 127);
  EXPECT_EQ(f.load_code(&b[3]), -127);
  EXPECT_EQ(f.load_code(&b[4]), -64);
}

TEST(FixedPoint, WidthOutOfRangeIsAnErrorNamingTheValue) {
  for (int m : {1, 17, 0, -3}) {
    try {
      FixedPointFormat f(m, true);
      FAIL() << "accepted m=" << m;
    } catch (const Error& e) {
      const std::string msg = e.what();
      EXPECT_NE(msg.find(std::to_string(m)), std::string::npos) << msg;
      EXPECT_NE(msg.find("2..16"), std::string::npos) << msg;
    }
  }
}

TEST(FixedPoint, BulkDecodeEqualsDecodeOne) {
  const FixedPointFormat f(11, true);
  std::vector<float> v(300);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = std::sin(static_cast<float>(i));
  TensorParams p;
  const auto bytes = encode(f, v, &p);
  std::vector<float> out(v.size());
  f.decode(bytes, p, out);
  for (std::size_t i = 0; i < v.size(); ++i) {
    EXPECT_EQ(out[i], f.decode_one(&bytes[2 * i], p));
    EXPECT_NEAR(out[i], v[i], p.scale / 2 + 1e-7);  // rounding error at most Delta/2
  }
}

}  // namespace
}  // namespace memlapse
