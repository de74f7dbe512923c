// `memlapse train`: seeded SGD with momentum and weight decay, step or cosine schedule,
// checkpoints after every epoch, resume.
#include <chrono>
#include <cmath>
#include <filesystem>
#include <numbers>
#include <numeric>
#include <random>

#include "adapters/torch/api.h"
#include "adapters/torch/fault_training.h"
#include "adapters/torch/network.h"
#include "memlapse/core/error.h"
#include "memlapse/experiment/progress.h"
#include "memlapse/version.h"

namespace memlapse::torch_adapter {
namespace {

double lr_at(const TrainOptions& o, int epoch) {
  if (o.schedule == "cosine") return 0.5 * o.lr * (1 + std::cos(std::numbers::pi * epoch / o.epochs));
  return o.lr * std::pow(o.step_gamma, epoch / std::max(1, o.step_epochs));
}

// Ranges and choices of every option are the train schema's (experiment/train_spec.cpp), checked
// when the options are read; what remains are the combinations a schema cannot express.
void validate(const TrainOptions& o) {
  if (o.out.empty()) throw Error("train.out: the checkpoint directory is required");
  validate_fault_training(o);
}

// The accuracy of the network as stored (quantized, with activation faults if any).
double accuracy(Network& net, FaultTrainer& ft, const torch::Tensor& x, const torch::Tensor& y, int batch) {
  torch::NoGradGuard ng;
  net.set_training(false);
  ft.begin_evaluation();
  int64_t correct = 0;
  for (int64_t i = 0; i < x.size(0); i += batch) {
    auto xb = x.narrow(0, i, std::min<int64_t>(batch, x.size(0) - i));
    auto pred = net.forward(xb).argmax(1);
    correct += pred.eq(y.narrow(0, i, xb.size(0))).sum().item<int64_t>();
  }
  ft.end_evaluation();
  return static_cast<double>(correct) / static_cast<double>(x.size(0));
}

}  // namespace

TrainReport train(const TrainOptions& o, std::ostream& progress) {
  validate(o);
  configure_threads(o.threads);
  Dataset tr = load_mnist_split(o.data, Split::kTrain);
  DatasetSpec test_spec = o.data;
  test_spec.limit = o.eval_limit;
  test_spec.validation = 0;
  Dataset te = load_mnist_split(test_spec, Split::kTest);
  torch::Tensor xtr = images_tensor(tr), ytr = labels_tensor(tr), xte = images_tensor(te), yte = labels_tensor(te);
  torch::Tensor xva, yva;
  if (o.data.validation > 0) {
    Dataset va = load_mnist_split(o.data, Split::kValidation);
    xva = images_tensor(va);
    yva = labels_tensor(va);
  }

  std::unique_ptr<ZooNetwork> net;
  int start_epoch = 0;
  nlohmann::json history = nlohmann::json::array();
  nlohmann::json trainer_state;
  double prior_seconds = 0;
  const bool resuming = o.resume && std::filesystem::exists(o.out + "/meta.json");
  if (resuming) {
    nlohmann::json meta = read_checkpoint_meta(o.out);
    net = load_checkpoint(o.out);
    start_epoch = meta.value("epoch", 0);
    history = meta.value("history", nlohmann::json::array());
    prior_seconds = meta.value("train_seconds", 0.0);
    trainer_state = meta.value("fault_training_state", nlohmann::json::object());
    static const TrainOptions kDefaults;
    if (meta.value("fault_training", fault_training_meta(kDefaults)) != fault_training_meta(o)) {
      throw Error(o.out + ": checkpoint was trained with other fault-training options (meta.json 'fault_training'); "
                  "resume with the same options");
    }
    if (meta.value("epochs", o.epochs) != o.epochs) {
      throw Error(o.out + ": checkpoint was trained for " + std::to_string(meta.value("epochs", 0)) +
                  " epochs; resume with the same --epochs");
    }
  } else {
    if (!o.resume && std::filesystem::exists(o.out + "/meta.json")) {
      throw Error(o.out + " already holds a checkpoint: pass --resume to continue it, or choose another --out");
    }
    if (o.init.empty()) {
      net = build_zoo(o.arch, o.arch_params, o.seed);
    } else {
      // Retraining (000 §3.2): the architecture and weights are the --init checkpoint's.
      net = load_checkpoint(o.init);
      if (net->arch() != o.arch) throw Error("train: --init " + o.init + " holds a '" + net->arch() + "' network, not --model " + o.arch);
      const auto have = net->arch_params();
      for (const auto& [k, v] : o.arch_params) {
        auto it = have.find(k);
        if (it == have.end() || it->second != v) {
          throw Error("train: --arch-opt " + k + "=" + v + " differs from the --init checkpoint's " + k + "=" +
                      (it == have.end() ? std::string("(unset)") : it->second));
        }
      }
    }
  }
  std::vector<torch::Tensor> params;
  for (auto& [n, p] : net->named_parameters()) params.push_back(p);
  torch::optim::SGD opt(params, torch::optim::SGDOptions(o.lr).momentum(o.momentum).weight_decay(o.weight_decay));
  if (resuming) {
    torch::serialize::InputArchive oa;
    oa.load_from(o.out + "/optimizer.pt");
    opt.load(oa);
  }
  FaultTrainer ft(o, *net, opt);
  if (resuming) ft.load_state(trainer_state);
  int64_t n_params = 0;
  for (auto& p : params) n_params += p.numel();

  const int64_t n = xtr.size(0);
  const int64_t batches = (n + o.batch_size - 1) / o.batch_size;
  TrainReport rep;
  rep.parameters = n_params;
  auto t_start = std::chrono::steady_clock::now();
  for (int epoch = start_epoch; epoch < o.epochs; ++epoch) {
    const double lr = lr_at(o, epoch);
    for (auto& g : opt.param_groups()) static_cast<torch::optim::SGDOptions&>(g.options()).lr(lr);
    // Seeded shuffle: a pure function of (seed, epoch), so a resumed run sees the same batches.
    std::vector<int64_t> perm(static_cast<std::size_t>(n));
    std::iota(perm.begin(), perm.end(), 0);
    std::mt19937_64 gen(o.seed * 1000003ULL + static_cast<std::uint64_t>(epoch));
    std::shuffle(perm.begin(), perm.end(), gen);
    torch::Tensor idx = torch::from_blob(perm.data(), {n}, torch::kInt64);
    torch::manual_seed(o.seed * 7919ULL + static_cast<std::uint64_t>(epoch));
    net->set_training(true);
    ft.begin_epoch(epoch);
    ProgressBar bar(progress, "epoch " + std::to_string(epoch + 1) + "/" + std::to_string(o.epochs), static_cast<std::uint64_t>(batches), "img");
    double loss_sum = 0;
    int64_t correct = 0, seen = 0;
    for (int64_t b = 0; b < batches; ++b) {
      auto bi = idx.narrow(0, b * o.batch_size, std::min<int64_t>(o.batch_size, n - b * o.batch_size));
      auto xb = xtr.index_select(0, bi), yb = ytr.index_select(0, bi);
      StepResult sr = ft.step(xb, yb);
      loss_sum += sr.loss * static_cast<double>(xb.size(0));
      correct += sr.logits.argmax(1).eq(yb).sum().item<int64_t>();
      seen += xb.size(0);
      char extra[64];
      std::snprintf(extra, sizeof extra, "loss %.3f", loss_sum / static_cast<double>(seen));
      bar.update(static_cast<std::uint64_t>(b + 1), static_cast<std::uint64_t>(seen), extra);
    }
    const double test_acc = accuracy(*net, ft, xte, yte, 1000);
    const double val_acc = o.data.validation > 0 ? accuracy(*net, ft, xva, yva, 1000) : -1;
    char extra[128];
    std::snprintf(extra, sizeof extra, "loss %.3f train %.2f%% test %.2f%%%s", loss_sum / static_cast<double>(seen),
                  100.0 * static_cast<double>(correct) / static_cast<double>(seen), 100 * test_acc,
                  val_acc >= 0 ? (" val " + std::to_string(100 * val_acc).substr(0, 5) + "%").c_str() : "");
    bar.finish(extra);
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
    history.push_back({{"epoch", epoch + 1}, {"lr", lr}, {"train_loss", loss_sum / static_cast<double>(seen)},
                       {"train_accuracy", static_cast<double>(correct) / static_cast<double>(seen)},
                       {"test_accuracy", test_acc}, {"validation_accuracy", val_acc}});
    nlohmann::json meta = {
        {"epoch", epoch + 1}, {"epochs", o.epochs}, {"seed", o.seed}, {"batch_size", o.batch_size}, {"lr", o.lr},
        {"momentum", o.momentum}, {"weight_decay", o.weight_decay}, {"schedule", o.schedule},
        {"step_epochs", o.step_epochs}, {"step_gamma", o.step_gamma}, {"dataset", o.data.dir},
        {"train_limit", o.data.limit}, {"validation", o.data.validation}, {"test_accuracy", test_acc},
        {"validation_accuracy", val_acc}, {"parameters", n_params}, {"train_seconds", prior_seconds + elapsed},
        {"threads", torch::get_num_threads()}, {"memlapse_version", kVersion}, {"git_revision", kGitRevision},
        {"history", history}, {"fault_training", fault_training_meta(o)}, {"fault_training_state", ft.state()},
        {"init", o.init}, {"weight_fault_seed", weight_fault_seed(o.seed)},
        {"fault_sampler_version", kFaultSamplerVersion}};
    save_checkpoint(o.out, *net, &opt, meta);
    rep.test_accuracy = test_acc;
    rep.validation_accuracy = val_acc;
    rep.epochs_run++;
    if (o.stop_after > 0 && rep.epochs_run >= o.stop_after) break;
  }
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
  rep.train_seconds = prior_seconds + elapsed;
  rep.seconds_per_epoch = rep.epochs_run > 0 ? elapsed / rep.epochs_run : 0;
  if (rep.epochs_run == 0) {
    nlohmann::json meta = read_checkpoint_meta(o.out);
    rep.test_accuracy = meta.value("test_accuracy", 0.0);
    rep.validation_accuracy = meta.value("validation_accuracy", -1.0);
  }
  return rep;
}

}  // namespace memlapse::torch_adapter
