// The results store: trials durable and unique, one writer per directory, readers beside it.
#include "memlapse/experiment/store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>

#include "memlapse/core/error.h"

namespace memlapse {
namespace {

std::string tmp(const std::string& leaf) {
  const auto d = std::filesystem::temp_directory_path() / ("memlapse_store_" + leaf + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(d);
  return d.string();
}

TrialRecord trial(std::uint64_t point, std::uint64_t chip) {
  TrialRecord t;
  t.point = point;
  t.chip = chip;
  t.seed = 7;
  t.examples = 100;
  t.error = 0.25 + 0.01 * static_cast<double>(chip);
  t.mismatch = 0.1;
  t.faults = 40 + chip;
  t.inject_ms = 1.5;
  t.infer_ms = 20;
  t.partition_faults = {{"dram", 30 + chip}, {"sram", 10}};
  return t;
}

TEST(ResultsStore, TrialsRoundTripAndAreNeverDuplicated) {
  const std::string dir = tmp("round");
  {
    ResultsStore s = ResultsStore::open(dir, true);
    s.set_meta({{"spec_keys", "{}"}, {"name", "x"}});
    s.put_point({0, "ber=0.001", {{"ber", 0.001}}, {{"examples", 100}}});
    s.add_trial(trial(0, 0));
    s.add_trial(trial(0, 1));
    EXPECT_THROW(s.add_trial(trial(0, 1)), Error);  // (point, chip) is unique
  }
  const ResultsStore r = ResultsStore::open_read(dir);
  const auto ts = r.trials();
  ASSERT_EQ(ts.size(), 2u);
  EXPECT_EQ(ts[1].chip, 1u);
  EXPECT_DOUBLE_EQ(ts[1].error, 0.26);
  EXPECT_EQ(ts[1].partition_faults.at("dram"), 31u);
  EXPECT_EQ(r.meta("name"), "x");
  EXPECT_EQ(r.points().front().overrides["ber"], 0.001);
  EXPECT_EQ(r.finished(), (std::set<std::pair<std::uint64_t, std::uint64_t>>{{0, 0}, {0, 1}}));
  std::filesystem::remove_all(dir);
}

TEST(ResultsStore, UnlabelledErrorsStayNaN) {
  const std::string dir = tmp("nan");
  ResultsStore s = ResultsStore::open(dir, true);
  TrialRecord t = trial(3, 0);
  t.error = std::nan("");
  s.add_trial(t);
  EXPECT_TRUE(std::isnan(s.trials().front().error));
  std::filesystem::remove_all(dir);
}

TEST(ResultsStore, OneWriterPerDirectoryButReadersMayLook) {
  const std::string dir = tmp("lock");
  ResultsStore w = ResultsStore::open(dir, true);
  w.add_trial(trial(0, 0));
  try {
    ResultsStore::open(dir, true);
    ADD_FAILURE() << "a second writer was allowed";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("another memlapse process is writing"), std::string::npos) << e.what();
  }
  EXPECT_EQ(ResultsStore::open_read(dir).trials().size(), 1u);
  std::filesystem::remove_all(dir);
}

TEST(ResultsStore, MissingOrForeignDatabasesAreClearErrors) {
  const std::string dir = tmp("foreign");
  EXPECT_THROW(ResultsStore::open_read(dir), Error);
  std::filesystem::create_directories(dir);
  { std::FILE* f = std::fopen((dir + "/results.db").c_str(), "w"); std::fputs("not sqlite at all, just text", f); std::fclose(f); }
  try {
    ResultsStore::open_read(dir);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("results.db"), std::string::npos) << e.what();
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace memlapse
