// The experiment pipeline through the memlapse binary and its CLI, on the torch-free toy backend
// (tests/toy, loaded as the plugin through MEMLAPSE_TORCH_PLUGIN): kill -9 at random moments then
// resume gives the same trials, none lost or duplicated; a typo in an experiment file is a
// file:line error with a suggestion; --print-spec prints a file that runs the same experiment;
// results --where filters; the HTML report loads in headless Chromium without console errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "cli.h"
#include "memlapse/core/rng.h"
#include "memlapse/data/idx.h"
#include "memlapse/experiment/store.h"
#include "toy/toy_model.h"

namespace memlapse {
namespace {

namespace fs = std::filesystem;

bool have_fashion_mnist() { return fs::exists(std::string(kFashionMnistDir) + "/t10k-images-idx3-ubyte.gz"); }

fs::path tmp(const std::string& leaf) {
  const auto d = fs::temp_directory_path() / ("memlapse_pipeline_" + leaf + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

std::string binary_dir() {
  const char* b = std::getenv("MEMLAPSE_BINARY_DIR");
  return b != nullptr ? b : "";
}

struct CliRun {
  int rc;
  std::string out, err;
};

CliRun cli(std::vector<std::string> args) {
  args.insert(args.begin(), "memlapse");
  std::ostringstream out, err;
  const int rc = cli::run_cli(args, out, err);
  return {rc, out.str(), err.str()};
}

// 8 points x 6 chips on the toy network: long enough (a few seconds) for kills to land mid-run.
std::string experiment(const fs::path& out) {
  return "[experiment]\nname = \"kill\"\nout = \"" + out.string() +
         "\"\n[output]\nreport = false\n[model]\nsource = \"toy:32\"\n[data]\nlimit = 400\n[format]\nname = \"fixed\"\nbits = 8\n"
         "[[partition]]\nname = \"sram\"\nfault = {model = \"sram\", voltage = 0.9}\n"
         "[[partition]]\nname = \"dram\"\nfault = {model = \"dram-model1\", vdd_delta = -0.25, weak_bitlines = 0.2}\n"
         "[placement]\ndefault = \"dram\"\n[[placement.rule]]\ntensors = [\"fc2.*\"]\npartition = \"sram\"\n"
         "[sweep]\nchips = 6\nseed = 11\n[[sweep.axis]]\nkey = \"partition.sram.fault.voltage\"\nvalues = [0.84, 0.86, 0.88, 0.9]\n"
         "[[sweep.axis]]\nkey = \"partition.dram.fault.vdd_delta\"\nvalues = [-0.1, -0.25]\n";
}

// Runs the binary with the toy plugin; kill -9 after `after` (if > 0); returns the exit status.
int run_binary(const std::vector<std::string>& args, double after_s) {
  const std::string bin = binary_dir() + "/bin/memlapse", plugin = binary_dir() + "/lib/libmemlapse_toy_backend.so";
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::setenv("MEMLAPSE_TORCH_PLUGIN", plugin.c_str(), 1);
    const int devnull = ::open("/dev/null", O_WRONLY);
    ::dup2(devnull, 1);
    ::dup2(devnull, 2);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(bin.c_str()));
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(bin.c_str(), argv.data());
    ::_exit(127);
  }
  if (after_s > 0) {
    std::this_thread::sleep_for(std::chrono::duration<double>(after_s));
    ::kill(pid, SIGKILL);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return status;
}

std::vector<TrialRecord> trials_of(const fs::path& dir) { return ResultsStore::open_read(dir.string()).trials(); }

class PipelineCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!have_fashion_mnist()) GTEST_SKIP() << "dataset-fashion-mnist not installed";
    ASSERT_FALSE(binary_dir().empty());
    set_model_backend(&testing::toy_backend());
  }
  void TearDown() override { set_model_backend(nullptr); }
};

