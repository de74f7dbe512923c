// The experiment pipeline end to end on the torch-free toy backend: the default placement
// reproduces the pre-partition campaign bit for bit for every fault model; a two-partition
// placement faults only where it puts the tensors (binomial counts); resume keeps finished trials
// and refuses a changed experiment.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <sstream>

#include "memlapse/core/error.h"
#include "memlapse/experiment/report.h"
#include "memlapse/experiment/runner.h"
#include "memlapse/faults/operating_points.h"
#include "memlapse/faults/test_util.h"
#include "toy/toy_model.h"

namespace memlapse {
namespace {

namespace fs = std::filesystem;

bool have_fashion_mnist() { return fs::exists(std::string(kFashionMnistDir) + "/t10k-images-idx3-ubyte.gz"); }

std::string tmp(const std::string& leaf) {
  const auto d = fs::temp_directory_path() / ("memlapse_runner_" + leaf + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  return d.string();
}

struct Golden {
  int case_index;
  std::size_t rate_index;
  std::uint64_t chip, faults;
  double error, mismatch;
};

// Captured from the runner of commit bc9f37b (run_campaign with the same toy network as a
// ModelUnderTest, first 300 Fashion-MNIST test images, seed 3, 4 chips; tests/golden/README.md).
constexpr Golden kGolden[] = {
#include "golden/prepartition_campaigns.inc"
};

struct Case {
  const char* format;
  const char* format_params;  // TOML inline-table body
  const char* model;
  const char* params;
  const char* key;
  const char* values;
  const char* correct;
};
const Case kCases[] = {
    {"fixed", "bits = 8", "uniform", "", "ber", "[1e-3, 1e-2, 5e-2]", "none"},
    {"rquant", "bits = 4", "uniform", "", "ber", "[1e-2]", "none"},
    {"fixed", "bits = 8", "sram", "", "voltage", "[0.85, 0.82]", "none"},
    {"fp32", "correct = \"zero\"", "dram-model1", ", weak_bitlines = 0.2", "vdd_delta", "[-0.25, -0.35]", "none"},
    {"fixed", "bits = 8", "dram-model0", ", F_A = 0.5", "P", "[0.02]", "none"},
    {"fixed", "bits = 8", "dram-model3", "", "trcd_delta", "[-4.5]", "none"},
    {"maxnvm", "prune = 0.5", "mlc-ctt", "", "bits_per_cell", "[2, 3]", "none"},
    {"fixed", "bits = 8", "edram", ", temperature_c = 85", "lifetime_us", "[6, 10]", "none"},
    {"fixed", "bits = 8\nrange = \"channel\"\nsymmetric = false", "uniform", "", "ber", "[1e-2]", "none"},
    {"bfp", "", "uniform", "", "ber", "[1e-3]", "none"},
    {"fixed", "bits = 8", "mlc-rram", "", "bits_per_cell", "[2]", "none"},
    {"fixed", "bits = 8", "uniform", "", "ber", "[1e-2]", "zero"},
};

std::string case_toml(const Case& c, const std::string& out) {
  std::ostringstream o;
  o << "[experiment]\nout = \"" << out << "\"\n[output]\nreport = false\n[model]\nsource = \"toy\"\n[data]\nlimit = 300\n"
    << "[format]\nname = \"" << c.format << "\"\n" << c.format_params << "\n"
    << "[[partition]]\nname = \"main\"\nfault = {model = \"" << c.model << "\"" << c.params << "}\n"
    << "[sweep]\nchips = 4\nseed = 3\ncorrect = \"" << c.correct << "\"\n"
    << "[[sweep.axis]]\nkey = \"partition.main.fault." << c.key << "\"\nvalues = " << c.values << "\n";
  return o.str();
}

class RunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!have_fashion_mnist()) GTEST_SKIP() << "dataset-fashion-mnist not installed";
    set_model_backend(&testing::toy_backend());
  }
  void TearDown() override { set_model_backend(nullptr); }
  RunResult run(const std::string& toml, const std::string& name, bool resume = false) {
    std::ostringstream out, progress;
    RunOptions o;
    o.resume = resume;
    RunResult r = run_experiment(ConfigDoc::parse(toml, name), o, out, progress);
    log_ = out.str();
    return r;
  }
  std::string log_;
};

