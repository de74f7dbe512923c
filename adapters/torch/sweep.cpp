// `memlapse sweep`: the bridge between a network's parameters and the memory image, and the
// campaign over bit error rates and chips.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "adapters/torch/activation_faults.h"
#include "adapters/torch/api.h"
#include "adapters/torch/fault_training.h"
#include "adapters/torch/network.h"
#include "memlapse/core/error.h"
#include "memlapse/experiment/campaign.h"
#include "memlapse/experiment/progress.h"
#include "memlapse/experiment/svg_plot.h"
#include "memlapse/version.h"

namespace memlapse::torch_adapter {
namespace {

// The network as a ModelUnderTest: its parameters alias the image's tensors (same order).
class TorchModelUnderTest : public ModelUnderTest {
 public:
  TorchModelUnderTest(Network& net, torch::Tensor x, std::vector<std::int64_t> labels, int batch)
      : net_(net), x_(std::move(x)), labels_(std::move(labels)), batch_(batch) {
    for (auto& [name, p] : net_.named_parameters()) {
      if (p.scalar_type() != torch::kFloat32) throw Error("parameter " + name + " is not float32; memlapse stores float32 parameters");
      if (!p.is_contiguous()) throw Error("parameter " + name + " is not contiguous");
      params_.push_back(p);
      ptrs_.push_back(p.data_ptr<float>());
    }
  }
  // Encodes every parameter into `image` and replaces the parameter by its decoded value, so the
  // fault-free model is the model as stored. Formats with a model-wide range (range=global) learn
  // it from all parameters first (MemoryImage::prepare).
  void store_into(MemoryImage& image) {
    auto named = net_.named_parameters();
    std::vector<std::span<const float>> all;
    for (std::size_t i = 0; i < params_.size(); ++i) all.emplace_back(ptrs_[i], static_cast<std::size_t>(params_[i].numel()));
    image.prepare(all);
    for (std::size_t i = 0; i < params_.size(); ++i) {
      auto& p = params_[i];
      std::vector<std::int64_t> shape(p.sizes().begin(), p.sizes().end());
      const auto n = static_cast<std::size_t>(p.numel());
      std::uint32_t t = image.add_tensor(named[i].first, shape, std::span<const float>(ptrs_[i], n));
      image.read_tensor(t, std::span<float>(ptrs_[i], n));
      auto [mn, mx] = std::minmax_element(ptrs_[i], ptrs_[i] + n);
      bounds_.emplace_back(n > 0 ? *mn : 0.0f, n > 0 ? *mx : 0.0f);
    }
  }
  // 000 §3.2/§5: decoded values outside the tensor's fault-free [min, max] read as 0.
  void set_correct_zero(bool on) { correct_zero_ = on; }
  // Activation faults: the campaign calls load() to inject and again to revert, chip by chip in
  // (rate, chip) order, skipping chips already in the log; the cursor replays that order so the
  // activation faults of a chip are a function of (seed, rate, chip) as the weights' are.
  void set_activation_faults(ActivationFaults* af, bool weights, const CampaignSpec* spec, const ResultsLog* log) {
    act_ = af;
    weights_ = weights;
    spec_ = spec;
    log_ = log;
  }
  void load(const MemoryImage& image, std::span<const Injection::Touched> touched) override {
    if (act_ != nullptr) {
      injecting_ = !injecting_;
      if (injecting_) {
        while (log_->has(ri_, chip_)) advance();
        act_->set_point(spec_->rate_key, spec_->rates[ri_]);
        act_->set_chip(chip_);
        advance();
      }
      act_->set_inject(injecting_);
      if (!weights_) return;
    }
    // decode_changes maps touched words to the parameter elements they decode into.
    for (const auto& c : image.decode_changes(touched)) {
      ptrs_[c.tensor][c.element] = correct_zero_ ? correct_implausible(c.value, bounds_[c.tensor].first, bounds_[c.tensor].second) : c.value;
    }
  }
  std::vector<std::int64_t> predict() override {
    torch::NoGradGuard ng;
    net_.set_training(false);
    std::vector<std::int64_t> out;
    out.reserve(static_cast<std::size_t>(x_.size(0)));
    for (int64_t i = 0; i < x_.size(0); i += batch_) {
      auto xb = x_.narrow(0, i, std::min<int64_t>(batch_, x_.size(0) - i));
      auto pred = net_.forward(xb).argmax(1).contiguous();
      const auto* p = pred.data_ptr<int64_t>();
      out.insert(out.end(), p, p + pred.numel());
    }
    return out;
  }
  const std::vector<std::int64_t>& labels() const override { return labels_; }

