// The characterization ([characterize], 000 §3.3-3.4) end to end on the torch-free toy backend:
// the coarse search brackets the tolerable rate and agrees with the fixed-count rule where both
// decide; resume reuses every stored decision; the fine sweep and Algorithm 1 write a placement
// that `memlapse run` reads back, and the verification decides on the placed network.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "memlapse/core/error.h"
#include "memlapse/core/file.h"
#include "memlapse/core/text.h"
#include "memlapse/experiment/characterize.h"
#include "memlapse/experiment/runner.h"
#include "toy/toy_model.h"

namespace memlapse {
namespace {

namespace fs = std::filesystem;

bool have_fashion_mnist() { return fs::exists(std::string(kFashionMnistDir) + "/t10k-images-idx3-ubyte.gz"); }

std::string tmp(const std::string& leaf) {
  const auto d = fs::temp_directory_path() / ("memlapse_char_" + leaf + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  return d.string();
}

std::string experiment(const std::string& out, const std::string& characterize) {
  return "[experiment]\nout = \"" + out + "\"\n[output]\nreport = false\n[model]\nsource = \"toy\"\n[data]\nlimit = 500\n" +
         "[format]\nname = \"fixed\"\nbits = 8\n[[partition]]\nname = \"main\"\nfault = {model = \"uniform\"}\n" +
         "[characterize]\ntarget = \"mismatch\"\nmax_mismatch = 0.05\n" + characterize;
}

class CharacterizeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!have_fashion_mnist()) GTEST_SKIP() << "dataset-fashion-mnist not installed";
    set_model_backend(&testing::toy_backend());
  }
  void TearDown() override { set_model_backend(nullptr); }
  RunResult run(const std::string& toml, bool resume = false) {
    std::ostringstream out, progress;
    RunOptions o;
    o.resume = resume;
    RunResult r = run_experiment(ConfigDoc::parse(toml, "test.toml"), o, out, progress);
    log_ = out.str();
    return r;
  }
  std::string log_;
};

TEST_F(CharacterizeTest, CoarseSearchBracketsTheToleranceAndAgreesWithTheFixedRule) {
  const std::string dir = tmp("coarse");
  const RunResult r = run(experiment(dir, "resolution = 2\n"));
  const auto& c = r.characterize.json["coarse"];
  ASSERT_TRUE(c["any_tolerable"].get<bool>()) << log_;
  ASSERT_FALSE(c["all_tolerable"].get<bool>()) << log_;
  const double ok = c["tolerable"], bad = c["first_failing"];
  EXPECT_LT(ok, bad);
  EXPECT_LE(bad / ok, 2.0 + 1e-9);
  EXPECT_TRUE(c["violations"].empty()) << log_;
  // Every visited point that decided: the fixed rule (50 chips x all 500 examples) must not decide
  // the opposite (each is wrong with probability <= 5%; the points far from the threshold are
  // clear-cut), and it costs more inferences.
  std::uint64_t seq = 0, fixed = 0;
  int opposite = 0, compared = 0;
  for (const auto& p : c["visited"]) {
    if (p["verdict"] == "undecided") continue;
    const std::string fdir = tmp("fixed" + std::to_string(compared));
    const RunResult f = run(experiment(fdir, "decision = \"fixed\"\nmode = \"coarse\"\nfrom = " + format_double(p["x"].get<double>()) + "\nto = " +
                                                 format_double(p["x"].get<double>() * 1.01) + "\nresolution = 1.5\n"));
    const auto& fp = f.characterize.json["coarse"]["visited"][0];
    opposite += fp["verdict"] != "undecided" && fp["verdict"] != p["verdict"];
    seq += p["inferences"].get<std::uint64_t>();
    fixed += fp["inferences"].get<std::uint64_t>();
    ++compared;
    fs::remove_all(fdir);
  }
  EXPECT_GE(compared, 5);
  EXPECT_LE(opposite, 1) << log_;
  EXPECT_GT(fixed, 5 * seq) << "sequential " << seq << " vs fixed " << fixed;
  fs::remove_all(dir);
}

TEST_F(CharacterizeTest, ResumeReusesEveryDecisionAndRefusesWithoutIt) {
  const std::string dir = tmp("resume");
  const std::string toml = experiment(dir, "resolution = 4\nmax_chips = 300\n");
  const RunResult a = run(toml);
  EXPECT_EQ(a.characterize.reused, 0u);
  EXPECT_THROW(run(toml), Error);
  const RunResult b = run(toml, true);
  EXPECT_EQ(b.characterize.reused, b.characterize.decisions);
  EXPECT_EQ(a.characterize.json["coarse"], b.characterize.json["coarse"]);
  // The fine sweep starts from the stored coarse decisions (a search key is not a result key).
  const RunResult fine = run(experiment(dir, "resolution = 4\nmax_chips = 300\nmode = \"fine\"\nrounds = 1\n"), true);
  EXPECT_GE(fine.characterize.reused, a.characterize.decisions);
  // A different target is a different experiment.
  EXPECT_THROW(run(experiment(dir, "resolution = 4\nmax_chips = 300\nmax_loss = 2\n"), true), Error);
  fs::remove_all(dir);
}

