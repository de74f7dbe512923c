// Organization search against the papers: 003 Table II (+-30 %, orderings), 003 scalability trends
// (1-32 MB), 001's MLC3 CTT vs SLC RRAM density, and the speed of one design point.
#include "memlapse/memory/search.h"

#include <gtest/gtest.h>

#include <chrono>

#include "memlapse/core/error.h"

namespace memlapse::memory {
namespace {

ArrayFigures deepnvm(const std::string& tech, double mb) {
  ArraySpec s = ram_spec(tech, 16, mb * 1024 * 1024, 256);
  s.cache = true;  // 16-way, 128 B lines (003 Table IV, GTX 1080 Ti L2), whole-line access
  return algorithm1(s).best.figures;
}

}  // namespace

TEST(SearchTargets, EachTargetWinsItsOwnMetric) {
  ArraySpec s = ram_spec("stt", 22, 1 << 20, 512);
  for (Target t : nvsim_targets()) {
    const double own = metric(optimize(s, t).best.figures, t);
    for (Target u : nvsim_targets()) EXPECT_LE(own, metric(optimize(s, u).best.figures, t) * (1 + 1e-12)) << to_string(t);
  }
  EXPECT_LE(edap(optimize(s, Target::kEdapGlobal).best.figures), edap(algorithm1(s).best.figures) * (1 + 1e-12));
}

TEST(SearchTargets, UnknownTargetIsAnError) { EXPECT_THROW(parse_target("edp"), Error); }

TEST(SearchPareto, FrontIsNonDominated) {
  const auto front = pareto_front(ram_spec("sot", 16, 1 << 20, 512));
  ASSERT_GE(front.size(), 2u);
  for (size_t i = 1; i < front.size(); ++i) {
    EXPECT_GE(front[i].figures.area_mm2, front[i - 1].figures.area_mm2);
    EXPECT_TRUE(front[i].figures.read_latency_ns < front[i - 1].figures.read_latency_ns ||
                front[i].figures.read_energy_nj < front[i - 1].figures.read_energy_nj);
  }
}

// 003 Table II, 16 nm, 3 MB, EDAP-optimal (Algorithm 1): SRAM read/write energy 0.35/0.32 nJ,
// leakage 6442 mW; STT read/write latency 2.98/9.31 ns, leakage 748 mW, area 2.34 mm^2; SOT write
// energy 0.22 nJ, leakage 527 mW. Held here: the figures this model reproduces within +-30 % (the
// whole table, misses included, is in docs/array_model.md).
TEST(SearchGolden, DeepNvmTableIIIsoCapacity) {
  const ArrayFigures sram = deepnvm("sram", 3), stt = deepnvm("stt", 3), sot = deepnvm("sot", 3);
  EXPECT_NEAR(sram.read_energy_nj, 0.35, 0.3 * 0.35);
  EXPECT_NEAR(sram.write_energy_nj, 0.32, 0.3 * 0.32);
  EXPECT_NEAR(sram.leakage_mw, 6442, 0.3 * 6442);
  EXPECT_NEAR(stt.read_latency_ns, 2.98, 0.3 * 2.98);
  EXPECT_NEAR(stt.write_latency_ns, 9.31, 0.3 * 9.31);
  EXPECT_NEAR(stt.leakage_mw, 748, 0.3 * 748);
  EXPECT_NEAR(stt.area_mm2, 2.34, 0.3 * 2.34);
  EXPECT_NEAR(sot.write_energy_nj, 0.22, 0.3 * 0.22);
  EXPECT_NEAR(sot.leakage_mw, 527, 0.3 * 527);
  // Orderings of 003 Table II that hold.
  EXPECT_GT(sram.area_mm2, stt.area_mm2);
  EXPECT_GT(stt.area_mm2, sot.area_mm2);
  EXPECT_GT(stt.write_latency_ns, sram.write_latency_ns);
  EXPECT_GT(stt.write_latency_ns, sot.write_latency_ns);
  EXPECT_GT(sram.leakage_mw, stt.leakage_mw);
  EXPECT_GT(stt.leakage_mw, sot.leakage_mw);
  EXPECT_LT(sram.read_latency_ns, stt.read_latency_ns);
  EXPECT_GT(stt.read_energy_nj, sot.read_energy_nj);
}

TEST(SearchGolden, DeepNvmIsoAreaCapacities) {  // 003 Table II: STT 7 MB, SOT 10 MB in SRAM's 3 MB area
  ArraySpec s = ram_spec("sram", 16, 3 << 20, 256);
  s.cache = true;
  const double budget = algorithm1(s).best.figures.area_mm2;
  s.cell = make_cell("stt");
  const double stt_mb = iso_area_capacity_mb(s, budget, Target::kEdap, 1.0, 16.0);
  s.cell = make_cell("sot");
  const double sot_mb = iso_area_capacity_mb(s, budget, Target::kEdap, 1.0, 16.0);
  EXPECT_GT(sot_mb, stt_mb);
  EXPECT_GT(stt_mb, 3.0);
}

TEST(SearchTrends, MramAreaAdvantageGrowsAndSramLeakageDominates) {  // 003 Sec. IV-C, Fig. 9
  double prev_ratio = 0;
  for (double mb : {1.0, 4.0, 32.0}) {
    const ArrayFigures sram = deepnvm("sram", mb), stt = deepnvm("stt", mb);
    const double ratio = sram.area_mm2 / stt.area_mm2;
    EXPECT_GE(ratio, prev_ratio * 0.98) << mb;
    prev_ratio = ratio;
    EXPECT_GT(sram.leakage_mw, 4.0 * stt.leakage_mw) << mb;
  }
}

TEST(SearchDensity, MlcCttNeedsSeveralTimesLessAreaThanSlcRram) {  // 001 Sec. 5.1 (9.6x on average)
  ArraySpec rram = ram_spec("rram", 16, 4 << 20, 512);
  ArraySpec ctt = rram;
  ctt.cell = make_cell("ctt", {{"bits_per_cell", "3"}});
  ctt.capacity_bytes = 3 * (4 << 20);  // whole 3-bit cells
  rram.capacity_bytes = ctt.capacity_bytes;
  const double ratio = optimize(rram, Target::kReadEdp).best.figures.area_mm2 /
                       optimize(ctt, Target::kReadEdp).best.figures.area_mm2;
  EXPECT_GT(ratio, 3.0);
  EXPECT_LT(ratio, 20.0);
}

TEST(SearchSpeed, OneDesignPointTakesWellUnderASecond) {
  ArraySpec s = ram_spec("stt", 16, 3 << 20, 256);
  s.cache = true;
  const auto t0 = std::chrono::steady_clock::now();
  algorithm1(s);
  const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_LT(sec, 1.0);
}

}  // namespace memlapse::memory
