#include "memlapse/faults/dram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "memlapse/core/error.h"
#include "memlapse/faults/model_test_util.h"
#include "memlapse/faults/operating_points.h"
#include "memlapse/faults/test_util.h"

namespace memlapse {
namespace {

using testing::binomial_accepts;

bool key_less(const BitFault& a, const BitFault& b) {
  return std::tie(a.tensor, a.element, a.bit) < std::tie(b.tensor, b.element, b.bit);
}

TEST(DramModel0, EachBitFailsWithPTimesF) {
  const MemoryImage img = testing::make_test_image(8, {60000, 20000});
  const auto m = make_fault_model("dram-model0", {{"P", "0.02"}, {"F_A", "0.4"}});
  for (std::uint64_t chip = 0; chip < 3; ++chip) {
    const FaultList f = m->sample(img, 11, chip);
    EXPECT_TRUE(binomial_accepts(f.size(), PartitionView(img).total_value_bits(), 0.008)) << f.size();
    EXPECT_TRUE(std::is_sorted(f.begin(), f.end(), key_less));
  }
}

TEST(DramModel0, WeakCellsPersistAndFailuresAreRedrawnPerPass) {
  const MemoryImage img = testing::make_test_image(8, {30000});
  const auto m = make_fault_model("dram-model0", {{"P", "0.05"}, {"F_A", "0.5"}});
  const FaultList p0 = m->sample(img, 1, 0), p1 = m->sample_pass(img, 1, 0, 1);
  EXPECT_EQ(p0, m->sample_pass(img, 1, 0, 0));
  EXPECT_NE(p0, p1);
  // With F = 1 every weak cell fails on every pass: the weak set itself is the fault list.
  const auto always = make_fault_model("dram-model0", {{"P", "0.05"}, {"F_A", "1"}});
  const FaultList weak = always->sample(img, 1, 0);
  EXPECT_EQ(weak, always->sample_pass(img, 1, 0, 7));
  EXPECT_TRUE(std::includes(weak.begin(), weak.end(), p0.begin(), p0.end(), key_less));
  EXPECT_TRUE(std::includes(weak.begin(), weak.end(), p1.begin(), p1.end(), key_less));
  const auto frozen = make_fault_model("dram-model0", {{"P", "0.05"}, {"F_A", "0.5"}, {"freeze", "true"}});
  EXPECT_EQ(frozen->sample_pass(img, 1, 0, 3), frozen->sample(img, 1, 0));
}

TEST(DramModel0, OperatingPointSetsBerAndIsNestedInVdd) {
  const MemoryImage img = testing::make_test_image(8, {50000});
  FaultList prev;
  for (double dv : {-0.05, -0.10, -0.25, -0.30, -0.35}) {
    const auto m = make_fault_model("dram-model0", {{"vdd_delta", format_double(dv)}});
    const FaultList f = m->sample(img, 3, 1);
    EXPECT_TRUE(binomial_accepts(f.size(), PartitionView(img).total_value_bits(), dram_ber_vdd(dv))) << dv << " " << f.size();
    EXPECT_TRUE(std::includes(f.begin(), f.end(), prev.begin(), prev.end(), key_less)) << dv;
    EXPECT_EQ(m->params().at("ber"), format_double(dram_ber_vdd(dv)));
    prev = f;
  }
}

TEST(DramModel1, ErrorsConcentrateOnFewBitlinesHittingAlignedBits) {
  const MemoryImage img = testing::make_test_image(8, {400000});  // 3.2 Mbit = 400 rows of 8 Kbit
  PhysicalLayout lay;
  auto lines_hit = [&](const FaultList& f) {
    std::set<std::uint64_t> s;
    for (const auto& b : f) s.insert(lay.coord(img.physical_bit(b.tensor, b.element, b.bit)).bitline);
    return s.size();
  };
  const auto m1 = make_fault_model("dram-model1", {{"P_B", "0.01"}, {"F_B", "0.5"}, {"weak_bitlines", "0.05"}});
  const auto m0 = make_fault_model("dram-model0", {{"P", "0.01"}, {"F_A", "0.5"}});
  const FaultList f1 = m1->sample(img, 5, 0), f0 = m0->sample(img, 5, 0);
  // Same mean rate ...
  EXPECT_TRUE(binomial_accepts(f1.size(), PartitionView(img).total_value_bits(), 0.005, 1e-3)) << f1.size();
  // ... but on ~5% of the 65536 bitlines (binomial bound on the chosen count) vs nearly all of
  // the bitlines for model 0 (each of the 65536 lines holds ~49 bits here, 0.5% of them fail).
  EXPECT_LT(lines_hit(f1), 65536 * 0.05 * 1.1);
  EXPECT_GT(lines_hit(f0), 65536 * 0.15);
}

TEST(DramModel1, PerColumnListAppliesToThoseColumnsOnly) {
  const MemoryImage img = testing::make_test_image(8, {100000});
  // Row of 64 bits; only column 7 (the MSB of every aligned 8-bit word) has weak cells.
  std::string p;
  for (int c = 0; c < 64; ++c) p.append(c ? "," : "").append(c == 7 ? "0.5" : "0");
  const auto m = make_fault_model("dram-model1", {{"P_B", p}, {"F_B", "1"}});
  PhysicalLayout rows64;  // the layout is the partition's, not the model's
  rows64.row_bits = 64;
  const FaultList f = m->sample(PartitionView(img, 0, rows64), 1, 0);
  for (const auto& b : f) ASSERT_EQ(b.bit, 7);
  EXPECT_TRUE(binomial_accepts(f.size(), 100000 / 8, 0.5));
}

TEST(DramModel2, ErrorsConcentrateOnFewWordlines) {
  const MemoryImage img = testing::make_test_image(8, {400000});
  PhysicalLayout lay;
  const auto m = make_fault_model("dram-model2", {{"P_W", "0.01"}, {"F_W", "0.5"}, {"weak_wordlines", "0.1"}});
  const FaultList f = m->sample(img, 5, 0);
  std::set<std::uint64_t> rows;
  for (const auto& b : f) rows.insert(lay.coord(img.physical_bit(b.tensor, b.element, b.bit)).wordline);
  EXPECT_TRUE(binomial_accepts(f.size(), PartitionView(img).total_value_bits(), 0.005, 1e-3)) << f.size();
  EXPECT_LE(rows.size(), 80u);  // ~40 of the 400 rows are weak (Binomial(400, 0.1) < 80 w.p. ~1)
  EXPECT_GE(rows.size(), 15u);
}

TEST(DramModel3, FailureRateDependsOnTheStoredBit) {
  const MemoryImage img = testing::make_test_image(8, {80000});
  const std::uint64_t ones = testing::count_stored(img, true), zeros = testing::count_stored(img, false);
  const auto m = make_fault_model("dram-model3", {{"P", "0.02"}, {"F_V1", "0.8"}, {"F_V0", "0.1"}});
  std::uint64_t n1 = 0, n0 = 0;
  for (const auto& b : m->sample(img, 8, 2)) (img.get_bit(b.tensor, b.element, b.bit) ? n1 : n0)++;
  EXPECT_TRUE(binomial_accepts(n1, ones, 0.016)) << n1;
  EXPECT_TRUE(binomial_accepts(n0, zeros, 0.002)) << n0;
  // tRCD scaling favours 0->1 (000 §4 Model 3): defaults swap.
  const auto t = make_fault_model("dram-model3", {{"trcd_delta", "-2"}});
  EXPECT_EQ(t->params().at("F_V0"), "0.75");
  EXPECT_EQ(t->params().at("P"), format_double(0.015 / 0.5));
}

TEST(DramModels, BadParametersNameModelAndKey) {
  auto msg = [](const std::string& n, std::map<std::string, std::string> p) {
    try {
      make_fault_model(n, p);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(msg("dram-model0", {{"P", "1.5"}}).find("dram-model0: parameter 'P' = 1.5"), std::string::npos);
  EXPECT_NE(msg("dram-model1", {{"F_B", "0.5,x"}}).find("F_B"), std::string::npos);
  EXPECT_NE(msg("dram-model2", {{"vdd_delta", "-0.1"}, {"trcd_delta", "-1"}}).find("not both"), std::string::npos);
  EXPECT_NE(msg("dram-model0", {{"vdd_delta", "-0.35"}, {"F_A", "0.01"}}).find("implies BER"), std::string::npos);
  EXPECT_NE(msg("dram-model1", {{"weak_bitlines", "0"}}).find("'weak_bitlines' = 0 is outside (0, 1]"), std::string::npos);
  // Layout keys are properties of the memory partition now, not fault-model parameters.
  EXPECT_NE(msg("dram-model1", {{"row_bits", "64"}}).find("unknown parameter 'row_bits'"), std::string::npos);
  // A weak fraction above the weak lines' share cannot be realised (it was silently capped).
  EXPECT_NE(msg("dram-model1", {{"P_B", "0.1"}, {"weak_bitlines", "0.05"}}).find("exceeds weak_bitlines"), std::string::npos);
  EXPECT_NE(msg("dram-model2", {{"P_W", "0.5"}, {"weak_wordlines", "0.1"}}).find("exceeds weak_wordlines"), std::string::npos);
  EXPECT_NE(msg("dram-model3", {{"vdd_delta", "-9"}}).find(">= -0.35"), std::string::npos);
}

}  // namespace
}  // namespace memlapse
