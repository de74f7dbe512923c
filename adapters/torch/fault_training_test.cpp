// Fault-aware training (ctest label "torch"): QAT + STE, clipping, the 004 App. E norm
// re-parameterisation, RANDBET's perturbed pass, the curricular schedules, activation faults and
// checkpoint metadata. Tiny networks and random data; each test runs in seconds on one thread.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "adapters/torch/activation_faults.h"
#include "adapters/torch/api.h"
#include "adapters/torch/fault_training.h"
#include "adapters/torch/network.h"
#include "cli.h"
#include "memlapse/core/error.h"

namespace memlapse::torch_adapter {
namespace {

namespace fs = std::filesystem;

// The CLI evaluates and trains through the model backend: here, the linked LibTorch adapter.
const bool kBackend = (use_torch_backend(), true);

std::vector<torch::Tensor> snapshot(ZooNetwork& net) {
  std::vector<torch::Tensor> out;
  for (auto& [n, p] : net.named_parameters()) out.push_back(p.detach().clone());
  return out;
}

// The parameters as `format` stores them, with `faults` of (seed, chip) applied when given: an
// independent replay of what QuantizedWeights should produce.
std::vector<torch::Tensor> stored(const std::vector<torch::Tensor>& w, ZooNetwork& net, const std::string& format,
                                  const FaultModel* faults, std::uint64_t seed, std::uint64_t chip) {
  MemoryImage img(std::shared_ptr<const Format>(make_format(format, {{"bits", "8"}})));
  std::vector<std::span<const float>> all;
  for (const auto& t : w) all.emplace_back(t.data_ptr<float>(), static_cast<std::size_t>(t.numel()));
  img.prepare(all);
  auto named = net.named_parameters();
  for (std::size_t i = 0; i < w.size(); ++i) {
    img.add_tensor(named[i].first, std::vector<std::int64_t>(w[i].sizes().begin(), w[i].sizes().end()), all[i]);
  }
  std::unique_ptr<Injection> inj;
  if (faults != nullptr) inj = std::make_unique<Injection>(img, faults->sample(img, seed, chip));
  std::vector<torch::Tensor> out;
  for (std::size_t i = 0; i < w.size(); ++i) {
    out.push_back(torch::empty_like(w[i]));
    img.read_tensor(static_cast<std::uint32_t>(i), std::span<float>(out.back().data_ptr<float>(), all[i].size()));
  }
  return out;
}

TrainOptions tiny_options() {
  TrainOptions o;
  o.arch = "lenet5";
  o.quant = "rquant";
  o.quant_params = {{"bits", "8"}};
  o.lr = 0.1;
  o.momentum = 0;
  o.weight_decay = 0;
  o.out = "unused";
  return o;
}

std::pair<torch::Tensor, torch::Tensor> batch(int n) {
  torch::manual_seed(3);
  return {torch::randn({n, 1, 28, 28}), torch::randint(0, 10, {n}, torch::kInt64)};
}

TEST(Clipping, EveryParameterIsWithinWmaxAfterEveryStep) {
  torch::set_num_threads(1);
  TrainOptions o = tiny_options();
  o.arch = "simplenet";
  o.clip = 0.02;
  o.lr = 0.5;  // large steps push weights out of range between clips
  o.randbet = 0.01;
  o.randbet_threshold = 1e9;
  auto net = build_zoo("simplenet", {{"width", "0.125"}}, 1);
  std::vector<torch::Tensor> params;
  for (auto& [n, p] : net->named_parameters()) params.push_back(p);
  torch::optim::SGD opt(params, torch::optim::SGDOptions(o.lr));
  FaultTrainer ft(o, *net, opt);
  ft.begin_epoch(0);
  auto [x, y] = batch(8);
  for (int s = 0; s < 4; ++s) {
    StepResult r = ft.step(x, y);
    EXPECT_GT(r.faults, 0u);
    for (auto& [n, p] : net->named_parameters()) EXPECT_LE(p.abs().max().item<float>(), 0.02f) << n << " step " << s;
  }
}

TEST(Reparam, NormScaleIsOnePlusAlphaPrimeStartingAtZero) {
  auto x = torch::randn({2, 8, 5, 5});
  for (const std::string kind : {"gn", "bn"}) {
    Norm re(kind, 8, true), plain(kind, 8, false);
    EXPECT_TRUE(torch::equal(re->weight, torch::zeros({8}))) << kind;  // alpha' = 0: the identity scale
    torch::NoGradGuard ng;
    re->weight.fill_(0.25);
    plain->weight.fill_(1.25);
    re->bias.fill_(0.5);
    plain->bias.fill_(0.5);
    EXPECT_TRUE(torch::allclose(re->forward(x), plain->forward(x))) << kind;
    const auto ref = kind == "gn" ? torch::group_norm(x, 2, torch::full({8}, 1.25), torch::full({8}, 0.5))
                                  : torch::batch_norm(x, torch::full({8}, 1.25), torch::full({8}, 0.5), {}, {}, true, 0.1, 1e-5, false);
    EXPECT_TRUE(torch::allclose(re->forward(x), ref, 1e-5, 1e-5)) << kind;
  }
  // The re-parameterisation keeps 004 Table 6's weight count.
  for (const char* r : {"true", "false"}) {
    auto net = build_zoo("simplenet", {{"reparam", r}}, 1);
    std::int64_t n = 0;
    for (auto& [name, p] : net->named_parameters()) n += p.numel();
    EXPECT_EQ(n, 1082826) << r;
  }
}

TEST(Reparam, BatchStatisticsEvaluationUsesTheBatchNotTheRunningStatistics) {
  Norm bn("bn", 4, true);
  bn->eval();
  auto x = torch::randn({16, 4, 3, 3}) * 3 + 2;
  auto running = bn->forward(x);
  EXPECT_TRUE(torch::allclose(running, x / std::sqrt(1 + 1e-5), 1e-5, 1e-5));  // mean 0, var 1
  bn->batch_stats = true;
  auto batch_out = bn->forward(x);
  EXPECT_NEAR(batch_out.mean().item<double>(), 0.0, 1e-4);
  EXPECT_TRUE(torch::equal(bn->running_mean, torch::zeros({4})));  // evaluation never updates them
}

TEST(QuantizedWeights, PerturbedValuesAreTheFaultyStoredWeightsAndRestoreGivesTheFloats) {
  auto net = build_zoo("lenet5", {}, 1);
  const auto w = snapshot(*net);
  QuantizedWeights qw(net->named_parameters(), std::shared_ptr<const Format>(make_format("rquant", {{"bits", "8"}})), false);
  qw.quantize();
  const auto clean = stored(w, *net, "rquant", nullptr, 0, 0);
  auto model = make_fault_model("uniform", {{"ber", "0.02"}});
  const auto faulty = stored(w, *net, "rquant", model.get(), 7, 3);
  auto params = net->named_parameters();
  for (std::size_t i = 0; i < w.size(); ++i) EXPECT_TRUE(torch::equal(params[i].second, clean[i])) << params[i].first;
  EXPECT_GT(qw.perturb(*model, 7, 3), 0u);
  bool any_changed = false;
  for (std::size_t i = 0; i < w.size(); ++i) {
    EXPECT_TRUE(torch::equal(params[i].second, faulty[i])) << params[i].first;  // bit-exact replay
    any_changed |= !torch::equal(faulty[i], clean[i]);
  }
  EXPECT_TRUE(any_changed);
  qw.unperturb();
  for (std::size_t i = 0; i < w.size(); ++i) EXPECT_TRUE(torch::equal(params[i].second, clean[i])) << params[i].first;
  qw.restore();
  for (std::size_t i = 0; i < w.size(); ++i) EXPECT_TRUE(torch::equal(params[i].second, w[i])) << params[i].first;
}

TEST(QuantizedWeights, ZeroCorrectionZeroesValuesOutsideTheFaultFreeRange) {
  auto net = build_zoo("lenet5", {}, 1);
  QuantizedWeights qw(net->named_parameters(), std::shared_ptr<const Format>(make_format("fixed", {{"bits", "8"}})), true);
  qw.quantize();
  std::vector<std::pair<float, float>> bounds;
  for (auto& [n, p] : net->named_parameters()) bounds.emplace_back(p.min().item<float>(), p.max().item<float>());
  qw.perturb(*make_fault_model("uniform", {{"ber", "0.2"}}), 1, 0);
  std::size_t i = 0;
  for (auto& [n, p] : net->named_parameters()) {
    EXPECT_GE(p.min().item<float>(), bounds[i].first) << n;
    EXPECT_LE(p.max().item<float>(), bounds[i].second) << n;
    ++i;
  }
}

// Alg. 1 line 16: w <- w - lr (grad at w_q + grad at w~_q), both gradients taken at stored values.
TEST(Randbet, UpdateIsTheSumOfCleanAndPerturbedGradientsAppliedToTheFloatWeights) {
  torch::set_num_threads(1);
  TrainOptions o = tiny_options();
  o.randbet = 0.02;
  o.randbet_threshold = 1e9;  // inject from the first step
  auto net = build_zoo("lenet5", {}, 1);
  std::vector<torch::Tensor> params;
  for (auto& [n, p] : net->named_parameters()) params.push_back(p);
  torch::optim::SGD opt(params, torch::optim::SGDOptions(o.lr));
  FaultTrainer ft(o, *net, opt);
  ft.begin_epoch(0);
  const auto w = snapshot(*net);
  auto [x, y] = batch(8);

  auto model = make_fault_model("uniform", {{"ber", "0.02"}});
  const auto wq = stored(w, *net, "rquant", nullptr, 0, 0);
  const auto wp = stored(w, *net, "rquant", model.get(), ft.fault_seed(), 0);
  auto ref = build_zoo("lenet5", {}, 2);
  auto grads_at = [&](const std::vector<torch::Tensor>& values) {
    auto rp = ref->named_parameters();
    {
      torch::NoGradGuard ng;
      for (std::size_t i = 0; i < rp.size(); ++i) rp[i].second.copy_(values[i]);
    }
    for (auto& [n, p] : rp) if (p.grad().defined()) p.grad().zero_();
    torch::nn::functional::cross_entropy(ref->forward(x), y).backward();
    std::vector<torch::Tensor> g;
    for (auto& [n, p] : rp) g.push_back(p.grad().clone());
    return g;
  };
  const auto g_clean = grads_at(wq), g_pert = grads_at(wp);

  StepResult r = ft.step(x, y);
  EXPECT_GT(r.faults, 0u);
  auto after = net->named_parameters();
  for (std::size_t i = 0; i < w.size(); ++i) {
    auto expect = w[i] - o.lr * (g_clean[i] + g_pert[i]);
    EXPECT_TRUE(torch::allclose(after[i].second, expect, 1e-5, 1e-6)) << after[i].first;
    // The update lands on the float weights, not on their quantized values.
    EXPECT_FALSE(torch::allclose(after[i].second, wq[i] - o.lr * (g_clean[i] + g_pert[i]), 1e-7, 1e-9)) << after[i].first;
  }
}

TEST(Randbet, NoInjectionUntilTheCleanLossIsBelowTheThreshold) {
  TrainOptions o = tiny_options();
  o.randbet = 0.02;
  o.randbet_threshold = 1e-6;  // never reached
  auto net = build_zoo("lenet5", {}, 1);
  std::vector<torch::Tensor> params;
  for (auto& [n, p] : net->named_parameters()) params.push_back(p);
  torch::optim::SGD opt(params, torch::optim::SGDOptions(o.lr));
  FaultTrainer ft(o, *net, opt);
  ft.begin_epoch(0);
  auto [x, y] = batch(4);
  EXPECT_EQ(ft.step(x, y).faults, 0u);
  EXPECT_FALSE(ft.state()["injecting"].get<bool>());
}

TEST(Curricular, ErrorRateRisesFromZeroInStepsEveryTwoEpochs) {
  const double expect[] = {0, 0, 0.01, 0.01, 0.02, 0.02, 0.03, 0.03, 0.04, 0.04, 0.04};
  for (int e = 0; e < 11; ++e) EXPECT_DOUBLE_EQ(curricular_rate(e, 0.04, 2, 4), expect[e]) << e;
  // steps = 0: non-curricular retraining, the target rate from the first epoch (000 §6.4's baseline).
  for (int e = 0; e < 4; ++e) EXPECT_DOUBLE_EQ(curricular_rate(e, 0.04, 2, 0), 0.04) << e;
  TrainOptions o;
  o.epochs = 10;
  o.randbet = 0.02;
  o.randbet_variant = "curricular";  // 004 App. G.4: p/20 rising to p at half of training
  EXPECT_DOUBLE_EQ(randbet_rate(o, 0), 0.001);
  EXPECT_DOUBLE_EQ(randbet_rate(o, 5), 0.02);
  EXPECT_DOUBLE_EQ(randbet_rate(o, 9), 0.02);
  EXPECT_LT(randbet_rate(o, 2), randbet_rate(o, 3));
  // A bare RATE sets "ber", or the weak-cell fraction of EDEN's DRAM models (000 §4).
  EXPECT_EQ(rate_key_of("uniform"), "ber");
  EXPECT_EQ(rate_key_of("dram-model0"), "P");
  EXPECT_THROW(rate_key_of("unifrom"), Error);
}

TEST(ActivationFaults, ReachTheTargetedModuleAndNoOther) {
  auto net = build_zoo("lenet5", {}, 1);
  net->set_training(false);
  auto [x, y] = batch(4);
  for (const auto& [text, module, output] : std::vector<std::tuple<std::string, std::size_t, bool>>{
           {"ofm:3:fixed,bits=8:uniform:0.05", 3, true}, {"ifm:0:fixed,bits=8:uniform:0.05", 0, false}}) {
    ActivationFaults af(*net, {parse_activation_fault(text, "--act-faults")}, 1, false);
    std::map<std::pair<std::size_t, bool>, torch::Tensor> with, without;
    for (bool inject : {false, true}) {
      af.set_inject(inject);
      af.set_chip(0);
      auto h = af.hook();
      auto& rec = inject ? with : without;
      net->set_activation_hook([&](std::size_t m, bool out, const torch::Tensor& t) {
        auto v = h(m, out, t);
        rec[{m, out}] = v.detach().clone();
        return v;
      });
      torch::NoGradGuard ng;
      net->forward(x);
    }
    net->set_activation_hook({});
    auto ordinal = [](std::pair<std::size_t, bool> site) { return 2 * site.first + (site.second ? 1 : 0); };
    const std::pair<std::size_t, bool> target{module, output};
    EXPECT_FALSE(torch::equal(with[target], without[target])) << text;
    for (const auto& [site, t] : with) {
      if (ordinal(site) < ordinal(target)) {
        EXPECT_TRUE(torch::equal(t, without[site])) << text << " upstream " << site.first;
      }
    }
    // What leaves the target reaches the next site unchanged: no other site injects.
    for (std::size_t m = module; m + 1 < net->module_count(); ++m) {
      EXPECT_TRUE(torch::equal(with[{m + 1, false}], with[{m, true}])) << text << " module " << m;
    }
    ASSERT_EQ(af.faults_per_site().size(), 1u) << text;
    EXPECT_EQ(af.faults_per_site().begin()->first, std::make_pair(module, output)) << text;
  }
  EXPECT_THROW((ActivationFaults(*net, {parse_activation_fault("ofm:99:fixed:uniform:0.1", "--act-faults")}, 1, false)), Error);
  EXPECT_THROW(parse_activation_fault("xfm:0:fixed:uniform:0.1", "--act-faults"), Error);
  EXPECT_THROW(parse_activation_fault("ofm:0:fixed:uniform:abc", "--act-faults"), Error);
}

TEST(Checkpoint, FaultTrainingMetadataRoundTripsEveryOption) {
  TrainOptions o;
  o.quant = "rquant";
  o.quant_params = {{"bits", "4"}};
  o.clip = 0.1;
  o.randbet = 0.01;
  o.pattbet = 0.02;  // (exclusive with randbet in a real run; the metadata does not care)
  o.randbet_fault = "dram-model0";
  o.randbet_fault_params = {{"k", "v"}};
  o.randbet_threshold = 2.5;
  o.randbet_variant = "alternating";
  o.curricular = "uniform:0.04";
  o.curricular_fault_params = {{"a", "b"}};
  o.curricular_every = 3;
  o.curricular_steps = 7;
  o.correct = "zero";
  o.act_faults = {"ofm:conv:fixed:uniform:0.001"};
  o.label_smoothing = 0.1;
  o.bn_batch_stats = true;
  const auto j = nlohmann::json::parse(fault_training_meta(o).dump());
  TrainOptions back;
  read_fault_training_meta(j, back);
  EXPECT_EQ(fault_training_meta(back), fault_training_meta(o));
  EXPECT_EQ(back.quant_params, o.quant_params);
  EXPECT_EQ(back.randbet_variant, "alternating");
  EXPECT_EQ(back.act_faults, o.act_faults);
  EXPECT_TRUE(back.bn_batch_stats);
  // Every field differs from its default, so a field missing from the JSON would show.
  const TrainOptions defaults;
  const auto d = fault_training_meta(defaults);
  for (const auto& [k, v] : j.items()) EXPECT_NE(d[k], v) << k;
  EXPECT_EQ(j.size(), d.size());
}

TEST(Checkpoint, TrainWritesTheOptionsAndSweepEvaluatesInTheCheckpointFormat) {
  if (!fs::exists(std::string(kFashionMnistDir) + "/train-images-idx3-ubyte.gz")) GTEST_SKIP() << "no dataset";
  fs::path d = fs::temp_directory_path() / ("memlapse_ft_ckpt_" + std::to_string(::getpid()));
  fs::remove_all(d);
  std::ostringstream out, err;
  int rc = cli::run_cli({"memlapse", "train", "--model", "lenet5", "--epochs", "1", "--limit", "300", "--eval-limit", "100",
                         "--threads", "1", "--quant", "rquant", "--bits", "4", "--clip", "0.1", "--randbet", "0.01",
                         "--randbet-threshold", "5", "--label-smoothing", "0.1", "--correct", "zero", "--out", (d / "c").string()},
                        out, err);
  ASSERT_EQ(rc, 0) << err.str();
  std::ifstream in(d / "c" / "meta.json");
  auto meta = nlohmann::json::parse(in);
  const auto& ft = meta["fault_training"];
  EXPECT_EQ(ft["quant"], "rquant");
  EXPECT_EQ(ft["quant_params"]["bits"], "4");
  EXPECT_EQ(ft["clip"], 0.1);
  EXPECT_EQ(ft["randbet"], 0.01);
  EXPECT_EQ(ft["label_smoothing"], 0.1);
  EXPECT_EQ(ft["correct"], "zero");
  EXPECT_TRUE(meta["fault_training_state"]["injecting"].get<bool>());
  std::ostringstream out2, err2;
  rc = cli::run_cli({"memlapse", "sweep", "--model", (d / "c").string(), "--ber", "1e-2", "--chips", "2", "--limit", "100",
                     "--threads", "1", "--faults-in", "both", "--out", (d / "s").string()},
                    out2, err2);
  ASSERT_EQ(rc, 0) << err2.str();
  // The checkpoint's format, correction and activation sites are what the sweep evaluated.
  std::ifstream cin(d / "s" / "results.json");
  const auto info = nlohmann::json::parse(cin)["points"][0]["info"];
  EXPECT_EQ(info["format_params"]["bits"], "4");
  EXPECT_EQ(info["format_name"], "rquant");
  EXPECT_EQ(info["correct"], "zero");
  EXPECT_EQ(info["activation_sites"], "ofm:conv");
  EXPECT_TRUE(info["weights_faulty"].get<bool>());
}


TEST(Retraining, InitStartsFromTheCheckpointAndOwnPatternReplaysPattbetsPattern) {
  if (!fs::exists(std::string(kFashionMnistDir) + "/train-images-idx3-ubyte.gz")) GTEST_SKIP() << "no dataset";
  fs::path d = fs::temp_directory_path() / ("memlapse_ft_init_" + std::to_string(::getpid()));
  fs::remove_all(d);
  std::ostringstream out, err;
  const std::vector<std::string> common = {"--model", "lenet5", "--epochs", "1", "--limit", "256", "--eval-limit", "100",
                                           "--threads", "1", "--quant", "rquant", "--bits", "4"};
  auto train = [&](std::vector<std::string> extra) {
    std::vector<std::string> a = {"memlapse", "train"};
    a.insert(a.end(), common.begin(), common.end());
    a.insert(a.end(), extra.begin(), extra.end());
    return cli::run_cli(a, out, err);
  };
  ASSERT_EQ(train({"--pattbet", "0.05", "--randbet-threshold", "5", "--out", (d / "p").string()}), 0) << err.str();
  // --init with a negligible learning rate: the new checkpoint holds the initial weights.
  ASSERT_EQ(train({"--init", (d / "p").string(), "--lr", "1e-12", "--weight-decay", "0", "--curricular", "uniform:0.01",
                   "--curricular-steps", "0", "--out", (d / "r").string()}), 0) << err.str();
  auto a = load_checkpoint((d / "p").string()), b = load_checkpoint((d / "r").string());
  auto pa = a->named_parameters(), pb = b->named_parameters();
  ASSERT_EQ(pa.size(), pb.size());
  for (std::size_t i = 0; i < pa.size(); ++i) {
    EXPECT_TRUE(torch::allclose(pa[i].second, pb[i].second, 0, 1e-6)) << pa[i].first;
  }
  auto fresh = build_zoo("lenet5", {}, 1);  // what the run would have started from without --init
  EXPECT_FALSE(torch::allclose(fresh->named_parameters()[0].second, pb[0].second, 0, 1e-3));
  EXPECT_EQ(read_checkpoint_meta((d / "r").string())["init"], (d / "p").string());
  err.str("");
  EXPECT_NE(train({"--init", (d / "p").string(), "--arch-opt", "width=2", "--out", (d / "x").string()}), 0);
  EXPECT_NE(err.str().find("width"), std::string::npos) << err.str();

  // --own-pattern evaluates the pattern PATTBET trained on: replay it with QuantizedWeights
  // (the trainer's own path) and compare the test error on the same 100 examples.
  QuantizedWeights qw(a->named_parameters(), std::shared_ptr<const Format>(make_format("rquant", {{"bits", "4"}})), false);
  qw.quantize();
  auto model = make_fault_model("uniform", {{"ber", "0.05"}});
  ASSERT_GT(qw.perturb(*model, weight_fault_seed(1), 0), 0u);
  DatasetSpec spec;
  spec.limit = 100;
  Dataset te = load_mnist_split(spec, Split::kTest);
  a->set_training(false);
  torch::NoGradGuard ng;
  const double replay_error =
      1.0 - a->forward(images_tensor(te)).argmax(1).eq(labels_tensor(te)).sum().item<double>() / 100.0;
  auto sweep_error = [&](std::vector<std::string> extra, const std::string& name) {
    std::vector<std::string> args = {"memlapse", "sweep", "--model", (d / "p").string(), "--ber", "0.05", "--limit", "100",
                                     "--threads", "1", "--out", (d / name).string()};
    args.insert(args.end(), extra.begin(), extra.end());
    std::ostringstream o2, e2;
    EXPECT_EQ(cli::run_cli(args, o2, e2), 0) << e2.str();
    std::ifstream in(d / name / "results.json");
    return nlohmann::json::parse(in)["points"][0]["error_mean"].get<double>();
  };
  EXPECT_DOUBLE_EQ(sweep_error({"--own-pattern"}, "own"), replay_error);
  std::ostringstream o3, e3;
  EXPECT_NE(cli::run_cli({"memlapse", "sweep", "--model", (d / "r").string(), "--ber", "0.05", "--own-pattern", "--out",
                          (d / "bad").string()}, o3, e3), 0);
  EXPECT_NE(e3.str().find("PATTBET"), std::string::npos) << e3.str();
  fs::remove_all(d);
}

}  // namespace
}  // namespace memlapse::torch_adapter
