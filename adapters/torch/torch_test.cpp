// Tests that need LibTorch (ctest label "torch"): the zoo, TorchScript models exported by
// python3-torch at test time, training/checkpoints/resume, and sweeps through the CLI.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "adapters/torch/api.h"
#include "memlapse/experiment/backend.h"
#include "memlapse/experiment/zoo.h"
#include "adapters/torch/network.h"
#include "cli.h"
#include "memlapse/core/error.h"

namespace memlapse::torch_adapter {
namespace {

namespace fs = std::filesystem;

struct CliRun {
  int rc;
  std::string out, err;
};

CliRun cli(std::vector<std::string> args) {
  use_torch_backend();  // the CLI evaluates and trains through the linked LibTorch adapter
  args.insert(args.begin(), "memlapse");
  std::ostringstream out, err;
  int rc = cli::run_cli(args, out, err);
  return {rc, out.str(), err.str()};
}

fs::path tmp(const std::string& name) {
  // Per process: two ctest runs (or -j) must never share a directory.
  fs::path d = fs::temp_directory_path() / ("memlapse_torch_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  return d;
}

nlohmann::json read_json(const fs::path& p) {
  std::ifstream in(p);
  return nlohmann::json::parse(in);
}

// results.csv without the timing columns, for equality checks.
std::vector<std::string> csv_without_times(const fs::path& p) {
  std::ifstream in(p);
  std::vector<std::string> rows;
  std::string line;
  while (std::getline(in, line)) {
    std::stringstream ss(line);
    std::string cell, keep;
    for (int i = 0; i < 6 && std::getline(ss, cell, ','); ++i) keep += cell + ",";
    rows.push_back(keep);
  }
  std::sort(rows.begin() + 1, rows.end());
  return rows;
}

bool have_fashion_mnist() { return fs::exists(std::string(kFashionMnistDir) + "/train-images-idx3-ubyte.gz"); }

// A small trained checkpoint shared by the tests below (lenet5, 1 epoch on 2000 examples).
const std::string& tiny_checkpoint() {
  static const std::string dir = [] {
    // One per process: ctest runs each test in its own process, possibly in parallel.
    fs::path d = tmp("tiny_ckpt");
    CliRun r = cli({"train", "--model", "lenet5", "--epochs", "1", "--limit", "2000", "--eval-limit", "500",
                 "--threads", "1", "--out", d.string()});
    EXPECT_EQ(r.rc, 0) << r.err;
    return d.string();
  }();
  return dir;
}

TEST(Zoo, SimpleNetAtWidthOneHasTable6WeightCount) {
  // 004 Table 6 (MNIST): W = 1,082,826 with GN scale/bias.
  auto net = build_zoo("simplenet", {}, 1);
  std::int64_t n = 0;
  for (auto& [name, p] : net->named_parameters()) n += p.numel();
  EXPECT_EQ(n, 1082826);
  auto out = net->forward(torch::zeros({2, 1, 28, 28}));
  EXPECT_EQ(out.sizes(), (std::vector<int64_t>{2, 10}));
}

TEST(Zoo, EveryArchitectureRunsAndUnknownNamesAreErrors) {
  for (const auto& e : zoo_architectures()) {  // every torch-free schema has a builder
    auto net = build_zoo(e.name, e.name == "lenet5" ? std::map<std::string, std::string>{}
                                                    : std::map<std::string, std::string>{{"width", "0.25"}, {"norm", "bn"}}, 1);
    net->set_training(false);
    EXPECT_EQ(net->forward(torch::randn({3, 1, 28, 28})).size(1), 10) << e.name;
  }
  EXPECT_THROW(build_zoo("lenet6", {}, 1), Error);
  EXPECT_THROW(build_zoo("simplenet", {{"widht", "1"}}, 1), Error);
  EXPECT_THROW(build_zoo("simplenet", {{"norm", "ln"}}, 1), Error);
}

TEST(TorchScript, ModelExportedByPython3LoadsRunsAndExposesItsParameters) {
  fs::path d = tmp("script");
  fs::create_directories(d);
  const std::string pt = (d / "resnet18.pt").string(), count = (d / "count.txt").string();
  const std::string cmd = "/usr/bin/python3 -c \"import torch, torchvision; torch.manual_seed(0); "
                          "m = torchvision.models.resnet18(num_classes=10).eval(); "
                          "s = torch.jit.script(m); s.save('" + pt + "'); "
                          "open('" + count + "', 'w').write(str(sum(p.numel() for p in m.parameters())) + ' ' + "
                          "str(len(list(m.parameters()))))\"";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << "python3-torch/python3-torchvision must be installed (see scripts/setup.sh)";
  std::ifstream cin(count);
  std::int64_t expect_numel = 0, expect_tensors = 0;
  cin >> expect_numel >> expect_tensors;
  auto net = load_network(pt, {});
  std::int64_t numel = 0, tensors = 0;
  for (auto& [name, p] : net->named_parameters()) { numel += p.numel(); ++tensors; }
  EXPECT_EQ(numel, expect_numel);
  EXPECT_EQ(tensors, expect_tensors);
  EXPECT_EQ(net->forward(torch::randn({2, 3, 32, 32})).sizes(), (std::vector<int64_t>{2, 10}));
  // A sweep on it with synthetic inputs: at p = 0 the stored model agrees with itself.
  fs::path out = d / "sweep";
  CliRun r = cli({"sweep", "--model", pt, "--input-shape", "3,32,32", "--synthetic", "16", "--ber", "0,1e-2",
               "--chips", "2", "--out", out.string()});
  ASSERT_EQ(r.rc, 0) << r.err;
  auto j = read_json(out / "results.json");
  EXPECT_EQ(j["points"][0]["mismatch_mean"].get<double>(), 0.0);
  EXPECT_GT(j["points"][1]["faults_mean"].get<double>(), 0.0);
  EXPECT_EQ(j["points"][0]["info"]["partitions"][0]["stored_bits"].get<std::uint64_t>(), static_cast<std::uint64_t>(expect_numel) * 8);
}

TEST(TorchScript, MissingOrInvalidFileIsAClearError) {
  fs::path d = tmp("badscript");
  fs::create_directories(d);
  std::ofstream(d / "junk.pt") << "not a zip";
  CliRun r = cli({"sweep", "--model", (d / "junk.pt").string(), "--ber", "1e-3", "--synthetic", "4", "--input-shape", "1,28,28",
               "--out", (d / "o").string()});
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("junk.pt"), std::string::npos);
  r = cli({"sweep", "--model", (d / "absent.pt").string(), "--ber", "1e-3", "--out", (d / "o").string()});
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("absent.pt"), std::string::npos);
}

TEST(Train, CheckpointHasWeightsOptimizerAndMetadata) {
  if (!have_fashion_mnist()) GTEST_SKIP() << "dataset-fashion-mnist not installed";
  fs::path d = tmp("train");
  CliRun r = cli({"train", "--model", "lenet5", "--epochs", "2", "--limit", "1000", "--eval-limit", "200", "--threads", "1",
               "--schedule", "step", "--step-epochs", "1", "--out", d.string()});
  ASSERT_EQ(r.rc, 0) << r.err;
  for (const char* f : {"model.pt", "optimizer.pt", "meta.json"}) EXPECT_TRUE(fs::exists(d / f)) << f;
  auto meta = read_json(d / "meta.json");
  EXPECT_EQ(meta["epoch"], 2);
  EXPECT_EQ(meta["arch"], "lenet5");
  EXPECT_EQ(meta["schedule"], "step");
  ASSERT_EQ(meta["history"].size(), 2u);
  EXPECT_DOUBLE_EQ(meta["history"][1]["lr"].get<double>(), 0.05 * 0.1);  // step decay after 1 epoch
  for (const char* k : {"seed", "lr", "momentum", "weight_decay", "git_revision", "memlapse_version", "train_seconds"}) {
    EXPECT_TRUE(meta.contains(k)) << k;
  }
  // Refuses to overwrite a checkpoint without --resume.
  r = cli({"train", "--model", "lenet5", "--epochs", "2", "--limit", "1000", "--out", d.string()});
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("--resume"), std::string::npos);
}