TEST_F(CharacterizeTest, FineSweepAndMappingWriteAPlacementThatRunsAndIsVerified) {
  const std::string dir = tmp("map");
  fs::create_directories(dir);
  const std::string mem = dir + "/memory.toml";
  write_text_file(mem,
                  "[[partition]]\nname = \"nominal\"\n\n"
                  "[[partition]]\nname = \"weak\"\nfault = {model = \"uniform\", ber = 1e-4}\n\n"
                  "[[partition]]\nname = \"weaker\"\nfault = {model = \"uniform\", ber = 3e-3}\n");
  const RunResult r = run(experiment(dir + "/out", "mode = \"map\"\nresolution = 2\nmemory = \"" + mem + "\"\nrounds = 3\nmax_chips = 400\n"));
  const auto& j = r.characterize.json;
  ASSERT_TRUE(j.contains("fine")) << log_;
  ASSERT_EQ(j["fine"]["types"].size(), 2u);  // fc1, fc2
  for (const auto& t : j["fine"]["types"]) EXPECT_GE(t["tolerable"].get<double>(), j["fine"]["start"].get<double>());
  ASSERT_TRUE(j.contains("map")) << log_;
  const auto& parts = j["map"]["partition_of_type"];
  ASSERT_EQ(parts.size(), 2u);
  // Each type went to the most aggressive partition whose rate it tolerates.
  for (std::size_t t = 0; t < 2; ++t) {
    const double tol = j["fine"]["types"][t]["tolerable"];
    const std::string expect = tol >= 3e-3 ? "weaker" : tol >= 1e-4 ? "weak" : "nominal";
    EXPECT_EQ(parts[t], expect) << tol;
  }
  EXPECT_NE(j["map"]["verification"]["verdict"], nullptr);
  // The placement file is one memlapse reads: a sweep over it runs.
  ASSERT_TRUE(fs::exists(dir + "/out/mapping.toml"));
  const std::string placement = read_text_file(dir + "/out/mapping.toml");
  const std::string sweep = "[experiment]\nout = \"" + dir + "/sweep\"\n[output]\nreport = false\n[model]\nsource = \"toy\"\n[data]\nlimit = 500\n" +
                            "[format]\nname = \"fixed\"\nbits = 8\n" + placement + "\n[sweep]\nchips = 2\n";
  const RunResult s = run(sweep);
  ASSERT_EQ(s.points.size(), 1u) << log_;
  EXPECT_EQ(s.points[0].chips, 2u);
  fs::remove_all(dir);
}

TEST_F(CharacterizeTest, OperatingPointSearchAndBadInput) {
  // SRAM voltage (004 Fig. 1), searched linearly from 1.0 (safe) down to 0.8.
  const std::string dir = tmp("sram");
  std::string toml = experiment(dir, "key = \"partition.main.fault.voltage\"\nfrom = 1.0\nto = 0.8\nresolution = 0.02\nmax_chips = 400\n");
  const std::string uniform = "fault = {model = \"uniform\"}";
  toml.replace(toml.find(uniform), uniform.size(), "technology = \"sram\"\nfault = {model = \"sram\", voltage = 1.0}");
  const RunResult r = run(toml);
  const auto& c = r.characterize.json["coarse"];
  ASSERT_TRUE(c["any_tolerable"].get<bool>()) << log_;
  EXPECT_GE(c["tolerable"].get<double>(), 0.8);
  EXPECT_LE(c["tolerable"].get<double>(), 1.0);
  EXPECT_GT(c["tolerable_rate"].get<double>(), 0.0);
  fs::remove_all(dir);
  auto error_of = [&](const std::string& extra) {
    try {
      run(experiment(tmp("bad"), extra));
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(error_of("key = \"partition.main.fault.ber_01\"\n").find("ber_01"), std::string::npos);
  EXPECT_NE(error_of("key = \"partition.nope.fault.ber\"\n").find("no partition 'nope'"), std::string::npos);
  EXPECT_NE(error_of("key = \"main.ber\"\n").find("partition.NAME.fault.PARAM"), std::string::npos);
  EXPECT_NE(error_of("from = 0\n").find("positive"), std::string::npos);
  EXPECT_NE(error_of("to = 2\n").find("does not accept"), std::string::npos);
  EXPECT_NE(error_of("mode = \"map\"\n").find("memory"), std::string::npos);
  const std::string bad_memory = tmp("badmem") + ".toml";
  write_text_file(bad_memory, "[[partition]]\nname = \"a.b\"\n");
  EXPECT_NE(error_of("mode = \"map\"\nmemory = \"" + bad_memory + "\"\n").find("'a.b' is not a partition name"), std::string::npos);
  fs::remove(bad_memory);
  EXPECT_NE(error_of("decison = \"fixed\"\n").find("decision"), std::string::npos);
  EXPECT_NE(error_of("confidence = 1.0\n").find("characterize.confidence: must be below 1"), std::string::npos);
  EXPECT_NE(error_of("mode = \"map\"\nmemory = \"" + fs::temp_directory_path().string() + "\"\n").find("is a directory"), std::string::npos);
}

}  // namespace
}  // namespace memlapse
