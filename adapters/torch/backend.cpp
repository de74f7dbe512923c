// The LibTorch model backend (experiment/backend.h): loads zoo models, checkpoints and TorchScript
// modules, exposes their float parameters, evaluates datasets and trains. The experiment runner
// does everything else.
#include <optional>
#include <c10/util/Exception.h>

#include <algorithm>
#include <set>
#include <sstream>

#include "adapters/torch/activation_faults.h"
#include "adapters/torch/api.h"
#include "adapters/torch/network.h"
#include "memlapse/core/error.h"

namespace memlapse::torch_adapter {
namespace {

std::string shape_text(torch::IntArrayRef s) {
  std::ostringstream o;
  o << "[";
  for (std::size_t i = 0; i < s.size(); ++i) o << (i ? ", " : "") << s[i];
  return o.str() + "]";
}

// The first line of a LibTorch message (no stack trace for the user).
std::string first_line(const c10::Error& e) {
  std::string m = e.what_without_backtrace();
  const auto nl = m.find('\n');
  return nl == std::string::npos ? m : m.substr(0, nl);
}

class TorchModel final : public EvaluatedModel {
 public:
  TorchModel(std::unique_ptr<Network> net, const ModelLoadSpec& spec) : net_(std::move(net)) {
    auto* zoo = dynamic_cast<ZooNetwork*>(net_.get());
    if (zoo != nullptr) set_norm_batch_stats(*zoo, spec.bn_batch_stats);
    else if (spec.bn_batch_stats) throw Error(spec.source + ": model.bn_batch_stats = on applies to zoo models and checkpoints");
    if (!spec.activation_sites.empty()) {
      if (zoo == nullptr) {
        throw Error(spec.source + ": activations.sites need a zoo model or checkpoint (its top-level modules are the sites)");
      }
      std::vector<ActivationFaultSpec> specs;
      for (const auto& text : spec.activation_sites) {
        ActivationFaultSpec a = parse_activation_fault(text, "activations.sites", false);
        if (std::count(text.begin(), text.end(), ':') < 2) {
          a.format = spec.activation_format;
          a.format_params = spec.activation_format_params;
        }
        specs.push_back(a);
      }
      act_ = std::make_unique<ActivationFaults>(*zoo, specs, spec.activation_seed, spec.correct_zero);
      act_->set_inject(false);
    }
  }
  std::string description() const override { return net_->description(); }

  std::vector<ParameterRef> parameters() override {
    std::vector<ParameterRef> out;
    std::set<const void*> seen;  // a parameter used twice (tied weights) is stored once
    for (auto& [name, p] : net_->named_parameters()) {
      if (p.scalar_type() != torch::kFloat32) throw Error("parameter " + name + " is not float32; memlapse stores float32 parameters");
      if (!p.is_contiguous()) throw Error("parameter " + name + " is not contiguous");
      if (!seen.insert(p.data_ptr()).second) continue;
      ParameterRef r;
      r.name = name;
      r.shape.assign(p.sizes().begin(), p.sizes().end());
      r.data = p.data_ptr<float>();
      r.count = static_cast<std::size_t>(p.numel());
      out.push_back(std::move(r));
    }
    return out;
  }

  std::vector<std::int64_t> predict(const Dataset& data, int batch) override {
    if (prefix_end_ > 0) return predict_tensor(prefix(data, batch), batch, prefix_end_);
    return predict_tensor(inputs(data), batch);
  }

  std::vector<std::int64_t> predict_rows(const Dataset& data, std::span<const std::uint32_t> rows, int batch) override {
    const torch::Tensor& x = inputs(data);
    auto idx = torch::empty({static_cast<int64_t>(rows.size())}, torch::kInt64);
    auto* p = idx.data_ptr<int64_t>();
    for (std::size_t i = 0; i < rows.size(); ++i) {
      if (rows[i] >= data.n) throw InternalError("predict_rows: row " + std::to_string(rows[i]) + " of " + std::to_string(data.n));
      p[i] = rows[i];
    }
    if (prefix_end_ > 0) return predict_tensor(prefix(data, batch).index_select(0, idx), batch, prefix_end_);
    return predict_tensor(x.index_select(0, idx), batch);
  }

  void begin_trial(const TrialContext& t) override {
    if (!act_) return;
    act_->install();
    if (t.inject) act_->set_fault_model(t.fault_model, t.fault_params);
    act_->set_chip(t.chip);
    act_->set_inject(t.inject);
  }

  std::string activation_sites() const override { return act_ ? act_->describe() : ""; }