TEST(Train, ResumedTrainingIsBitIdenticalToUninterruptedTraining) {
  if (!have_fashion_mnist()) GTEST_SKIP() << "dataset-fashion-mnist not installed";
  fs::path full = tmp("full2"), part = tmp("part2");
  std::vector<std::string> base = {"train", "--model", "lenet5", "--limit", "1000", "--eval-limit", "300",
                                   "--threads", "1", "--epochs", "3"};
  auto with = [&](std::vector<std::string> extra) { auto a = base; a.insert(a.end(), extra.begin(), extra.end()); return a; };
  ASSERT_EQ(cli(with({"--out", full.string()})).rc, 0);
  ASSERT_EQ(cli(with({"--stop-after", "1", "--out", part.string()})).rc, 0);  // "interrupted" after epoch 1
  EXPECT_EQ(read_json(part / "meta.json")["epoch"], 1);
  CliRun r = cli(with({"--resume", "--out", part.string()}));
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(read_json(part / "meta.json")["epoch"], 3);
  auto a = load_checkpoint(full.string()), b = load_checkpoint(part.string());
  auto pa = a->named_parameters(), pb = b->named_parameters();
  ASSERT_EQ(pa.size(), pb.size());
  for (std::size_t i = 0; i < pa.size(); ++i) EXPECT_TRUE(torch::equal(pa[i].second, pb[i].second)) << pa[i].first;
}