TEST_F(RunnerTest, DefaultPlacementReproducesThePrePartitionCampaignForEveryFaultModel) {
  std::size_t checked = 0;
  for (std::size_t ci = 0; ci < std::size(kCases); ++ci) {
    const std::string dir = tmp("golden" + std::to_string(ci));
    run(case_toml(kCases[ci], dir), "case" + std::to_string(ci) + ".toml");
    const auto trials = ResultsStore::open_read(dir).trials();
    for (const Golden& g : kGolden) {
      if (g.case_index != static_cast<int>(ci)) continue;
      const auto it = std::find_if(trials.begin(), trials.end(), [&](const TrialRecord& t) { return t.point == g.rate_index && t.chip == g.chip; });
      ASSERT_NE(it, trials.end()) << "case " << ci << " point " << g.rate_index << " chip " << g.chip;
      EXPECT_EQ(it->faults, g.faults) << "case " << ci << " point " << g.rate_index << " chip " << g.chip;
      EXPECT_EQ(it->error, g.error) << "case " << ci << " point " << g.rate_index << " chip " << g.chip;
      EXPECT_EQ(it->mismatch, g.mismatch) << "case " << ci << " point " << g.rate_index << " chip " << g.chip;
      ++checked;
    }
    fs::remove_all(dir);
  }
  EXPECT_EQ(checked, std::size(kGolden));
}

constexpr const char* kTwoPartitions = R"(
[experiment]
out = "OUT"
[output]
report = false
[model]
source = "toy"
[data]
limit = 100
[format]
name = "fixed"
bits = 8
[[partition]]
name = "sram"
technology = "sram"
fault = {model = "sram", voltage = 0.9}
[[partition]]
name = "dram"
fault = {model = "dram-model0", vdd_delta = -0.25}
[placement]
default = "dram"
[[placement.rule]]
tensors = ["fc1.*", "fc2.bias"]
partition = "sram"
[sweep]
chips = 30
)";

std::string with_out(std::string t, const std::string& out) { return t.replace(t.find("OUT"), 3, out); }

TEST_F(RunnerTest, TwoPartitionsFaultOnlyWherePlacedWithBinomialCounts) {
  const std::string dir = tmp("two");
  run(with_out(kTwoPartitions, dir), "two.toml");
  const ResultsStore store = ResultsStore::open_read(dir);
  const auto trials = store.trials();
  ASSERT_EQ(trials.size(), 30u);
  // fc1.weight (16x784), fc1.bias (16), fc2.bias (10) in SRAM; fc2.weight (10x16) in DRAM; 8 bits each.
  const std::uint64_t sram_bits = 8 * (16 * 784 + 16 + 10), dram_bits = 8 * (10 * 16);
  std::uint64_t s = 0, d = 0;
  for (const auto& t : trials) {
    EXPECT_EQ(t.partition_faults.count("reliable"), 0u);  // the scales partition has no faults
    const std::uint64_t ts = t.partition_faults.count("sram") ? t.partition_faults.at("sram") : 0;
    const std::uint64_t td = t.partition_faults.count("dram") ? t.partition_faults.at("dram") : 0;
    EXPECT_EQ(ts + td, t.faults);
    s += ts;
    d += td;
  }
  // SRAM at 0.9 Vmin: independent bit errors at sram_ber(0.9) (004 Fig. 1); DRAM model 0 at
  // -0.25 V: weak cells (P = BER / F_A) failing with F_A, so each bit errs w.p. BER = 1% (000 Table 3).
  EXPECT_TRUE(testing::binomial_accepts(s, 30 * sram_bits, sram_ber(0.9))) << s;
  EXPECT_TRUE(testing::binomial_accepts(d, 30 * dram_bits, dram_ber_vdd(-0.25))) << d;
  // Where the placement says: the point's info lists every region with its partition.
  const auto info = store.points().front().info;
  for (const auto& r : info["regions"]) {
    const std::string t = r["tensor"], st = r["structure"], p = r["partition"];
    if (st == "scales") EXPECT_EQ(p, "reliable") << t;
    else EXPECT_EQ(p, t == "fc2.weight" ? "dram" : "sram") << t;
  }
  EXPECT_TRUE(fs::exists(dir + "/placement.toml"));
  // At 1.0 Vmin the SRAM holds its tensors without a single fault.
  const std::string dir2 = tmp("two_nominal");
  std::string nominal = with_out(kTwoPartitions, dir2);
  nominal.replace(nominal.find("voltage = 0.9"), 13, "voltage = 1.0");
  run(nominal, "nominal.toml");
  for (const auto& t : ResultsStore::open_read(dir2).trials()) {
    EXPECT_EQ(t.partition_faults.count("sram") ? t.partition_faults.at("sram") : 0u, 0u);
    EXPECT_GT(t.faults, 0u);
  }
  fs::remove_all(dir);
  fs::remove_all(dir2);
}