  std::string restrict_changes(const std::vector<std::string>& changing) override {
    prefix_.reset();
    prefix_end_ = 0;
    auto* zoo = dynamic_cast<ZooNetwork*>(net_.get());
    if (changing.empty()) return "";
    if (zoo == nullptr) return "";  // a TorchScript module's forward need not be a chain
    if (act_) return "";            // activation faults may sit in any module
    // The first top-level module holding a changing parameter ("12.weight" -> 12).
    std::size_t first = zoo->module_count();
    for (const auto& name : changing) {
      const auto dot = name.find('.');
      std::size_t k = 0;
      try {
        k = std::stoul(name.substr(0, dot));
      } catch (const std::exception&) {
        return "";
      }
      first = std::min(first, k);
    }
    if (first == 0) return "";
    prefix_end_ = first;
    return "modules 0-" + std::to_string(first - 1) + " evaluated once per dataset (inputs of module " + std::to_string(first) + " cached)";
  }

 private:
  std::unique_ptr<Network> net_;
  std::unique_ptr<ActivationFaults> act_;
  // The dataset as one tensor, converted once per dataset.
  const torch::Tensor& inputs(const Dataset& data) {
    if (cached_ != &data || cached_n_ != data.n) {
      x_ = images_tensor(data);
      cached_ = &data;
      cached_n_ = data.n;
    }
    return x_;
  }

  // The inputs of module prefix_end_ for the whole dataset, computed once (the modules before it
  // hold no changing parameter, so their output is the fault-free one).
  const torch::Tensor& prefix(const Dataset& data, int batch) {
    const torch::Tensor& x = inputs(data);
    if (!prefix_ || prefix_data_ != &data || prefix_n_ != data.n || prefix_at_ != prefix_end_) {
      auto* zoo = dynamic_cast<ZooNetwork*>(net_.get());
      torch::NoGradGuard ng;
      net_->set_training(false);
      std::vector<torch::Tensor> parts;
      for (int64_t i = 0; i < x.size(0); i += batch) {
        parts.push_back(zoo->forward_modules(x.narrow(0, i, std::min<int64_t>(batch, x.size(0) - i)), 0, prefix_end_));
      }
      prefix_ = torch::cat(parts, 0);
      prefix_data_ = &data;
      prefix_n_ = data.n;
      prefix_at_ = prefix_end_;
    }
    return *prefix_;
  }

  // Top-1 of x (the inputs of module `from`: 0 = the network's inputs).
  std::vector<std::int64_t> predict_tensor(const torch::Tensor& x, int batch, std::size_t from = 0) {
    torch::NoGradGuard ng;
    net_->set_training(false);
    std::vector<std::int64_t> out;
    out.reserve(static_cast<std::size_t>(x.size(0)));
    for (int64_t i = 0; i < x.size(0); i += batch) {
      auto xb = x.narrow(0, i, std::min<int64_t>(batch, x.size(0) - i));
      torch::Tensor logits;
      try {
        logits = from == 0 ? net_->forward(xb) : dynamic_cast<ZooNetwork&>(*net_).forward_modules(xb, from, SIZE_MAX);
      } catch (const c10::Error& e) {
        throw Error(net_->description() + " cannot evaluate inputs of shape " + shape_text(xb.sizes()) + ": " + first_line(e) +
                    " (model.input_shape / data do not fit the model?)");
      }
      if (logits.dim() != 2 || logits.size(0) != xb.size(0) || logits.size(1) < 1) {
        throw Error(net_->description() + ": output of shape " + shape_text(logits.sizes()) + " for a batch of " +
                    std::to_string(xb.size(0)) + " inputs; memlapse expects [batch, classes] logits");
      }
      auto pred = logits.argmax(1).to(torch::kInt64).contiguous();
      const auto* p = pred.data_ptr<int64_t>();
      out.insert(out.end(), p, p + pred.numel());
    }
    return out;
  }

  const Dataset* cached_ = nullptr;
  std::size_t cached_n_ = 0;
  torch::Tensor x_;
  std::size_t prefix_end_ = 0, prefix_at_ = 0, prefix_n_ = 0;
  const Dataset* prefix_data_ = nullptr;
  std::optional<torch::Tensor> prefix_;
};

class TorchBackend final : public ModelBackend {
 public:
  int configure_threads(int threads) override { return torch_adapter::configure_threads(threads); }
  std::unique_ptr<EvaluatedModel> load(const ModelLoadSpec& spec) override {
    return std::make_unique<TorchModel>(load_network(spec.source, spec.arch), spec);
  }
  TrainReport train(const TrainOptions& o, std::ostream& progress) override { return torch_adapter::train(o, progress); }
  std::vector<float> tensor(const std::string& model, const std::string& name, std::vector<std::int64_t>& shape) override {
    return model_tensor(model, name, shape);
  }
};

}  // namespace

ModelBackend& torch_backend() {
  static TorchBackend backend;
  return backend;
}

void use_torch_backend() { set_model_backend(&torch_backend()); }

}  // namespace memlapse::torch_adapter