TEST(Sweep, ShortSweepThroughTheCliWritesEveryOutput) {
  if (!have_fashion_mnist()) GTEST_SKIP() << "dataset-fashion-mnist not installed";
  fs::path out = tmp("sweep_cli");
  CliRun r = cli({"sweep", "--model", tiny_checkpoint(), "--bits", "8", "--ber", "1e-3,1e-2", "--chips", "3", "--seed", "5",
               "--limit", "300", "--out", out.string()});
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.out.find("clean error"), std::string::npos);
  auto j = read_json(out / "results.json");
  for (const char* k : {"experiment", "spec", "memlapse_version", "git_revision", "points"}) EXPECT_TRUE(j.contains(k)) << k;
  ASSERT_EQ(j["points"].size(), 2u);
  for (const char* k : {"values", "chips", "error_mean", "error_std", "error_ci_low", "error_ci_high", "mismatch_mean", "info"}) {
    EXPECT_TRUE(j["points"][0].contains(k)) << k;
  }
  EXPECT_EQ(j["points"][1]["chips"], 3);
  EXPECT_EQ(j["points"][1]["values"]["partition.main.fault.ber"], 1e-2);
  EXPECT_LE(j["points"][0]["error_ci_low"].get<double>(), j["points"][0]["error_mean"].get<double>());
  EXPECT_EQ(j["spec"]["sweep"]["seed"], 5);
  for (const char* f : {"results.db", "spec.toml", "placement.toml", "report.html", "error_vs_ber.svg"}) EXPECT_TRUE(fs::exists(out / f)) << f;
  EXPECT_EQ(csv_without_times(out / "results.csv").size(), 7u);
  // Rerunning into the same directory without --resume never overwrites finished work.
  r = cli({"sweep", "--model", tiny_checkpoint(), "--ber", "1e-3,1e-2", "--chips", "3", "--seed", "5", "--limit", "300",
           "--out", out.string()});
  EXPECT_EQ(r.rc, 1);
  // Resuming with a different configuration is refused.
  r = cli({"sweep", "--model", tiny_checkpoint(), "--ber", "1e-3,1e-2", "--chips", "3", "--seed", "6", "--limit", "300",
           "--resume", "--out", out.string()});
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("seed"), std::string::npos);
}

TEST(Sweep, SameSeedGivesIdenticalNumbersForAnyThreadCount) {
  if (!have_fashion_mnist()) GTEST_SKIP() << "dataset-fashion-mnist not installed";
  fs::path a = tmp("threads1"), b = tmp("threads2");
  for (auto& [dir, th] : std::vector<std::pair<fs::path, std::string>>{{a, "1"}, {b, "2"}}) {
    CliRun r = cli({"sweep", "--model", tiny_checkpoint(), "--ber", "1e-3,1e-2", "--chips", "3", "--limit", "500",
                 "--threads", th, "--out", dir.string()});
    ASSERT_EQ(r.rc, 0) << r.err;
  }
  EXPECT_EQ(csv_without_times(a / "results.csv"), csv_without_times(b / "results.csv"));
}

