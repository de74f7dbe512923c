// The fixed-point variants of 004 §4.1 / App. D / App. G.2: asymmetric ranges, unsigned codes,
// global and per-channel ranges, clipping.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "memlapse/core/error.h"
#include "memlapse/formats/fixed_point.h"

namespace memlapse {
namespace {

FixedPointSpec spec(int m, bool symmetric, bool is_signed, bool round) {
  FixedPointSpec s;
  s.bits = m;
  s.symmetric = symmetric;
  s.is_signed = is_signed;
  s.round = round;
  return s;
}

std::vector<std::uint8_t> encode(const Format& f, const std::vector<float>& v, TensorParams* p = nullptr,
                                 std::vector<std::int64_t> shape = {}) {
  std::vector<std::uint8_t> bytes(v.size() * static_cast<std::size_t>(f.value_bytes()));
  const TensorParams tp = f.encode_shaped(v, shape, bytes);
  if (p != nullptr) *p = tp;
  return bytes;
}

// Slow exact reference for 004 Eq. 3 + Eq. 1: x = (2w - q_max - q_min) k / (q_max - q_min) decided
// with exact long-double products (every operand has at most 24 + 16 significant bits).
std::int32_t reference_asym_code(float w, float q_min, float q_max, int m, bool round) {
  const long long k = (1LL << (m - 1)) - 1;
  const long double num = (2.0L * w - q_max - q_min) * static_cast<long double>(k);
  const long double den = static_cast<long double>(q_max) - q_min;
  const long double a = std::fabs(num);
  long long c = static_cast<long long>(a / den);
  while (c > 0 && static_cast<long double>(c) * den > a) --c;
  while (static_cast<long double>(c + 1) * den <= a) ++c;
  if (round && 2.0L * a >= static_cast<long double>(2 * c + 1) * den) ++c;
  if (c > k) c = k;
  return static_cast<std::int32_t>(num < 0 ? -c : c);
}

class FixedVariants : public ::testing::TestWithParam<std::tuple<int, bool, bool>> {};

TEST_P(FixedVariants, EveryPatternDecodesAndEveryCodeRoundTrips) {
  const auto [m, symmetric, is_signed] = GetParam();
  const FixedPointFormat f(spec(m, symmetric, is_signed, true));
  const std::int32_t k = f.max_code();
  const std::uint32_t n = 1u << m;
  // Every stored pattern decodes to offset + scale * c with c its code (total).
  TensorParams p;
  p.scale = 0.25;
  p.offset = symmetric ? 0.0 : 3.0;
  for (std::uint32_t pat = 0; pat < n; ++pat) {
    const std::uint8_t b[2] = {static_cast<std::uint8_t>(pat), static_cast<std::uint8_t>(pat >> 8)};
    const std::int32_t c = f.load_code(b);
    const std::int32_t expect = is_signed ? (pat >= n / 2 ? static_cast<std::int32_t>(pat) - static_cast<std::int32_t>(n)
                                                          : static_cast<std::int32_t>(pat))
                                          : static_cast<std::int32_t>(pat) - k;
    ASSERT_EQ(c, expect) << "m=" << m << " pattern=" << pat;
    std::uint8_t back[2] = {0, 0};
    f.store_code(c, back);
    ASSERT_EQ(back[0] | (back[1] << 8), static_cast<int>(pat)) << "m=" << m;
    ASSERT_EQ(f.decode_one(b, p), static_cast<float>(p.offset + p.scale * c));
  }
  // encode(decode(c)) == c for every code encode produces: the tensor holding every level
  // reproduces its own range, so each value is exactly its level.
  std::vector<float> levels;
  for (std::int32_t c = -k; c <= k; ++c) levels.push_back(static_cast<float>((symmetric ? 0.0 : 3.0) + 0.0625 * c));
  TensorParams q;
  const auto bytes = encode(f, levels, &q);
  EXPECT_DOUBLE_EQ(q.scale, 0.0625);
  EXPECT_DOUBLE_EQ(q.offset, symmetric ? 0.0 : 3.0);
  const auto w = static_cast<std::size_t>(f.value_bytes());
  for (std::size_t i = 0; i < levels.size(); ++i) {
    ASSERT_EQ(f.load_code(&bytes[i * w]), static_cast<std::int32_t>(i) - k) << "m=" << m;
    ASSERT_EQ(f.decode_one(&bytes[i * w], q), levels[i]);
    if (!is_signed) {
      ASSERT_EQ(bytes[i * w] | (w == 2 ? bytes[i * w + 1] << 8 : 0), static_cast<int>(i)) << "offset code";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllWidthsAndRepresentations, FixedVariants,
                         ::testing::Combine(::testing::Range(2, 17), ::testing::Bool(), ::testing::Bool()));

TEST(FixedAsymmetric, RoundingAndTruncationMatchExactReference) {
  std::mt19937_64 gen(42);
  for (int m : {2, 3, 4, 5, 8, 11, 16}) {
    for (bool round : {true, false}) {
      for (bool is_signed : {true, false}) {
        const FixedPointFormat f(spec(m, false, is_signed, round));
        for (int trial = 0; trial < 10; ++trial) {
          std::vector<float> v(1000);
          std::normal_distribution<float> normal(trial % 2 ? 0.5f : -0.01f, 0.1f);
          for (auto& x : v) x = normal(gen);
          if (trial % 3 == 0) {
            for (auto& x : v) x = std::fabs(x) + 0.2f;  // q_min > 0 (004 App. G.2)
          }
          TensorParams p;
          const auto bytes = encode(f, v, &p);
          const float lo = *std::min_element(v.begin(), v.end()), hi = *std::max_element(v.begin(), v.end());
          const auto w = static_cast<std::size_t>(f.value_bytes());
          for (std::size_t i = 0; i < v.size(); ++i) {
            ASSERT_EQ(f.load_code(&bytes[i * w]), reference_asym_code(v[i], lo, hi, m, round))
                << "m=" << m << " round=" << round << " w=" << v[i];
          }
          EXPECT_FLOAT_EQ(f.decode_one(&bytes[0], p) + 0.0f, f.decode_at(&bytes[0], 0, p));
          // The range ends are represented exactly (codes -k and k).
          const auto lo_i = static_cast<std::size_t>(std::min_element(v.begin(), v.end()) - v.begin());
          EXPECT_NEAR(f.decode_one(&bytes[lo_i * w], p), lo, 1e-6);
        }
      }
    }
  }
}

// 004 App. G.2: with q_min > 0 and signed codes, a 0->1 flip of the top bit lowers the weight
// (the integer becomes negative although no weight is); with unsigned codes it raises it like
// every other 0->1 flip.
TEST(FixedAsymmetric, TopBitFlipLowersSignedButRaisesUnsignedWeights) {
  for (int m : {4, 8}) {
    std::vector<float> v;
    for (int i = 0; i < 200; ++i) v.push_back(0.1f + 0.004f * static_cast<float>(i));  // all positive
    for (bool is_signed : {true, false}) {
      const FixedPointFormat f(spec(m, false, is_signed, false));
      TensorParams p;
      auto bytes = encode(f, v, &p);
      const auto w = static_cast<std::size_t>(f.value_bytes());
      int top_down = 0, top_up = 0;
      for (std::size_t i = 0; i < v.size(); ++i) {
        std::uint8_t* b = &bytes[i * w];
        for (int bit = 0; bit < m; ++bit) {
          const auto mask = static_cast<std::uint8_t>(1u << (bit % 8));
          if (b[bit / 8] & mask) continue;  // 0 -> 1 flips only
          const float before = f.decode_one(b, p);
          b[bit / 8] ^= mask;
          const float after = f.decode_one(b, p);
          b[bit / 8] ^= mask;
          const double change = static_cast<double>(after) - before;
          EXPECT_NEAR(std::fabs(change), std::ldexp(p.scale, bit), 1e-6);
          if (bit == m - 1) {
            (change < 0 ? top_down : top_up)++;
          } else {
            EXPECT_GT(change, 0) << "a 0->1 flip below the top bit raises the value";
          }
        }
      }
      if (is_signed) {
        EXPECT_GT(top_down, 0);
        EXPECT_EQ(top_up, 0) << "signed: the sign bit lowers an all-positive weight";
      } else {
        EXPECT_GT(top_up, 0);
        EXPECT_EQ(top_down, 0) << "unsigned: the top bit raises the weight";
      }
    }
  }
}

TEST(FixedGlobal, NeedsPrepareAndThenUsesOneRangeForAllTensors) {
  FixedPointSpec s = spec(8, true, true, false);
  s.range = RangeGranularity::kGlobal;
  const FixedPointFormat f(s);
  EXPECT_TRUE(f.needs_prepare());
  const std::vector<float> a = {0.5f, -0.25f}, b = {4.0f, -1.0f};
  const std::vector<std::span<const float>> all = {a, b};
  auto g = f.prepared(all);
  EXPECT_FALSE(g->needs_prepare());
  EXPECT_EQ(g->name(), "fixed8-global-trunc");
  TensorParams pa, pb;
  encode(*g, a, &pa);
  encode(*g, b, &pb);
  EXPECT_DOUBLE_EQ(pa.scale, 4.0 / 127);
  EXPECT_DOUBLE_EQ(pb.scale, 4.0 / 127);
  EXPECT_EQ(prepare_format(std::make_shared<FixedPointFormat>(8, true), all)->name(), "fixed8");
}

TEST(FixedChannel, EachOutputChannelHasItsOwnRange) {
  FixedPointSpec s = spec(8, true, true, true);
  s.range = RangeGranularity::kChannel;
  const FixedPointFormat f(s);
  const std::vector<float> v = {1.0f, -0.5f, 0.0f, 10.0f, 2.0f, -5.0f};  // 2 channels x 3
  TensorParams p;
  const auto bytes = encode(f, v, &p, {2, 3});
  ASSERT_EQ(p.channel_elements, 3u);
  EXPECT_DOUBLE_EQ(p.channel_scale[0], 1.0 / 127);
  EXPECT_DOUBLE_EQ(p.channel_scale[1], 10.0 / 127);
  std::vector<float> out(6);
  f.decode(bytes, p, out);
  for (std::size_t i = 0; i < 6; ++i) EXPECT_NEAR(out[i], v[i], 10.0 / 254 + 1e-6);
  EXPECT_FLOAT_EQ(out[3], 10.0f);
  TensorParams bias;
  encode(f, {1.0f, -3.0f}, &bias, {2});  // rank 1: one range
  EXPECT_EQ(bias.channel_elements, 0u);
}

TEST(FixedClip, ValuesAreClampedBeforeQuantization) {
  FixedPointSpec s = spec(4, true, true, true);
  s.clip = 0.1;
  const FixedPointFormat f(s);
  EXPECT_EQ(f.name(), "fixed4-clip0.1");
  TensorParams p;
  const auto bytes = encode(f, {0.5f, -0.05f, -3.0f}, &p);
  EXPECT_NEAR(p.scale, 0.1 / 7, 1e-9);
  EXPECT_EQ(f.load_code(&bytes[0]), 7);
  EXPECT_EQ(f.load_code(&bytes[2]), -7);
  EXPECT_THROW(FixedPointFormat(spec(0, true, true, true)), Error);
  FixedPointSpec bad = spec(8, true, true, true);
  bad.clip = -1;
  EXPECT_THROW(FixedPointFormat{bad}, Error);
}

TEST(FixedAsymmetric, ConstantTensorDecodesToItsValue) {
  const FixedPointFormat f(spec(8, false, false, true));
  TensorParams p;
  const auto bytes = encode(f, {0.3f, 0.3f}, &p);
  EXPECT_FLOAT_EQ(f.decode_one(&bytes[0], p), 0.3f);
}

}  // namespace
}  // namespace memlapse