TEST_F(PipelineCli, KillNineAtRandomMomentsThenResumeGivesTheSameTrialsNoneLostOrDuplicated) {
  const fs::path d = tmp("kill");
  std::ofstream(d / "ref.toml") << experiment(d / "ref");
  std::ofstream(d / "killed.toml") << experiment(d / "killed");
  ASSERT_EQ(run_binary({"run", (d / "ref.toml").string()}, 0), 0);
  const auto reference = trials_of(d / "ref");
  ASSERT_EQ(reference.size(), 48u);
  // Seeded "random" kill moments: early (start-up, first trials), mid-run, late.
  const CounterRng rng(2026, 12, 1);
  std::size_t before = 0;
  int kills = 0;
  for (int round = 0; round < 6; ++round) {
    const double after = 0.05 + 0.9 * rng.uniform(static_cast<std::uint64_t>(round));
    const int status = run_binary({"run", (d / "killed.toml").string(), "--resume"}, after);
    kills += WIFSIGNALED(status) ? 1 : 0;
    if (!fs::exists(d / "killed" / "results.db")) continue;
    const auto now = trials_of(d / "killed");
    EXPECT_GE(now.size(), before) << "a finished trial was lost in round " << round;
    before = now.size();
    for (const auto& t : now) {
      const auto& ref = reference[t.point * 6 + t.chip];
      ASSERT_EQ(ref.point, t.point);
      ASSERT_EQ(ref.chip, t.chip);
      EXPECT_EQ(t.faults, ref.faults);
      EXPECT_EQ(t.mismatch, ref.mismatch);
      EXPECT_EQ(t.error, ref.error);
      EXPECT_EQ(t.partition_faults, ref.partition_faults);
    }
  }
  RecordProperty("kills", kills);
  RecordProperty("trials_before_final_resume", static_cast<int>(before));
  ASSERT_EQ(run_binary({"run", (d / "killed.toml").string(), "--resume"}, 0), 0);
  const auto resumed = trials_of(d / "killed");
  ASSERT_EQ(resumed.size(), reference.size());  // the primary key makes a duplicate impossible; none is missing
  for (std::size_t i = 0; i < resumed.size(); ++i) {
    EXPECT_EQ(resumed[i].point, reference[i].point);
    EXPECT_EQ(resumed[i].chip, reference[i].chip);
    EXPECT_EQ(resumed[i].faults, reference[i].faults);
    EXPECT_EQ(resumed[i].mismatch, reference[i].mismatch);
    EXPECT_EQ(resumed[i].partition_faults, reference[i].partition_faults);
  }
  fs::remove_all(d);
}

TEST_F(PipelineCli, ATypoInAnExperimentFileIsAFileLineErrorWithASuggestion) {
  const fs::path d = tmp("typo");
  std::string text = experiment(d / "out");
  text.replace(text.find("chips = 6"), 9, "chisp = 6");
  std::ofstream(d / "typo.toml") << text;
  const CliRun r = cli({"run", (d / "typo.toml").string()});
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find((d / "typo.toml").string() + ":25: sweep.chisp: unknown key 'chisp' (did you mean 'chips'?)"), std::string::npos)
      << r.err;
  fs::remove_all(d);
}

TEST_F(PipelineCli, PrintSpecGivesAFileThatRunsTheSameExperiment) {
  const fs::path d = tmp("print");
  const CliRun spec = cli({"sweep", "--model", "toy", "--limit", "120", "--bits", "6", "--ber", "1e-3,1e-2", "--chips", "2", "--out",
                           (d / "a").string(), "--set", "output.report=false", "--print-spec"});
  ASSERT_EQ(spec.rc, 0) << spec.err;
  EXPECT_NE(spec.out.find("partition.main.fault.ber"), std::string::npos) << spec.out;
  std::ofstream(d / "printed.toml") << spec.out;
  ASSERT_EQ(cli({"sweep", "--model", "toy", "--limit", "120", "--bits", "6", "--ber", "1e-3,1e-2", "--chips", "2", "--out", (d / "a").string(),
                 "--set", "output.report=false"})
                .rc,
            0);
  const CliRun b = cli({"run", (d / "printed.toml").string(), "--out", (d / "b").string()});
  ASSERT_EQ(b.rc, 0) << b.err;
  const auto ta = trials_of(d / "a"), tb = trials_of(d / "b");
  ASSERT_EQ(ta.size(), 4u);
  ASSERT_EQ(tb.size(), ta.size());
  for (std::size_t i = 0; i < ta.size(); ++i) {
    EXPECT_EQ(ta[i].faults, tb[i].faults);
    EXPECT_EQ(ta[i].mismatch, tb[i].mismatch);
  }
  // --bits reaches the format whatever it is (rquant stores 6 bits, not the default 8).
  const CliRun rq = cli({"sweep", "--model", "toy", "--limit", "50", "--format", "rquant", "--bits", "6", "--ber", "1e-3", "--chips", "1",
                         "--out", (d / "rq").string()});
  ASSERT_EQ(rq.rc, 0) << rq.err;
  EXPECT_NE(rq.out.find("format fixed6-asym-unsigned"), std::string::npos) << rq.out;
  // The ber column holds the rate a voltage implies, not the voltage.
  const CliRun v = cli({"sweep", "--model", "toy", "--limit", "50", "--fault", "sram", "--voltage", "0.85,0.9", "--chips", "1", "--out",
                        (d / "v").string()});
  ASSERT_EQ(v.rc, 0) << v.err;
  EXPECT_NE(v.out.find("ber@main"), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("0.005179"), std::string::npos) << v.out;  // sram_ber(0.85), 004 Fig. 1 as anchored
  fs::remove_all(d);
}

