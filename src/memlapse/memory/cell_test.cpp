// Cell library: registry, golden values from the papers, validation messages.
#include "memlapse/memory/cell.h"

#include <gtest/gtest.h>

#include "memlapse/core/error.h"

namespace memlapse::memory {

TEST(CellRegistry, HoldsEveryTechnologyOfTheIssue) {
  std::vector<std::string> names;
  for (const auto& e : array_technology_registry().entries()) names.push_back(e.name);
  EXPECT_EQ(names, (std::vector<std::string>{"sram", "edram3t", "dram", "stt", "sot", "rram", "ctt", "pcm"}));
}

TEST(CellGolden, MramMatchesDeepNvmTableI) {  // 003 Table I
  const Cell stt = make_cell("stt"), sot = make_cell("sot"), sram = make_cell("sram");
  EXPECT_DOUBLE_EQ(stt.sense_latency_ns, 0.650);
  EXPECT_DOUBLE_EQ(stt.sense_energy_pj, 0.076);
  EXPECT_DOUBLE_EQ(sot.sense_energy_pj, 0.020);
  EXPECT_DOUBLE_EQ(stt.set_latency_ns, 8.4);
  EXPECT_DOUBLE_EQ(sot.reset_latency_ns, 0.243);
  EXPECT_DOUBLE_EQ(stt.reset_energy_pj, 2.2);
  EXPECT_NEAR(stt.area_f2 / sram.area_f2, 0.34, 1e-12);
  EXPECT_NEAR(sot.area_f2 / sram.area_f2, 0.29, 1e-12);
  EXPECT_TRUE(sot.separate_read_path);
}

TEST(CellGolden, SramCellIsTheSixteenNanometreFoundryCell) {  // Wu et al. IEDM 2013: 0.07 um^2
  EXPECT_NEAR(make_cell("sram").area_um2(technology_for_node(16)), 0.07, 0.001);
}

TEST(CellGolden, EdramRetentionFollowsCamelFig18) {  // 002 Fig. 18: 3.35 us at 100 C, 30 us at -30 C
  const Cell e = make_cell("edram3t");
  EXPECT_NEAR(e.retention_at_us(373.15), 3.35, 1e-9);
  EXPECT_NEAR(e.retention_at_us(243.15), 30.0, 0.01);
}

TEST(CellGolden, RramAndPcmAreasFromMaxNvmTable1) {  // 001 Table 1
  EXPECT_DOUBLE_EQ(make_cell("rram").area_f2, 53.0);
  EXPECT_DOUBLE_EQ(make_cell("pcm").area_f2, 25.0);
}

TEST(CellMlc, ProgramAndVerifyLengthensWrites) {
  const Cell slc = make_cell("rram"), mlc3 = make_cell("rram", {{"bits_per_cell", "3"}});
  EXPECT_GT(mlc3.write_latency_ns(), slc.write_latency_ns());
  EXPECT_LE(mlc3.write_latency_ns(), 640.0 * 1.01);  // 001 Sec. 5: 160-640 ns for MLC RRAM
}

TEST(CellValidation, UnknownTechnologySuggestsTheClosest) {
  try {
    make_cell("sttt");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("did you mean 'stt'"), std::string::npos) << e.what();
  }
}

TEST(CellValidation, BadValuesNameTheKeyAndTheRange) {
  auto msg = [](const std::string& tech, std::map<std::string, std::string> ov) {
    try {
      make_cell(tech, ov);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(msg("sram", {{"bits_per_cell", "2"}}).find("bits_per_cell"), std::string::npos);
  EXPECT_NE(msg("stt", {{"area_f2", "2"}}).find("area_f2"), std::string::npos);
  EXPECT_NE(msg("stt", {{"set_latency_ns", "-1"}}).find("set_latency_ns"), std::string::npos);
  EXPECT_NE(msg("stt", {{"retention_us", "5"}}).find("non-volatile"), std::string::npos);
  EXPECT_NE(msg("pcm", {{"aera_f2", "20"}}).find("did you mean 'area_f2'"), std::string::npos);
  EXPECT_NE(msg("ctt", {{"bits_per_cell", "4"}}).find("[1, 3]"), std::string::npos);
}

}  // namespace memlapse::memory
