#include "memlapse/formats/bfp.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <random>

namespace memlapse {
namespace {

static_assert(BfpSpec{}.code_bits() == 6 && BfpSpec{}.group_bits() == 58, "002 §V-C layout");
static_assert(BfpSpec{16, 8, 7}.group_bits() == 8 + 16 * 8);

std::vector<float> wide_values(std::size_t n, std::uint32_t seed) {
  std::mt19937 g(seed);
  std::uniform_real_distribution<float> m(-1.0f, 1.0f);
  std::uniform_int_distribution<int> e(-30, 4);
  std::vector<float> v(n);
  for (auto& x : v) x = std::ldexp(m(g), e(g));
  v[n / 2] = 0.0f;
  v[n / 3] = -0.0f;
  v[n / 4] = std::numeric_limits<float>::denorm_min() * 7;
  return v;
}

struct Case { int g, e, f; bool nearest; };

class BfpRounding : public ::testing::TestWithParam<Case> {};

TEST_P(BfpRounding, FastEncoderMatchesIntegerOnlyReference) {
  const Case c = GetParam();
  const BfpSpec spec{c.g, c.e, c.f, c.nearest};
  for (std::uint32_t seed = 1; seed <= 8; ++seed) {
    const auto v = wide_values(997, seed);
    const int top = bfp_tensor_exponent(v);
    for (std::size_t lo = 0; lo < v.size(); lo += static_cast<std::size_t>(c.g)) {
      const auto grp = std::span<const float>(v).subspan(lo, std::min<std::size_t>(static_cast<std::size_t>(c.g), v.size() - lo));
      const BfpGroupCode a = bfp_encode_group(spec, top, grp), b = bfp_encode_group_reference(spec, top, grp);
      ASSERT_EQ(a.exponent_field, b.exponent_field) << "seed " << seed << " group at " << lo;
      ASSERT_EQ(a.codes, b.codes) << "seed " << seed << " group at " << lo;
    }
  }
}

TEST_P(BfpRounding, ErrorIsBelowOneQuantumTruncatedOrHalfRounded) {
  const Case c = GetParam();
  const BfpSpec spec{c.g, c.e, c.f, c.nearest};
  const auto v = wide_values(999, 3);
  const int top = bfp_tensor_exponent(v);
  for (std::size_t lo = 0; lo + static_cast<std::size_t>(c.g) <= v.size(); lo += static_cast<std::size_t>(c.g)) {
    const auto grp = std::span<const float>(v).subspan(lo, static_cast<std::size_t>(c.g));
    const BfpGroupCode gc = bfp_encode_group(spec, top, grp);
    const double q = std::ldexp(1.0, top - ((1 << c.e) - 1) + static_cast<int>(gc.exponent_field) + 1 - c.f);
    const double max_mag = q * ((1 << c.f) - 1);
    for (int i = 0; i < c.g; ++i) {
      const double x = grp[static_cast<std::size_t>(i)];
      const double y = bfp_decode_value(spec, top, gc.exponent_field, gc.codes[static_cast<std::size_t>(i)]);
      if (std::fabs(x) > max_mag) { EXPECT_EQ(std::fabs(y), max_mag); continue; }  // clamped
      if (c.nearest) EXPECT_LE(std::fabs(x - y), q / 2);
      else { EXPECT_LT(std::fabs(x - y), q); EXPECT_LE(std::fabs(y), std::fabs(x)); }  // truncation toward 0
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Specs, BfpRounding,
                         ::testing::Values(Case{9, 4, 5, false}, Case{9, 4, 5, true}, Case{16, 8, 7, false}, Case{1, 2, 3, true},
                                           Case{4, 3, 10, false}));

TEST(Bfp, SharedExponentIsTheLargestInTheGroup) {
  const BfpSpec spec{};
  const std::vector<float> grp = {0.1f, -3.5f, 0.001f, 1.0f, 0, 0, 0, 0, 0};  // max |x| = 3.5 -> E = 1
  const int top = 4;                                                         // base = 4 - 15 = -11
  EXPECT_EQ(bfp_encode_group(spec, top, grp).exponent_field, 1u + 11u);
  const BfpGroupCode gc = bfp_encode_group(spec, top, grp);
  // q = 2^(1 + 1 - 5) = 1/8: -3.5 -> 28 with the sign bit, 0.1 -> trunc(0.8) = 0, 1.0 -> 8.
  EXPECT_EQ(gc.codes[1], 28u | 32u);
  EXPECT_EQ(gc.codes[0], 0u);
  EXPECT_EQ(gc.codes[3], 8u);
}

TEST(Bfp, EveryCodeOfASmallFormatRoundTrips) {
  // Exhaustive (STYLE.md habit 5): every (field, code) of e = 3, f = 4 that decodes to a value whose
  // group exponent is the field's decodes, re-encodes and decodes to itself.
  const BfpSpec spec{1, 3, 4, false};
  const int top = 0;
  for (std::uint32_t field = 0; field < 8; ++field) {
    for (std::uint32_t code = 0; code < 32; ++code) {
      const float x = bfp_decode_value(spec, top, field, code);
      const std::vector<float> one = {x};
      const BfpGroupCode gc = bfp_encode_group(spec, top, one);
      EXPECT_EQ(bfp_decode_value(spec, top, gc.exponent_field, gc.codes[0]), x) << field << " " << code;
    }
  }
}

}  // namespace
}  // namespace memlapse
