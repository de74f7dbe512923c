// `memlapse array` end to end through run_cli (apps/cli/cmd_array.cpp). Lives here because the
// array work owns only memory/ and cmd_array.cpp; built as its own executable so a broken CLI
// library never blocks memory_test.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli.h"

namespace {

int run(const std::vector<std::string>& args, std::string& out, std::string& err) {
  std::ostringstream o, e;
  std::vector<std::string> full = {"memlapse"};
  full.insert(full.end(), args.begin(), args.end());
  const int rc = memlapse::cli::run_cli(full, o, e);
  out = o.str();
  err = e.str();
  return rc;
}

}  // namespace

TEST(ArrayCli, JsonHasTheIssueKeys) {
  std::string out, err;
  ASSERT_EQ(run({"array", "--tech", "stt", "--capacity", "3MB", "--node", "16", "--target", "edap", "--cache", "--assoc",
                 "16", "--json"},
                out, err),
            0)
      << err;
  const auto j = nlohmann::json::parse(out);
  for (const char* k : {"area_mm2", "read_latency_ns", "write_latency_ns", "read_energy_nj", "write_energy_nj",
                        "leakage_mw", "organization"})
    EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_GT(j["write_latency_ns"].get<double>(), 8.4);  // STT set pulse (003 Table I) is a floor
}

TEST(ArrayCli, BadInputGivesExitCodeOneAndAClearMessage) {
  std::string out, err;
  EXPECT_EQ(run({"array", "--tech", "flash", "--capacity", "1MB"}, out, err), 1);
  EXPECT_NE(err.find("'flash' is not one of sram"), std::string::npos) << err;
  EXPECT_EQ(run({"array", "--tech", "sram", "--capacity", "3XB"}, out, err), 1);
  EXPECT_NE(err.find("unit 'XB'"), std::string::npos) << err;
  EXPECT_EQ(run({"array", "--tech", "sram", "--node", "10"}, out, err), 1);
  EXPECT_NE(err.find("10 nm"), std::string::npos) << err;
  EXPECT_EQ(run({"array", "--tech", "rram", "--bits-per-cell", "4"}, out, err), 1);
  EXPECT_NE(err.find("bits_per_cell"), std::string::npos) << err;
  EXPECT_EQ(run({"array", "--tech", "sram", "--target", "speed"}, out, err), 1);
  EXPECT_EQ(run({"array", "--tech", "stt", "--cache", "--write-accounting", "nvsm"}, out, err), 1);
  EXPECT_NE(err.find("is not one of physical or nvsim (did you mean 'nvsim'?)"), std::string::npos) << err;
}

TEST(ArrayCli, WriteAccountingIsExplicitAndReported) {
  std::string out, err;
  const std::vector<std::string> base = {"array", "--tech", "stt", "--capacity", "1MB", "--cache",
                                         "--target", "write-energy", "--mode", "normal", "--json"};
  ASSERT_EQ(run(base, out, err), 0) << err;
  const auto phys = nlohmann::json::parse(out);
  EXPECT_EQ(phys["cache"]["write_accounting"], "physical");
  auto args = base;
  args.insert(args.end(), {"--write-accounting", "nvsim"});
  ASSERT_EQ(run(args, out, err), 0) << err;
  const auto nvsim = nlohmann::json::parse(out);
  EXPECT_EQ(nvsim["cache"]["write_accounting"], "nvsim");
  EXPECT_LT(nvsim["write_energy_nj"].get<double>(), phys["write_energy_nj"].get<double>());
}

TEST(ArrayCli, ListPrintsEveryTechnology) {
  std::string out, err;
  ASSERT_EQ(run({"array", "--list"}, out, err), 0) << err;
  for (const char* t : {"sram", "edram3t", "dram", "stt", "sot", "rram", "ctt", "pcm"})
    EXPECT_NE(out.find(std::string("  ") + t + " "), std::string::npos) << t;
}

TEST(ArrayCli, SweepWritesCsvAndSvgs) {
  const auto dir = std::filesystem::temp_directory_path() / "memlapse_array_sweep_test";
  std::filesystem::remove_all(dir);
  std::string out, err;
  ASSERT_EQ(run({"array", "sweep", "--techs", "sram,stt", "--capacities-mb", "1,2", "--out", dir.string()}, out, err), 0)
      << err;
  EXPECT_TRUE(std::filesystem::exists(dir / "sweep.csv"));
  EXPECT_TRUE(std::filesystem::exists(dir / "read_latency_ns.svg"));
  EXPECT_TRUE(std::filesystem::exists(dir / "leakage_mw.svg"));
}

TEST(ArrayCli, IsoAreaListsACapacityPerTechnology) {
  std::string out, err;
  ASSERT_EQ(run({"array", "iso-area", "--budget-mm2", "2", "--techs", "sram,sot", "--node", "22"}, out, err), 0) << err;
  EXPECT_NE(out.find("sram,"), std::string::npos);
  EXPECT_NE(out.find("sot,"), std::string::npos);
}