TEST_F(PipelineCli, CharacterizeRunsPrintsItsSpecResumesAndRejectsBadFlags) {
  const fs::path d = tmp("characterize");
  const std::vector<std::string> base = {"characterize", "--model", "toy", "--limit", "300", "--target", "mismatch", "--max-mismatch", "0.05",
                                         "--resolution", "10", "--max-chips", "200", "--out", (d / "c").string()};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> a = base;
    a.insert(a.end(), extra.begin(), extra.end());
    return cli(a);
  };
  const CliRun spec = with({"--print-spec"});
  ASSERT_EQ(spec.rc, 0) << spec.err;
  EXPECT_NE(spec.out.find("[characterize]"), std::string::npos) << spec.out;
  EXPECT_NE(spec.out.find("max_mismatch = 0.05"), std::string::npos) << spec.out;
  const CliRun r = with({});
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.out.find("tolerable: ber = "), std::string::npos) << r.out;
  EXPECT_TRUE(fs::exists(d / "c" / "characterize.json"));
  const CliRun again = with({});
  EXPECT_EQ(again.rc, 1);
  EXPECT_NE(again.err.find("--resume"), std::string::npos) << again.err;
  const CliRun resumed = with({"--resume"});
  ASSERT_EQ(resumed.rc, 0) << resumed.err;
  EXPECT_NE(resumed.out.find(" reused"), std::string::npos) << resumed.out;
  EXPECT_EQ(resumed.out.substr(resumed.out.find("coarse characterization")), r.out.substr(r.out.find("coarse characterization")).replace(
      r.out.substr(r.out.find("coarse characterization")).find(", 0 reused"), 10, ", " + std::to_string(std::count(r.err.begin(), r.err.end(), '\n')) + " reused"))
      << resumed.out;
  const CliRun key = with({"--key", "partition.main.fault.nope"});
  EXPECT_EQ(key.rc, 1);
  EXPECT_NE(key.err.find("characterize.key: 'nope' is not a rate or operating-point parameter of fault model uniform"), std::string::npos) << key.err;
  const CliRun dec = with({"--decision", "maybe"});
  EXPECT_EQ(dec.rc, 1);
  EXPECT_NE(dec.err.find("maybe"), std::string::npos) << dec.err;
  fs::remove_all(d);
}