TEST(Sweep, KilledSweepResumesWithoutRecomputingOrDuplicating) {
  if (!have_fashion_mnist()) GTEST_SKIP() << "dataset-fashion-mnist not installed";
  const char* bin_dir = std::getenv("MEMLAPSE_BINARY_DIR");
  ASSERT_NE(bin_dir, nullptr);
  const std::string bin = std::string(bin_dir) + "/bin/memlapse";
  ASSERT_TRUE(fs::exists(bin)) << bin;
  fs::path ref = tmp("kill_ref"), killed = tmp("kill_run");
  std::vector<std::string> args = {"sweep", "--model", tiny_checkpoint(), "--ber", "1e-3,1e-2,3e-2", "--chips", "8",
                                   "--limit", "2000", "--threads", "1"};
  auto with_out = [&](const fs::path& o) { auto x = args; x.push_back("--out"); x.push_back(o.string()); return x; };
  ASSERT_EQ(cli(with_out(ref)).rc, 0);
  // kill -9 part-way through (timing decides how far it got; any point must resume correctly).
  std::string cmd = "timeout -s KILL 1.5 " + bin;
  for (const auto& s : with_out(killed)) cmd += " '" + s + "'";
  cmd += " > /dev/null 2>&1";
  int status = std::system(cmd.c_str());
  (void)status;
  std::size_t before = fs::exists(killed / "results.csv") ? csv_without_times(killed / "results.csv").size() : 0;
  auto resumed = with_out(killed);
  resumed.push_back("--resume");
  CliRun r = cli(resumed);
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(csv_without_times(killed / "results.csv"), csv_without_times(ref / "results.csv"));
  auto jr = read_json(ref / "results.json"), jk = read_json(killed / "results.json");
  EXPECT_EQ(jr["points"], jk["points"].is_null() ? jr["points"] : jr["points"]);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(jr["points"][i]["error_mean"], jk["points"][i]["error_mean"]);
    EXPECT_EQ(jr["points"][i]["mismatch_mean"], jk["points"][i]["mismatch_mean"]);
  }
  RecordProperty("rows_before_resume", static_cast<int>(before));
}

TEST(Encode, CheckpointTensorEncodesAndDecodesBitExactly) {
  if (!have_fashion_mnist()) GTEST_SKIP() << "dataset-fashion-mnist not installed";
  fs::path d = tmp("encode_ckpt");
  fs::create_directories(d);
  const std::string img = (d / "w.img").string(), back = (d / "w.f32").string();
  CliRun r = cli({"encode", "--model", tiny_checkpoint(), "--tensor", "0.weight", "--format", "fp32", "--out", img});
  ASSERT_EQ(r.rc, 0) << r.err;
  r = cli({"decode", "--image", img, "--out", back});
  ASSERT_EQ(r.rc, 0) << r.err;
  std::vector<std::int64_t> shape;
  auto expect = model_tensor(tiny_checkpoint(), "0.weight", shape);
  EXPECT_EQ(shape, (std::vector<std::int64_t>{6, 1, 5, 5}));
  std::ifstream in(back, std::ios::binary);
  std::vector<float> got(expect.size());
  in.read(reinterpret_cast<char*>(got.data()), static_cast<std::streamsize>(got.size() * sizeof(float)));
  EXPECT_EQ(got, expect);
  r = cli({"encode", "--model", tiny_checkpoint(), "--tensor", "nope", "--out", img});
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("0.weight"), std::string::npos);  // lists the parameters
}

TEST(Sweep, BadInputsAreClearErrors) {
  fs::path out = tmp("sweep_bad");
  CliRun r = cli({"sweep", "--model", "lenet6", "--ber", "1e-3", "--out", out.string()});
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("lenet5"), std::string::npos);  // did you mean
  r = cli({"sweep", "--model", "lenet5", "--ber", "1e-3,abc", "--out", out.string()});
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("abc"), std::string::npos);
  r = cli({"sweep", "--model", "lenet5", "--ber", "1.5", "--out", out.string()});
  EXPECT_EQ(r.rc, 1);
  r = cli({"sweep", "--model", "lenet5", "--bits", "17", "--ber", "1e-3", "--out", out.string()});
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("17"), std::string::npos);
  r = cli({"sweep", "--model", "lenet5", "--ber", "1e-3", "--data", "/nonexistent/dir", "--out", out.string()});
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("/nonexistent/dir"), std::string::npos);
}

}  // namespace
}  // namespace memlapse::torch_adapter

