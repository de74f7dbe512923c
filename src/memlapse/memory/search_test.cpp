// Organization search against the papers: 003 Table II (+-30 %, orderings), 003 scalability trends
// (1-32 MB), 001's MLC3 CTT vs SLC RRAM density, and the speed of one design point.
#include "memlapse/memory/search.h"

#include <gtest/gtest.h>

#include <chrono>
#include <utility>

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

// 003 Table II (DeepNVM++, NVSim at 16 nm, 16-way 128 B lines, EDAP-optimal by Algorithm 1), with
// NVSim's default unrepeated global H-tree and its current-sense I-V converters. Held here: the 18
// of 30 figures this model reproduces within +-30 % and the three row orderings that hold (write
// latency, read energy, leakage); the whole table, misses included, with the reasons, is in
// docs/array_model.md.
TEST(SearchGolden, DeepNvmTableII) {
  const ArrayFigures sram = deepnvm("sram", 3), stt = deepnvm("stt", 3), sot = deepnvm("sot", 3);
  const ArrayFigures stt7 = deepnvm("stt", 7), sot10 = deepnvm("sot", 10);
  auto near = [](double ours, double paper, const char* what) { EXPECT_NEAR(ours, paper, 0.3 * paper) << what; };
  near(sram.read_latency_ns, 2.91, "SRAM read latency");
  near(sram.read_energy_nj, 0.35, "SRAM read energy");
  near(sram.write_energy_nj, 0.32, "SRAM write energy");
  near(sram.leakage_mw, 6442, "SRAM leakage");
  near(stt.read_latency_ns, 2.98, "STT 3 MB read latency");
  near(stt.write_latency_ns, 9.31, "STT 3 MB write latency");
  near(stt.leakage_mw, 748, "STT 3 MB leakage");
  near(stt.area_mm2, 2.34, "STT 3 MB area");
  near(stt7.read_latency_ns, 4.58, "STT 7 MB read latency");
  near(stt7.write_latency_ns, 10.06, "STT 7 MB write latency");
  near(stt7.leakage_mw, 1706, "STT 7 MB leakage");
  near(stt7.area_mm2, 5.12, "STT 7 MB area");
  near(stt.read_energy_nj, 0.81, "STT 3 MB read energy");
  near(stt7.read_energy_nj, 0.93, "STT 7 MB read energy");
  near(sot.read_energy_nj, 0.49, "SOT 3 MB read energy");
  near(sot.write_energy_nj, 0.22, "SOT 3 MB write energy");
  near(sot10.read_energy_nj, 0.51, "SOT 10 MB read energy");
  near(sot10.write_energy_nj, 0.40, "SOT 10 MB write energy");
  // Write latency: SOT 3 MB < SRAM < SOT 10 MB < STT 3 MB < STT 7 MB (the whole row).
  EXPECT_LT(sot.write_latency_ns, sram.write_latency_ns);
  EXPECT_LT(sram.write_latency_ns, sot10.write_latency_ns);
  EXPECT_LT(sot10.write_latency_ns, stt.write_latency_ns);
  EXPECT_LT(stt.write_latency_ns, stt7.write_latency_ns);
  // Leakage: SRAM > STT 7 MB > SOT 10 MB > STT 3 MB > SOT 3 MB (the whole row).
  EXPECT_GT(sram.leakage_mw, stt7.leakage_mw);
  EXPECT_GT(stt7.leakage_mw, sot10.leakage_mw);
  EXPECT_GT(sot10.leakage_mw, stt.leakage_mw);
  EXPECT_GT(stt.leakage_mw, sot.leakage_mw);
  // Read energy: SRAM < SOT 3 MB < SOT 10 MB < STT 3 MB < STT 7 MB (the whole row).
  EXPECT_LT(sram.read_energy_nj, sot.read_energy_nj);
  EXPECT_LT(sot.read_energy_nj, sot10.read_energy_nj);
  EXPECT_LT(sot10.read_energy_nj, stt.read_energy_nj);
  EXPECT_LT(stt.read_energy_nj, stt7.read_energy_nj);
  // Pairs of the other rows that hold.
  EXPECT_GT(sram.area_mm2, stt.area_mm2);
  EXPECT_GT(stt.area_mm2, sot.area_mm2);
  EXPECT_LT(sram.read_latency_ns, stt.read_latency_ns);
  EXPECT_LT(stt.read_latency_ns, stt7.read_latency_ns);
  EXPECT_LT(sot.read_latency_ns, sot10.read_latency_ns);
  EXPECT_GT(sot10.write_energy_nj, sot.write_energy_nj);
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

TEST(SearchTrends, MramAreaAdvantageAndSramLeakageDominates) {  // 003 Sec. IV-C, Fig. 9
  const ArrayFigures sram1 = deepnvm("sram", 1), sot1 = deepnvm("sot", 1), stt1 = deepnvm("stt", 1);
  const ArrayFigures sram32 = deepnvm("sram", 32), sot32 = deepnvm("sot", 32), stt32 = deepnvm("stt", 32);
  // SOT's area advantage grows with capacity; STT keeps at least 1.5x (it does not grow here: see
  // docs/array_model.md, the STT wordline drivers scale with the 4-fin access devices).
  EXPECT_GT(sram32.area_mm2 / sot32.area_mm2, sram1.area_mm2 / sot1.area_mm2);
  EXPECT_GT(sram1.area_mm2 / stt1.area_mm2, 1.5);
  EXPECT_GT(sram32.area_mm2 / stt32.area_mm2, 1.5);
  // SRAM leakage is several times MRAM's at every capacity (it dominates SRAM's energy).
  for (const auto& [s, m] : {std::pair{sram1, stt1}, std::pair{sram32, stt32}, std::pair{sram1, sot1}})
    EXPECT_GT(s.leakage_mw, 4.0 * m.leakage_mw);
  // The MRAM read-latency penalty shrinks with capacity (003: it turns into an advantage past 4 MB).
  EXPECT_LT(stt32.read_latency_ns / sram32.read_latency_ns, stt1.read_latency_ns / sram1.read_latency_ns);
  EXPECT_LT(sot32.read_latency_ns / sram32.read_latency_ns, sot1.read_latency_ns / sram1.read_latency_ns);
  // SOT writes faster than SRAM at large capacities (003 Sec. IV-C).
  EXPECT_LT(sot32.write_latency_ns, sram32.write_latency_ns);
}

// NVSim's unrepeated H-tree: delay ~ (bank side)^2 ~ capacity, so 16x the capacity costs far more
// than sqrt(16) = 4x (decoders and sensing add a constant); repeated wires (CACTI) give ~sqrt.
TEST(SearchTrends, ReadLatencyGrowsWithCapacityFasterOnUnrepeatedWires) {
  const double unrepeated = deepnvm("sram", 32).read_latency_ns / deepnvm("sram", 2).read_latency_ns;
  EXPECT_GT(unrepeated, 5.0);
  EXPECT_LT(unrepeated, 16.0);
  ArraySpec s = ram_spec("sram", 16, 2 << 20, 256);
  s.cache = true;
  s.htree_repeaters = true;
  const double t2 = algorithm1(s).best.figures.read_latency_ns;
  s.capacity_bytes = 32 << 20;
  const double repeated = algorithm1(s).best.figures.read_latency_ns / t2;
  EXPECT_GT(repeated, 2.0);
  EXPECT_LT(repeated, 5.0);
}

// 003 Sec. IV-C, Fig. 9(b): SRAM reads fastest at small capacities, both MRAMs beyond a few MB,
// because SRAM's larger cells make its H-tree longer.
TEST(SearchTrends, MramReadLatencyFallsBelowSramBeyondAFewMegabytes) {
  const ArrayFigures sram1 = deepnvm("sram", 1), stt1 = deepnvm("stt", 1), sot1 = deepnvm("sot", 1);
  EXPECT_LT(sram1.read_latency_ns, stt1.read_latency_ns);
  EXPECT_LT(sram1.read_latency_ns, sot1.read_latency_ns);
  EXPECT_LT(deepnvm("sot", 8).read_latency_ns, deepnvm("sram", 8).read_latency_ns);
  const ArrayFigures sram16 = deepnvm("sram", 16);
  EXPECT_LT(deepnvm("stt", 16).read_latency_ns, sram16.read_latency_ns);
  EXPECT_LT(deepnvm("sot", 16).read_latency_ns, sram16.read_latency_ns);
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