TEST_F(PipelineCli, ResultsExportFiltersAndReportsClearErrors) {
  const fs::path d = tmp("results");
  ASSERT_EQ(cli({"sweep", "--model", "toy", "--limit", "60", "--ber", "1e-3,1e-2", "--chips", "3", "--out", (d / "r").string()}).rc, 0);
  const CliRun all = cli({"results", (d / "r").string()});
  ASSERT_EQ(all.rc, 0) << all.err;
  EXPECT_EQ(std::count(all.out.begin(), all.out.end(), '\n'), 7);  // header + 6 trials
  const CliRun some = cli({"results", (d / "r").string(), "--where", "chip<2", "--where", "partition.main.fault.ber=0.01"});
  ASSERT_EQ(some.rc, 0) << some.err;
  EXPECT_EQ(std::count(some.out.begin(), some.out.end(), '\n'), 3);
  const CliRun json = cli({"results", (d / "r").string(), "--points", "--json"});
  ASSERT_EQ(json.rc, 0) << json.err;
  EXPECT_NE(json.out.find("\"error_ci_low\""), std::string::npos);
  const CliRun bad = cli({"results", (d / "r").string(), "--where", "chp<2"});
  EXPECT_EQ(bad.rc, 1);
  EXPECT_NE(bad.err.find("did you mean 'chip'"), std::string::npos) << bad.err;
  EXPECT_EQ(cli({"results", (d / "nothing").string()}).rc, 1);
  // The same directory again without --resume: finished work is never overwritten.
  const CliRun again = cli({"sweep", "--model", "toy", "--limit", "60", "--ber", "1e-3,1e-2", "--chips", "3", "--out", (d / "r").string()});
  EXPECT_EQ(again.rc, 1);
  EXPECT_NE(again.err.find("--resume"), std::string::npos) << again.err;
  fs::remove_all(d);
}

// Headless Chromium loads the report with no console message and runs its script to the end
// (data-ready), and a screenshot is produced. The negative control proves the check can fail.
TEST_F(PipelineCli, TheReportLoadsInHeadlessChromiumWithoutConsoleErrors) {
  const char* chromium = "/usr/bin/chromium";
  if (!fs::exists(chromium)) GTEST_SKIP() << "chromium not installed";
  const fs::path d = tmp("browser");
  std::ofstream(d / "e.toml") << experiment(d / "out");
  ASSERT_EQ(cli({"run", (d / "e.toml").string(), "--set", "sweep.chips=2", "--set", "data.limit=100"}).rc, 0);
  ASSERT_EQ(cli({"report", (d / "out").string()}).rc, 0);
  std::ofstream(d / "broken.html") << "<html><body><script>undefinedFunction();</script></body></html>";
  auto browse = [&](const fs::path& page, const std::string& tag) {
    const std::string flags = std::string(chromium) +
                              " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking"
                              " --disable-component-update --disable-sync --enable-logging=stderr --v=0 --user-data-dir=" +
                              (d / ("profile-" + tag)).string();
    const std::string shot = (d / (tag + ".png")).string();
    const std::string cmd1 = "timeout 90 " + flags + " --window-size=1200,2400 --screenshot=" + shot + " file://" + page.string() + " 2> " +
                             (d / (tag + ".log")).string() + " > /dev/null";
    const std::string cmd2 = "timeout 90 " + flags + " --dump-dom file://" + page.string() + " > " + (d / (tag + ".dom")).string() +
                             " 2> /dev/null";
    EXPECT_EQ(std::system(cmd1.c_str()), 0) << cmd1;
    EXPECT_EQ(std::system(cmd2.c_str()), 0) << cmd2;
    std::ifstream log(d / (tag + ".log")), dom(d / (tag + ".dom"));
    std::stringstream l, m;
    l << log.rdbuf();
    m << dom.rdbuf();
    return std::pair<std::string, std::string>{l.str(), m.str()};
  };
  const auto [log, dom] = browse(d / "out" / "report.html", "report");
  EXPECT_EQ(log.find("CONSOLE"), std::string::npos) << log;
  EXPECT_NE(dom.find("data-ready=\"1\""), std::string::npos);
  EXPECT_NE(dom.find("placement diagram"), std::string::npos);
  ASSERT_TRUE(fs::exists(d / "report.png"));
  EXPECT_GT(fs::file_size(d / "report.png"), 20000u);
  RecordProperty("screenshot", (d / "report.png").string());
  const auto [blog, bdom] = browse(d / "broken.html", "broken");
  EXPECT_NE(blog.find("CONSOLE"), std::string::npos) << "the console check cannot fail: " << blog;
  EXPECT_EQ(bdom.find("data-ready"), std::string::npos);
  if (!HasFailure()) fs::remove_all(d);
}

}  // namespace
}  // namespace memlapse