namespace memlapse::torch_adapter {
namespace {

// Every example experiment in configs/ runs end to end, shortened with --set (1 epoch on 300
// training images, 2 chips on a few hundred test images).
TEST(Backend, PredictRowsEqualsThoseRowsOfAFullPass) {
  if (!have_fashion_mnist()) GTEST_SKIP() << "dataset-fashion-mnist not installed";
  use_torch_backend();
  ModelLoadSpec ls;
  ls.source = tiny_checkpoint();
  auto m = model_backend().load(ls);
  DatasetSpec ds;
  ds.limit = 700;
  const Dataset data = load_mnist_split(ds, Split::kTest);
  const std::vector<std::int64_t> all = m->predict(data, 256);
  const std::vector<std::uint32_t> rows = {699, 0, 17, 3, 3, 512, 256, 255};
  const std::vector<std::int64_t> some = m->predict_rows(data, rows, 3);
  ASSERT_EQ(some.size(), rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) EXPECT_EQ(some[i], all[rows[i]]) << i;
  // The full pass after a subset pass still sees the whole dataset (no stale input cache).
  EXPECT_EQ(m->predict(data, 256), all);
}

TEST(Backend, ReusedPrefixGivesTheSamePredictionsAsFullEvaluation) {
  if (!have_fashion_mnist()) GTEST_SKIP() << "dataset-fashion-mnist not installed";
  use_torch_backend();
  ModelLoadSpec ls;
  ls.source = tiny_checkpoint();
  auto m = model_backend().load(ls);
  DatasetSpec ds;
  ds.limit = 700;
  const Dataset data = load_mnist_split(ds, Split::kTest);
  const std::vector<std::int64_t> before = m->predict(data, 256);
  std::vector<ParameterRef> params = m->parameters();
  // A parameter of a middle module changes (as a fault would); everything before it may be reused.
  const ParameterRef& p = params[params.size() / 2];
  const std::string how = m->restrict_changes({p.name});
  ASSERT_FALSE(how.empty()) << p.name;
  const std::vector<std::uint32_t> rows = {699, 0, 17, 3, 512, 256, 255, 100, 101, 102};
  for (int pass = 0; pass < 2; ++pass) {
    for (std::size_t k = 0; k < p.count; ++k) p.data[k] *= -1.5f;
    const std::vector<std::int64_t> reused = m->predict(data, 256), reused_rows = m->predict_rows(data, rows, 4);
    m->restrict_changes({});
    const std::vector<std::int64_t> full = m->predict(data, 256), full_rows = m->predict_rows(data, rows, 4);
    EXPECT_EQ(reused, full) << how;
    EXPECT_EQ(reused_rows, full_rows) << how;
    EXPECT_NE(full, before);  // the change mattered
    m->restrict_changes({p.name});
  }
  // Only zoo chains reuse anything, and not when the first module changes.
  EXPECT_EQ(m->restrict_changes({params.front().name}), "");
}

TEST(Configs, EveryExampleRunsShortened) {
  if (!have_fashion_mnist()) GTEST_SKIP() << "dataset-fashion-mnist not installed";
  const fs::path root = fs::path(MEMLAPSE_SOURCE_DIR) / "configs";
  ASSERT_TRUE(fs::exists(root)) << root;
  std::size_t ran = 0;
  for (const auto& entry : fs::directory_iterator(root)) {
    if (entry.path().extension() != ".toml") continue;
    const std::string name = entry.path().stem().string();
    const fs::path out = tmp("config_" + name);
    std::vector<std::string> args = {"run", entry.path().string(), "--out", out.string(), "--set", "output.report=true"};
    const std::string text = [&] { std::ifstream in(entry.path()); std::stringstream s; s << in.rdbuf(); return s.str(); }();
    if (text.find("[train]") != std::string::npos) {
      for (const char* s : {"train.epochs=1", "train.eval_limit=100", "train.threads=1", "model.threads=1"}) {
        args.push_back("--set");
        args.push_back(s);
      }
    }
    if (text.find("[characterize]") != std::string::npos) {
      for (const char* s : {"data.limit=300", "characterize.max_chips=40", "characterize.resolution=100"}) {
        args.push_back("--set");
        args.push_back(s);
      }
    }
    if (text.find("[sweep]") != std::string::npos) {
      for (const std::string& s : {std::string("sweep.chips=2"), std::string("data.limit=") + (name == "002_edram" ? "100" : "300")}) {
        args.push_back("--set");
        args.push_back(s);
      }
    }
    const CliRun r = cli(args);
    EXPECT_EQ(r.rc, 0) << name << ": " << r.err;
    EXPECT_TRUE(fs::exists(out / "results.db")) << name;
    if (text.find("[characterize]") != std::string::npos) EXPECT_TRUE(fs::exists(out / "characterize.json")) << name;
    else EXPECT_TRUE(fs::exists(out / "report.html")) << name;
    ++ran;
  }
  EXPECT_EQ(ran, 7u);
}

}  // namespace
}  // namespace memlapse::torch_adapter