TEST_F(RunnerTest, ResumeKeepsFinishedTrialsAndRefusesAChangedExperiment) {
  const std::string dir = tmp("resume");
  const std::string spec = case_toml(kCases[0], dir);
  run(spec, "a.toml");
  const auto reference = ResultsStore::open_read(dir).trials();
  ASSERT_EQ(reference.size(), 12u);
  // Without --resume the finished trials are never overwritten.
  EXPECT_THROW(run(spec, "a.toml"), Error);
  // Lose some trials (as an interrupted run would), then resume: the same numbers come back.
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir + "/results.db").c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "DELETE FROM trials WHERE chip >= 2; DELETE FROM trial_faults WHERE chip >= 2;", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  ASSERT_EQ(ResultsStore::open_read(dir).trials().size(), 6u);
  run(spec, "a.toml", true);
  const auto resumed = ResultsStore::open_read(dir).trials();
  ASSERT_EQ(resumed.size(), reference.size());
  for (std::size_t i = 0; i < resumed.size(); ++i) {
    EXPECT_EQ(resumed[i].point, reference[i].point);
    EXPECT_EQ(resumed[i].chip, reference[i].chip);
    EXPECT_EQ(resumed[i].faults, reference[i].faults);
    EXPECT_EQ(resumed[i].error, reference[i].error);
    EXPECT_EQ(resumed[i].mismatch, reference[i].mismatch);
  }
  // A changed seed is a different experiment: refused, naming the key.
  std::string other = spec;
  other.replace(other.find("seed = 3"), 8, "seed = 4");
  try {
    run(other, "b.toml", true);
    ADD_FAILURE() << "resumed with another seed";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("sweep.seed (3 -> 4)"), std::string::npos) << e.what();
  }
  // Threads and batch size change no number: allowed.
  std::string threads = spec;
  threads.replace(threads.find("source = \"toy\""), 14, "source = \"toy\"\nthreads = 1\nbatch_size = 7");
  run(threads, "c.toml", true);
  fs::remove_all(dir);
}

TEST_F(RunnerTest, ExportsAndReportDescribeTheStore) {
  const std::string dir = tmp("exports");
  std::string spec = case_toml(kCases[0], dir);
  spec.replace(spec.find("report = false"), 14, "report = true");
  const RunResult r = run(spec, "e.toml");
  ASSERT_EQ(r.points.size(), 3u);
  for (const char* f : {"results.db", "results.json", "results.csv", "spec.toml", "placement.toml", "error_vs_ber.svg", "report.html"}) {
    EXPECT_TRUE(fs::exists(dir + "/" + f)) << f;
  }
  EXPECT_NE(log_.find("ber"), std::string::npos);
  EXPECT_NE(log_.find("clean error"), std::string::npos) << log_;
  // The summary: mean, Student-t interval, Prop. 1 bound clamped to 1.
  const PointSummary& p = r.points[2];
  EXPECT_EQ(p.chips, 4u);
  EXPECT_LE(p.error_ci_low, p.error_mean);
  EXPECT_GE(p.error_ci_high, p.error_mean);
  EXPECT_LE(p.error_prop1_upper, 1.0);
  EXPECT_GT(p.faults_mean, 0.0);
  // spec.toml reproduces the experiment (the same trials).
  const std::string dir2 = tmp("exports_again");
  ConfigDoc again = ConfigDoc::load(dir + "/spec.toml");
  again.set("experiment.out=\"" + dir2 + "\"");
  std::ostringstream o1, o2;
  run_experiment(again, RunOptions{}, o1, o2);
  const auto a = ResultsStore::open_read(dir).trials(), b = ResultsStore::open_read(dir2).trials();
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].mismatch, b[i].mismatch);
  const std::string html = report_html(dir);
  EXPECT_NE(html.find("placement diagram"), std::string::npos);
  EXPECT_NE(html.find("Faults per partition"), std::string::npos);
  fs::remove_all(dir);
  fs::remove_all(dir2);
}

}  // namespace
}  // namespace memlapse
