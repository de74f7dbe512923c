#include "memlapse/faults/uniform_ext.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "memlapse/core/error.h"
#include "memlapse/faults/model_test_util.h"
#include "memlapse/faults/test_util.h"
#include "memlapse/faults/uniform.h"
#include "memlapse/faults/operating_points.h"
#include "memlapse/faults/layout.h"

namespace memlapse {
namespace {

using testing::binomial_accepts;

TEST(UniformExtended, PlainBerIsTheFoundationModelBitForBit) {
  const MemoryImage img = testing::make_test_image(8, {3000, 500});
  EXPECT_EQ(make_fault_model("uniform", {{"ber", "0.01"}})->sample(img, 4, 2), UniformBitErrors(0.01).sample(img, 4, 2));
}

TEST(UniformExtended, DirectionalRatesHitOnlyTheirStoredValue) {
  const MemoryImage img = testing::make_test_image(8, {40000});
  const std::uint64_t zeros = testing::count_stored(img, false), ones = testing::count_stored(img, true);
  for (std::uint64_t chip = 0; chip < 4; ++chip) {
    const auto m = make_fault_model("uniform", {{"ber", "0"}, {"ber_01", "0.01"}, {"ber_10", "0.002"}});
    std::uint64_t n01 = 0, n10 = 0;
    for (const BitFault& f : m->sample(img, 3, chip)) {
      ASSERT_EQ(f.kind, BitFault::kFlip);
      (img.get_bit(f.tensor, f.element, f.bit) ? n10 : n01)++;
    }
    EXPECT_TRUE(binomial_accepts(n01, zeros, 0.01)) << n01;
    EXPECT_TRUE(binomial_accepts(n10, ones, 0.002)) << n10;
  }
}

TEST(UniformExtended, StuckAtCellsAndProtectedBits) {
  const MemoryImage img = testing::make_test_image(8, {40000});
  const auto m = make_fault_model("uniform", {{"ber", "0.01"}, {"stuck_at_0", "0.003"}, {"stuck_at_1", "0.001"},
                                              {"protected_bits", "7,6"}});
  const FaultList f = m->sample(img, 9, 1);
  std::uint64_t s0 = 0, s1 = 0, flips = 0;
  for (const BitFault& b : f) {
    ASSERT_LT(b.bit, 6);
    s0 += b.kind == BitFault::kStuckAt0;
    s1 += b.kind == BitFault::kStuckAt1;
    flips += b.kind == BitFault::kFlip;
  }
  const std::uint64_t unprotected = 40000ULL * 6;
  EXPECT_TRUE(binomial_accepts(s0, unprotected, 0.003)) << s0;
  // Stuck-at-0 takes precedence at a shared bit: stuck-at-1 rate is 0.001 * (1 - 0.003).
  EXPECT_TRUE(binomial_accepts(s1, unprotected, 0.001 * 0.997)) << s1;
  EXPECT_TRUE(binomial_accepts(flips, unprotected, 0.01 * (1 - 0.003) * (1 - 0.001 * 0.997), 1e-4)) << flips;
  auto key = [](const BitFault& a, const BitFault& b) {
    return std::tie(a.tensor, a.element, a.bit) < std::tie(b.tensor, b.element, b.bit);
  };
  EXPECT_TRUE(std::is_sorted(f.begin(), f.end(), key));
}

TEST(UniformExtended, NestedInEachDirectionalRate) {
  const MemoryImage img = testing::make_test_image(8, {20000});
  FaultList prev;
  auto key = [](const BitFault& a, const BitFault& b) {
    return std::tie(a.tensor, a.element, a.bit) < std::tie(b.tensor, b.element, b.bit);
  };
  for (double r : {1e-4, 1e-3, 1e-2, 0.1}) {
    const auto m = make_fault_model("uniform", {{"ber", "0"}, {"ber_01", format_double(r)}, {"ber_10", format_double(r / 3)}});
    const FaultList cur = m->sample(img, 5, 0);
    EXPECT_TRUE(std::includes(cur.begin(), cur.end(), prev.begin(), prev.end(), key)) << r;
    prev = cur;
  }
}

TEST(UniformExtended, BadValuesNameTheKey) {
  auto msg = [](std::map<std::string, std::string> p) {
    try {
      make_fault_model("uniform", p);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(msg({{"ber", "0"}, {"ber_01", "2"}}).find("ber_01"), std::string::npos);
  EXPECT_NE(msg({{"ber", "0"}, {"protected_bits", "x"}}).find("protected_bits"), std::string::npos);
  EXPECT_NE(msg({{"ber", "0"}, {"stuck_at_1", "-0.5"}}).find("stuck_at_1"), std::string::npos);
}

TEST(SramLowVoltage, RateFromVoltageAndNestedAcrossVoltages) {
  const MemoryImage img = testing::make_test_image(8, {50000});
  auto key = [](const BitFault& a, const BitFault& b) {
    return std::tie(a.tensor, a.element, a.bit) < std::tie(b.tensor, b.element, b.bit);
  };
  FaultList prev;
  for (double v : {1.0, 0.95, 0.90, 0.86, 0.84, 0.82}) {
    const auto m = make_fault_model("sram", {{"voltage", format_double(v)}});
    const FaultList f = m->sample(img, 2, 3);
    EXPECT_TRUE(binomial_accepts(f.size(), PartitionView(img).total_value_bits(), sram_ber(v))) << v;
    EXPECT_TRUE(std::includes(f.begin(), f.end(), prev.begin(), prev.end(), key)) << v;
    EXPECT_EQ(m->params().at("ber"), format_double(sram_ber(v)));
    prev = f;
  }
  EXPECT_THROW(make_fault_model("sram", {{"voltage", "0.5"}}), Error);
}

}  // namespace
}  // namespace memlapse