 private:
  Network& net_;
  torch::Tensor x_;
  std::vector<std::int64_t> labels_;
  int batch_;
  void advance() {
    if (++chip_ == spec_->chips) {
      chip_ = 0;
      ++ri_;
    }
  }
  std::vector<torch::Tensor> params_;
  std::vector<float*> ptrs_;
  std::vector<std::pair<float, float>> bounds_;
  bool correct_zero_ = false;
  ActivationFaults* act_ = nullptr;
  bool weights_ = true, injecting_ = false;
  const CampaignSpec* spec_ = nullptr;
  const ResultsLog* log_ = nullptr;
  std::size_t ri_ = 0;
  std::uint64_t chip_ = 0;
};

double error_of(const std::vector<std::int64_t>& pred, const std::vector<std::int64_t>& labels) {
  if (labels.empty()) return std::nan("");
  std::size_t wrong = 0;
  for (std::size_t i = 0; i < pred.size(); ++i) wrong += pred[i] != labels[i];
  return static_cast<double>(wrong) / static_cast<double>(pred.size());
}

// The part of the configuration that defines the campaign's numbers: a resume must match it.
nlohmann::json campaign_config(const SweepOptions& o, const std::string& model_desc, const Format& fmt,
                               const Dataset& data) {
  nlohmann::json j;
  j["model"] = o.model;
  j["model_description"] = model_desc;
  j["arch_params"] = o.arch_params;
  j["format"] = {{"name", o.format}, {"resolved", fmt.name()}, {"params", fmt.params()}};
  j["fault_model"] = {{"name", o.fault}, {"params", o.fault_params}, {"sampler_version", kFaultSamplerVersion}};
  j["swept_parameter"] = o.sweep_key;
  j["rates"] = o.rates;
  j["chips"] = o.chips;
  j["seed"] = o.seed;
  if (o.own_pattern) j["own_pattern"] = true;
  j["correct"] = o.correct;
  j["faults_in"] = o.faults_in;
  j["act_faults"] = o.act_faults;
  j["bn_batch_stats"] = o.bn_batch_stats;
  j["data"] = {{"source", data.source}, {"examples", data.n}, {"limit", o.data.limit},
               {"synthetic", o.synthetic}, {"shape", {data.channels, data.rows, data.cols}}};
  return j;
}

}  // namespace

SweepReport sweep(const SweepOptions& opts, std::ostream& out, std::ostream& progress) {
  SweepOptions o = opts;
  // A fault-aware checkpoint (docs/training.md) is evaluated as it was trained: its quantization
  // format, correction and BN evaluation mode unless given.
  if (std::filesystem::is_directory(o.model) && std::filesystem::exists(o.model + "/meta.json")) {
    const nlohmann::json meta = read_checkpoint_meta(o.model);
    const nlohmann::json ft = meta.value("fault_training", nlohmann::json::object());
    if (!o.format_given && !ft.value("quant", std::string()).empty()) {
      o.format = ft["quant"].get<std::string>();
      o.format_params = ft.value("quant_params", std::map<std::string, std::string>{});
    }
    if (o.correct.empty()) o.correct = ft.value("correct", std::string("none"));
    if (o.bn_batch_stats < 0) o.bn_batch_stats = ft.value("bn_batch_stats", false) ? 1 : 0;
    if (o.own_pattern) {
      // 004 §5.3: the fixed pattern PATTBET trained on is chip 0 of the training's fault seed.
      if (!(ft.value("pattbet", 0.0) > 0)) throw Error("sweep: --own-pattern needs a PATTBET checkpoint; " + o.model + " was not trained with --pattbet");
      const std::string tf = ft.value("randbet_fault", std::string("uniform"));
      const auto tp = ft.value("randbet_fault_params", std::map<std::string, std::string>{});
      if (o.fault != tf || o.fault_params != tp) {
        throw Error("sweep: --own-pattern: the checkpoint's pattern comes from fault model '" + tf +
                    "' with its --randbet-fault-opt; give the same --fault and --fault-opt");
      }
      if (meta.value("fault_sampler_version", 0) != kFaultSamplerVersion) {
        throw Error("sweep: --own-pattern: " + o.model + " was trained with fault sampler version " +
                    std::to_string(meta.value("fault_sampler_version", 0)) + ", this build draws version " +
                    std::to_string(kFaultSamplerVersion) + " patterns; its pattern cannot be replayed");
      }
      o.seed = weight_fault_seed(meta.value("seed", std::uint64_t{1}));
      o.chips = 1;
    }
  } else if (o.own_pattern) {
    throw Error("sweep: --own-pattern needs a PATTBET checkpoint directory, not " + o.model);
  }
  if (o.correct.empty()) o.correct = "none";
  if (o.bn_batch_stats < 0) o.bn_batch_stats = 0;
  if (o.correct != "none" && o.correct != "zero") throw Error("sweep: --correct '" + o.correct + "'; expected zero or none");
  if (o.faults_in != "weights" && o.faults_in != "activations" && o.faults_in != "both") {
    throw Error("sweep: --faults-in '" + o.faults_in + "'; expected weights, activations or both");
  }
  if (!o.act_faults.empty() && o.faults_in == "weights") throw Error("sweep: --act-faults needs --faults-in activations or both");
  if (o.out.empty()) throw Error("sweep: --out is required");
  if (o.rates.empty()) throw Error("sweep: no values to sweep for '" + o.sweep_key + "'");
  if (o.sweep_key == "ber") {
    for (double r : o.rates) if (!(r >= 0 && r <= 1)) throw Error("sweep: bit error rate " + std::to_string(r) + " is outside [0, 1]");
  }
  const int threads = configure_threads(o.threads);
  auto net = load_network(o.model, o.arch_params);
  std::shared_ptr<const Format> fmt = make_format(o.format, o.format_params);
  // Validate the fault model and every swept value before any work.
  for (double v : o.rates) {
    auto p = o.fault_params;
    p[o.sweep_key] = format_double(v);
    make_fault_model(o.fault, p);
  }

  Dataset data;
  if (o.synthetic > 0) {
    if (o.input_shape.size() != 3) throw Error("sweep: --synthetic needs --input-shape C,H,W");
    for (auto d : o.input_shape) if (d < 1) throw Error("sweep: --input-shape entries must be positive");
    data = synthetic_inputs(o.synthetic, static_cast<std::size_t>(o.input_shape[0]), static_cast<std::size_t>(o.input_shape[1]),
                            static_cast<std::size_t>(o.input_shape[2]), o.seed);
  } else {
    DatasetSpec spec = o.data;
    spec.validation = 0;
    data = load_mnist_split(spec, Split::kTest);
  }
  torch::Tensor x = images_tensor(data);
  if (!o.input_shape.empty() && o.synthetic == 0) {
    if (o.input_shape.size() != 3 || o.input_shape[0] != 1 || o.input_shape[1] != static_cast<int64_t>(data.rows) ||
        o.input_shape[2] != static_cast<int64_t>(data.cols)) {
      throw Error("sweep: --input-shape does not match the dataset's 1x" + std::to_string(data.rows) + "x" + std::to_string(data.cols) +
                  " images; use --synthetic N for other shapes");
    }
  }

  // Resolved configuration: a resume must match the finished work's configuration.
  nlohmann::json cfg = campaign_config(o, net->description(), *fmt, data);
  const std::string cfg_path = o.out + "/config.json";
  std::filesystem::create_directories(o.out);
  if (o.resume && std::filesystem::exists(cfg_path)) {
    std::ifstream in(cfg_path);
    nlohmann::json old = nlohmann::json::parse(in, nullptr, false);
    if (old.is_discarded() || !old.contains("campaign")) throw Error(cfg_path + ": unreadable; cannot resume");
    if (old["campaign"] != cfg) {
      std::string diff;
      for (auto& [k, v] : cfg.items()) if (old["campaign"].value(k, nlohmann::json()) != v) diff += " " + k;
      throw Error(cfg_path + ": the finished chips were run with a different configuration (differs in:" + diff +
                  "); resume with the same options or choose another --out");
    }
  }
  ResultsLog log(o.out, o.resume);
  nlohmann::json full = {{"campaign", cfg}, {"threads", threads}, {"batch_size", o.batch_size},
                         {"memlapse_version", kVersion}, {"git_revision", kGitRevision}, {"command_line", o.command_line}};
  write_text_file(cfg_path, full.dump(2) + "\n");

  SweepReport rep;
  // Float (unquantized) error first, then store the parameters and use the stored values.
  TorchModelUnderTest mut(*net, x, data.labels, o.batch_size);
  auto* zoo = dynamic_cast<ZooNetwork*>(net.get());
  if (zoo != nullptr) set_norm_batch_stats(*zoo, o.bn_batch_stats == 1);
  rep.float_error = error_of(mut.predict(), data.labels);
  MemoryImage image(fmt);
  mut.store_into(image);
  mut.set_correct_zero(o.correct == "zero");
  std::unique_ptr<ActivationFaults> act;

  CampaignSpec spec;
  spec.fault_model = o.fault;
  spec.fault_params = o.fault_params;
  spec.rate_key = o.sweep_key;
  spec.rates = o.rates;
  spec.chips = o.chips;
  spec.seed = o.seed;
  spec.header = {{"model", o.model}, {"model_description", net->description()}, {"format", image.format().name()},
                 {"format_params", image.format().params()}, {"float_error", std::isfinite(rep.float_error) ? nlohmann::json(rep.float_error) : nlohmann::json(nullptr)},
                 {"tensors", image.tensor_count()}, {"stored_bits", image.total_value_bits()},
                 {"dataset", data.source}, {"memlapse_version", kVersion}, {"git_revision", kGitRevision}};
  if (o.faults_in != "weights") {
    if (zoo == nullptr) throw Error("sweep: --faults-in " + o.faults_in + " needs a zoo model or checkpoint, not " + o.model);
    std::vector<ActivationFaultSpec> specs;
    for (const auto& text : o.act_faults.empty() ? std::vector<std::string>{"ofm:conv"} : o.act_faults) {
      ActivationFaultSpec a = parse_activation_fault(text, "--act-faults", false);
      if (std::count(text.begin(), text.end(), ':') < 2) {
        a.format = o.format;
        a.format_params = o.format_params;
      }
      a.model = o.fault;
      a.fault_params = o.fault_params;
      specs.push_back(a);
    }
    act = std::make_unique<ActivationFaults>(*zoo, specs, o.seed ^ 0x5bd1e995ULL, o.correct == "zero");
    act->set_inject(false);
    act->install();
    mut.set_activation_faults(act.get(), o.faults_in == "both", &spec, &log);
    spec.header["faults_in"] = o.faults_in;
    spec.header["act_faults"] = act->describe();
  }
  install_stop_signal_handlers();
  ProgressBar bar(progress, "sweep", o.rates.size() * o.chips, "chips");
  auto on_chip = [&](std::uint64_t done, std::uint64_t, const ChipRow& r) {
    char extra[96];
    std::snprintf(extra, sizeof extra, "%s %.3g chip %llu err %.2f%%", o.sweep_key.c_str(), r.ber, static_cast<unsigned long long>(r.chip), 100 * r.error);
    bar.update(done, done, extra);
  };
  CampaignResult res = run_campaign(spec, image, mut, log, on_chip);
  bar.finish();
  write_campaign_outputs(o.out, spec, res);
  rep.clean_error = res.clean_error;
  rep.examples = res.examples;
  rep.interrupted = res.interrupted;
  double inj = 0, inf = 0;
  for (const auto& r : log.rows()) { inj += r.inject_ms; inf += r.infer_ms; }
  if (!log.rows().empty()) { rep.mean_inject_ms = inj / log.rows().size(); rep.mean_infer_ms = inf / log.rows().size(); }
  char head[256];
  std::snprintf(head, sizeof head, "model %s, format %s, %u tensors, %llu stored bits, float error %.2f%%\n",
                net->description().c_str(), fmt->name().c_str(), image.tensor_count(),
                static_cast<unsigned long long>(image.total_value_bits()), 100 * rep.float_error);
  rep.table = std::string(head) + format_campaign_table(res, o.sweep_key);
  out << rep.table;
  out << "results: " << o.out << "/results.json, results.csv, config.json, error_vs_ber.svg\n";
  if (res.interrupted) out << "interrupted: finished chips are saved; rerun with --resume to continue\n";
  return rep;
}

}  // namespace memlapse::torch_adapter
