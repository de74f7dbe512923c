#include "memlapse/experiment/results_log.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "memlapse/core/error.h"

namespace memlapse {
namespace {

namespace fs = std::filesystem;

fs::path fresh_dir(const std::string& name) {
  fs::path d = fs::temp_directory_path() / ("memlapse_log_" + name);
  fs::remove_all(d);
  return d;
}

ChipRow row(std::size_t ri, std::uint64_t chip, double err) {
  ChipRow r;
  r.rate_index = ri;
  r.ber = 1e-3 * static_cast<double>(ri + 1);
  r.chip = chip;
  r.error = err;
  r.mismatch = err / 2;
  r.faults = 17 + chip;
  r.inject_ms = 0.25;
  r.infer_ms = 12.5;
  return r;
}

TEST(ResultsLog, RowsRoundTripExactlyOnResume) {
  auto d = fresh_dir("roundtrip");
  {
    ResultsLog log(d.string(), false);
    log.append(row(0, 0, 0.1234567890123));
    log.append(row(1, 3, 1.0 / 3.0));
  }
  ResultsLog again(d.string(), true);
  ASSERT_EQ(again.rows().size(), 2u);
  EXPECT_TRUE(again.has(1, 3));
  EXPECT_FALSE(again.has(1, 2));
  EXPECT_EQ(again.rows()[1].error, 1.0 / 3.0);  // shortest round-trip formatting is exact
  EXPECT_EQ(again.rows()[1].faults, 20u);
  EXPECT_EQ(again.rows()[0].ber, 1e-3);
}

TEST(ResultsLog, RefusesToOverwriteFinishedWorkWithoutResume) {
  auto d = fresh_dir("overwrite");
  { ResultsLog log(d.string(), false); log.append(row(0, 0, 0.5)); }
  try {
    ResultsLog log(d.string(), false);
    FAIL() << "expected Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("--resume"), std::string::npos);
  }
}

TEST(ResultsLog, TornLastLineIsDroppedAndNoDuplicatesAreWritten) {
  auto d = fresh_dir("torn");
  { ResultsLog log(d.string(), false); log.append(row(0, 0, 0.5)); log.append(row(0, 1, 0.25)); }
  { std::ofstream(d / "results.csv", std::ios::app) << "0,0.001,2,0.7"; }  // a crash mid-write
  {
    ResultsLog log(d.string(), true);
    EXPECT_EQ(log.rows().size(), 2u);
    EXPECT_FALSE(log.has(0, 2));
    log.append(row(0, 2, 0.75));
    log.append(row(0, 1, 0.99));  // already finished: ignored
  }
  std::ifstream in(d / "results.csv");
  std::string line;
  int lines = 0;
  while (std::getline(in, line)) ++lines;
  EXPECT_EQ(lines, 4);  // header + 3 rows
  ResultsLog log(d.string(), true);
  EXPECT_EQ(log.rows()[1].error, 0.25);
}

TEST(ResultsLog, CorruptRowNamesFileAndLine) {
  auto d = fresh_dir("corrupt");
  fs::create_directories(d);
  std::ofstream(d / "results.csv") << "rate_index,ber,chip,error,mismatch,faults,inject_ms,infer_ms\n0,x,0,1,1,1,1,1\n";
  try {
    ResultsLog log(d.string(), true);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("results.csv:2"), std::string::npos);
  }
}

}  // namespace
}  // namespace memlapse
