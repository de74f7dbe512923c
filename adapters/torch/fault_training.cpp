// Fault-aware training: QAT with the straight-through estimator, weight clipping, RANDBET and
// PATTBET (004 §4.2-4.3, Alg. 1, §5.3, App. G.4), EDEN curricular retraining (000 §3.2).
#include "adapters/torch/fault_training.h"

#include <algorithm>
#include <cmath>
#include <tuple>

#include "memlapse/core/error.h"
#include "memlapse/core/text.h"

namespace memlapse::torch_adapter {
namespace {

// "MODEL:RATE" or "MODEL:KEY=RATE" of --curricular: model, rate key, target.
struct ModelRate {
  std::string model, key;
  double rate = 0;
};
ModelRate parse_model_rate(const std::string& text, const std::string& flag) {
  auto c = text.rfind(':');
  if (c == std::string::npos || c == 0 || c + 1 == text.size()) {
    throw Error(flag + " '" + text + "': expected MODEL:RATE or MODEL:KEY=RATE, e.g. dram-model0:0.04");
  }
  ModelRate r{text.substr(0, c), "", 0};
  std::tie(r.key, r.rate) = parse_key_rate(r.model, text.substr(c + 1), flag + " '" + text + "'");
  if (!(r.rate > 0)) throw Error(flag + " '" + text + "': RATE must be > 0");
  return r;
}

std::unique_ptr<FaultModel> fault_model_at(const std::string& name, std::map<std::string, std::string> params,
                                           const std::string& key, double rate, const std::string& flag) {
  params[key] = format_double(rate);
  try {
    return make_fault_model(name, params);
  } catch (const Error& e) {
    throw Error(flag + ": " + e.what());
  }
}

float* data_of(torch::Tensor& t) { return t.data_ptr<float>(); }

}  // namespace

QuantizedWeights::QuantizedWeights(std::vector<std::pair<std::string, torch::Tensor>> params,
                                   std::shared_ptr<const Format> format, bool correct_zero)
    : params_(std::move(params)), format_(std::move(format)), correct_zero_(correct_zero) {
  for (auto& [name, p] : params_) {
    if (p.scalar_type() != torch::kFloat32 || !p.is_contiguous()) {
      throw Error("parameter " + name + " is not a contiguous float32 tensor; quantization-aware training needs one");
    }
    masters_.push_back(torch::empty_like(p).detach());
  }
}

void QuantizedWeights::quantize() {
  torch::NoGradGuard ng;
  std::vector<std::span<const float>> all;
  for (std::size_t i = 0; i < params_.size(); ++i) {
    masters_[i].copy_(params_[i].second);
    all.emplace_back(masters_[i].data_ptr<float>(), static_cast<std::size_t>(masters_[i].numel()));
  }
  image_ = std::make_unique<MemoryImage>(format_);
  image_->prepare(all);
  bounds_.assign(params_.size(), {0.0f, 0.0f});
  for (std::size_t i = 0; i < params_.size(); ++i) {
    auto& p = params_[i].second;
    std::vector<std::int64_t> shape(p.sizes().begin(), p.sizes().end());
    const std::uint32_t t = image_->add_tensor(params_[i].first, shape, all[i]);
    std::span<float> out(data_of(p), all[i].size());
    image_->read_tensor(t, out);
    if (!out.empty()) {
      auto [mn, mx] = std::minmax_element(out.begin(), out.end());
      bounds_[i] = {*mn, *mx};
    }
  }
  restore_list_.clear();
}

std::size_t QuantizedWeights::perturb(const FaultModel& model, std::uint64_t seed, std::uint64_t chip) {
  Injection inj(*image_, model, seed, chip);
  const std::span<const Injection::Touched> touched(inj.touched());
  for (const auto& c : image_->decode_changes(touched)) {
    const auto [lo, hi] = bounds_[c.tensor];
    data_of(params_[c.tensor].second)[c.element] = correct_zero_ ? correct_implausible(c.value, lo, hi) : c.value;
  }
  inj.revert();
  // After the revert the image reports the fault-free values of the same elements.
  auto back = image_->decode_changes(touched);
  restore_list_.insert(restore_list_.end(), back.begin(), back.end());
  return inj.fault_count();
}

void QuantizedWeights::unperturb() {
  for (const auto& c : restore_list_) data_of(params_[c.tensor].second)[c.element] = c.value;
  restore_list_.clear();
}

void QuantizedWeights::restore() {
  torch::NoGradGuard ng;
  for (std::size_t i = 0; i < params_.size(); ++i) params_[i].second.copy_(masters_[i]);
}


double curricular_rate(int epoch, double target, int every, int steps) {
  if (steps == 0) return target;  // non-curricular retraining: the target rate throughout
  const int s = epoch / std::max(1, every);
  return target * std::min(1.0, static_cast<double>(s) / std::max(1, steps));
}

double randbet_rate(const TrainOptions& o, int epoch) {
  if (o.pattbet > 0) return o.pattbet;
  if (o.randbet_variant != "curricular") return o.randbet;
  const double half = std::max(1.0, o.epochs / 2.0);
  const double frac = std::min(1.0, epoch / half);
  return o.randbet / 20 + (o.randbet - o.randbet / 20) * frac;
}

// Ranges and choices are the train schema's (experiment/train_spec.cpp); these are the combinations.
void validate_fault_training(const TrainOptions& o) {
  if (!o.quant.empty()) {
    try {
      make_format(o.quant, o.quant_params);
    } catch (const Error& e) {
      throw Error(std::string("train: --quant: ") + e.what());
    }
  } else if (!o.quant_params.empty()) {
    throw Error("train: --quant-opt/--bits given without --quant");
  }
  if (o.randbet > 0 && o.pattbet > 0) throw Error("train: --randbet and --pattbet exclude each other");
  const bool weight_faults = o.randbet > 0 || o.pattbet > 0 || !o.curricular.empty();
  if (weight_faults && o.quant.empty()) {
    throw Error("train: --randbet, --pattbet and --curricular inject bit errors into stored weights: give --quant FORMAT");
  }
  if (!o.curricular.empty() && (o.randbet > 0 || o.pattbet > 0)) throw Error("train: --curricular excludes --randbet/--pattbet");
  if (o.randbet > 0 || o.pattbet > 0) {
    fault_model_at(o.randbet_fault, o.randbet_fault_params, rate_key_of(o.randbet_fault), std::max(o.randbet, o.pattbet),
                   "train: --randbet-fault");
  }
  if (!o.curricular.empty()) {
    auto r = parse_model_rate(o.curricular, "train: --curricular");
    fault_model_at(r.model, o.curricular_fault_params, r.key, r.rate, "train: --curricular");
  }
  for (const auto& a : o.act_faults) parse_activation_fault(a, "train: --act-faults");
}

nlohmann::json fault_training_meta(const TrainOptions& o) {
  return {{"quant", o.quant},
          {"quant_params", o.quant_params},
          {"clip", o.clip},
          {"randbet", o.randbet},
          {"pattbet", o.pattbet},
          {"randbet_fault", o.randbet_fault},
          {"randbet_fault_params", o.randbet_fault_params},
          {"randbet_threshold", o.randbet_threshold},
          {"randbet_variant", o.randbet_variant},
          {"curricular", o.curricular},
          {"curricular_fault_params", o.curricular_fault_params},
          {"curricular_every", o.curricular_every},
          {"curricular_steps", o.curricular_steps},
          {"correct", o.correct},
          {"act_faults", o.act_faults},
          {"label_smoothing", o.label_smoothing},
          {"bn_batch_stats", o.bn_batch_stats}};
}

void read_fault_training_meta(const nlohmann::json& j, TrainOptions& o) {
  const TrainOptions d;
  o.quant = j.value("quant", d.quant);
  o.quant_params = j.value("quant_params", d.quant_params);
  o.clip = j.value("clip", d.clip);
  o.randbet = j.value("randbet", d.randbet);
  o.pattbet = j.value("pattbet", d.pattbet);
  o.randbet_fault = j.value("randbet_fault", d.randbet_fault);
  o.randbet_fault_params = j.value("randbet_fault_params", d.randbet_fault_params);
  o.randbet_threshold = j.value("randbet_threshold", d.randbet_threshold);
  o.randbet_variant = j.value("randbet_variant", d.randbet_variant);
  o.curricular = j.value("curricular", d.curricular);
  o.curricular_fault_params = j.value("curricular_fault_params", d.curricular_fault_params);
  o.curricular_every = j.value("curricular_every", d.curricular_every);
  o.curricular_steps = j.value("curricular_steps", d.curricular_steps);
  o.correct = j.value("correct", d.correct);
  o.act_faults = j.value("act_faults", d.act_faults);
  o.label_smoothing = j.value("label_smoothing", d.label_smoothing);
  o.bn_batch_stats = j.value("bn_batch_stats", d.bn_batch_stats);
}

FaultTrainer::FaultTrainer(const TrainOptions& o, ZooNetwork& net, torch::optim::Optimizer& opt)
    : o_(o), net_(net), opt_(opt), seed_(weight_fault_seed(o.seed)) {
  if (!o.quant.empty()) {
    qw_ = std::make_unique<QuantizedWeights>(net.named_parameters(), std::shared_ptr<const Format>(make_format(o.quant, o.quant_params)),
                                             o.correct == "zero");
  }
  if (!o.act_faults.empty()) {
    std::vector<ActivationFaultSpec> specs;
    for (const auto& a : o.act_faults) specs.push_back(parse_activation_fault(a, "--act-faults"));
    act_ = std::make_unique<ActivationFaults>(net, specs, seed_ ^ 0xa5a5a5a5ULL, o.correct == "zero");
  }
}

void FaultTrainer::begin_epoch(int epoch) {
  weight_faults_.reset();
  if (o_.randbet > 0 || o_.pattbet > 0) {
    weight_faults_ = fault_model_at(o_.randbet_fault, o_.randbet_fault_params, rate_key_of(o_.randbet_fault),
                                    randbet_rate(o_, epoch), "--randbet-fault");
  } else if (!o_.curricular.empty()) {
    auto r = parse_model_rate(o_.curricular, "--curricular");
    const double rate = curricular_rate(epoch, r.rate, o_.curricular_every, o_.curricular_steps);
    if (rate > 0) weight_faults_ = fault_model_at(r.model, o_.curricular_fault_params, r.key, rate, "--curricular");
  }
}

torch::Tensor FaultTrainer::loss_of(const torch::Tensor& logits, const torch::Tensor& y) const {
  namespace F = torch::nn::functional;
  return F::cross_entropy(logits, y, F::CrossEntropyFuncOptions().label_smoothing(o_.label_smoothing));
}

void FaultTrainer::clip() {
  if (o_.clip <= 0) return;
  torch::NoGradGuard ng;
  for (auto& [name, p] : net_.named_parameters()) p.clamp_(-o_.clip, o_.clip);
}

StepResult FaultTrainer::step(const torch::Tensor& x, const torch::Tensor& y) {
  StepResult r;
  opt_.zero_grad();
  if (act_) {
    act_->set_chip(step_);
    act_->install();
  }
  if (qw_) qw_->quantize();
  std::vector<std::pair<torch::Tensor, torch::Tensor>> ranges;  // alternating: pre-update [min, max]
  if (o_.curricular.empty()) {
    // Alg. 1 lines 10-11: the clean pass on w_q.
    auto logits = net_.forward(x);
    auto loss = loss_of(logits, y);
    loss.backward();
    r.loss = loss.item<double>();
    r.logits = logits.detach();
    if (!injecting_ && weight_faults_ && r.loss < o_.randbet_threshold) injecting_ = true;
    if (injecting_ && weight_faults_) {
      if (o_.randbet_variant == "alternating") {
        // 004 App. G.4: the clean gradient updates first; the perturbed update may not widen any
        // tensor's range (and so its quantization range).
        qw_->restore();
        opt_.step();
        clip();
        opt_.zero_grad();
        torch::NoGradGuard ng;
        for (auto& [n, p] : net_.named_parameters()) ranges.emplace_back(p.min().clone(), p.max().clone());
        qw_->quantize();
      }
      // Alg. 1 lines 12-14: the perturbed pass on Q^-1(BErr_p(Q(w))); PATTBET: always chip 0.
      r.faults = qw_->perturb(*weight_faults_, seed_, o_.pattbet > 0 ? 0 : step_);
      auto perturbed = loss_of(net_.forward(x), y);
      perturbed.backward();  // accumulates: Delta + Delta~ (Alg. 1 line 16)
      qw_->unperturb();
    }
  } else {
    // 000 §3.2: one pass on the faulty (corrected) weights; the gradient reaches the float
    // weights unchanged (nothing in the backward pass is read from approximate memory).
    if (weight_faults_) r.faults = qw_->perturb(*weight_faults_, seed_, step_);
    auto logits = net_.forward(x);
    auto loss = loss_of(logits, y);
    loss.backward();
    r.loss = loss.item<double>();
    r.logits = logits.detach();
  }
  if (qw_) qw_->restore();
  opt_.step();
  if (!ranges.empty()) {
    torch::NoGradGuard ng;
    std::size_t i = 0;
    for (auto& [n, p] : net_.named_parameters()) {
      p.copy_(torch::max(torch::min(p, ranges[i].second), ranges[i].first));
      ++i;
    }
  }
  clip();
  if (act_) act_->remove();
  ++step_;
  return r;
}

void FaultTrainer::begin_evaluation() {
  if (qw_) qw_->quantize();
  if (act_) {
    act_->set_chip(0);
    act_->install();
  }
  set_norm_batch_stats(net_, o_.bn_batch_stats);
}

void FaultTrainer::end_evaluation() {
  if (qw_) qw_->restore();
  if (act_) act_->remove();
  set_norm_batch_stats(net_, false);
}

nlohmann::json FaultTrainer::state() const { return {{"step", step_}, {"injecting", injecting_}}; }

void FaultTrainer::load_state(const nlohmann::json& j) {
  step_ = j.value("step", std::uint64_t{0});
  injecting_ = j.value("injecting", false);
}

}  // namespace memlapse::torch_adapter
