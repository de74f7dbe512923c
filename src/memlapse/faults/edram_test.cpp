#include "memlapse/faults/edram.h"
#include "memlapse/faults/layout.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "memlapse/core/error.h"
#include "memlapse/faults/model_test_util.h"
#include "memlapse/faults/test_util.h"

namespace memlapse {
namespace {

using testing::binomial_accepts;

TEST(EdramRetention, WorstCaseMatches002Fig18) {
  EXPECT_NEAR(edram_worst_retention_us(100), 3.35, 1e-12);  // 002 §VII-A
  EXPECT_NEAR(edram_worst_retention_us(-30), 30.0, 1e-9);
  EXPECT_GT(edram_worst_retention_us(25), edram_worst_retention_us(85));
  // 99.9% yield: a lifetime equal to the worst-case retention loses 0.1% of the bits.
  for (double t : {-30.0, 0.0, 85.0, 100.0}) {
    EXPECT_NEAR(edram_loss_probability(edram_worst_retention_us(t), t, 0.35), 1e-3, 1e-9) << t;
  }
  EXPECT_THROW(edram_worst_retention_us(120), Error);
}

TEST(EdramRetention, LossGrowsWithLifetimeAndTemperatureAndRefreshCapsIt) {
  double prev = 0;
  for (double l : {1.0, 3.0, 5.0, 10.0, 30.0}) {
    const double p = edram_loss_probability(l, 85, 0.35);
    EXPECT_GT(p, prev);
    prev = p;
  }
  EXPECT_GT(edram_loss_probability(5, 100, 0.35), edram_loss_probability(5, 25, 0.35));
  const auto capped = make_fault_model("edram", {{"lifetime_us", "50"}, {"refresh_us", "3.35"}});
  EXPECT_NEAR(std::stod(capped->params().at("loss_probability")), 1e-3, 1e-9);
}

TEST(EdramRetention, LostBitsCountAndAreNestedInLifetime) {
  const MemoryImage img = testing::make_test_image(8, {60000});
  const std::uint64_t ones = testing::count_stored(img, true);
  auto key = [](const BitFault& a, const BitFault& b) {
    return std::tie(a.tensor, a.element, a.bit) < std::tie(b.tensor, b.element, b.bit);
  };
  FaultList prev;
  for (double l : {2.0, 3.35, 5.0, 8.0}) {
    const auto m = make_fault_model("edram", {{"lifetime_us", format_double(l)}, {"temperature_c", "100"},
                                              {"lost_value", "flip"}});
    const double p = edram_loss_probability(l, 100, 0.35);
    const FaultList f = m->sample(img, 6, 0);
    EXPECT_TRUE(binomial_accepts(f.size(), PartitionView(img).total_value_bits(), p)) << l << " " << f.size();
    EXPECT_TRUE(std::includes(f.begin(), f.end(), prev.begin(), prev.end(), key)) << l;
    EXPECT_EQ(f, m->sample_pass(img, 6, 0, 5));  // retention is a property of the chip
    prev = f;
  }
  // lost_value = zero: the lost set is the same, only stored ones change when applied.
  const auto z = make_fault_model("edram", {{"lifetime_us", "8"}});
  std::uint64_t changed = 0;
  for (const auto& b : z->sample(img, 6, 0)) {
    EXPECT_EQ(b.kind, BitFault::kStuckAt0);
    changed += img.get_bit(b.tensor, b.element, b.bit);
  }
  EXPECT_TRUE(binomial_accepts(changed, ones, edram_loss_probability(8, 100, 0.35)));
}

TEST(EdramNoise, FractionOfWordsReadAsRandom) {
  const MemoryImage img = testing::make_test_image(8, {100000});
  const auto m = make_fault_model("edram", {{"mode", "noise"}, {"noise_fraction", "0.01"}});
  const FaultList f = m->sample(img, 2, 0);
  ASSERT_EQ(f.size() % 8, 0u);
  EXPECT_TRUE(binomial_accepts(f.size() / 8, 100000, 0.01));
  std::uint64_t ones = 0;
  for (const auto& b : f) ones += b.kind == BitFault::kStuckAt1;
  EXPECT_TRUE(binomial_accepts(ones, f.size(), 0.5));
  EXPECT_NE(f, m->sample_pass(img, 2, 0, 1));
}

}  // namespace
}  // namespace memlapse
