#pragma once
// Internal to the adapter (includes torch): one interface over zoo modules and TorchScript
// modules, so that training, checkpoints and the memory bridge see "a network with named float
// parameters".
#include <torch/script.h>
#include <torch/torch.h>

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "memlapse/data/idx.h"

namespace memlapse::torch_adapter {

class Network {
 public:
  virtual ~Network() = default;
  // Contract: logits for a batch (N x classes).
  virtual torch::Tensor forward(const torch::Tensor& x) = 0;
  // Contract: every parameter in a stable order with its dotted name; tensors alias the model's.
  virtual std::vector<std::pair<std::string, torch::Tensor>> named_parameters() = 0;
  virtual void set_training(bool on) = 0;
  // A description for results ("zoo:simplenet(width=0.25,norm=gn)" or "torchscript:path").
  virtual std::string description() const = 0;
};

// Called around every top-level module i of a zoo network: on its input (is_output false) and on
// its output (true); returns the tensor that goes on (activation faults, activation_faults.cpp).
using ActivationHook = std::function<torch::Tensor(std::size_t module, bool is_output, const torch::Tensor& x)>;

// A zoo module: a torch::nn::Module built by zoo.cpp.
class ZooNetwork : public Network {
 public:
  ZooNetwork(std::string arch, std::map<std::string, std::string> resolved, torch::nn::Sequential seq);
  torch::Tensor forward(const torch::Tensor& x) override;
  // Contract: the top-level modules [begin, end) applied to x in order (with the activation hook):
  // forward(x) == forward_modules(forward_modules(x, 0, k), k, module_count()) for any k.
  torch::Tensor forward_modules(const torch::Tensor& x, std::size_t begin, std::size_t end);
  // Contract: every later forward() passes each top-level module's input and output through
  // `hook` (an empty hook removes it).
  void set_activation_hook(ActivationHook hook) { hook_ = std::move(hook); }
  // Contract: the number of top-level modules (the indices an ActivationHook sees).
  std::size_t module_count() const { return seq_->size(); }
  // Contract: the type name of top-level module i, e.g. "torch::nn::Conv2dImpl".
  std::string module_name(std::size_t i) const { return seq_->ptr(i)->name(); }
  std::vector<std::pair<std::string, torch::Tensor>> named_parameters() override;
  void set_training(bool on) override { seq_->train(on); }
  std::string description() const override;
  torch::nn::Module& root() { return *seq_; }
  const std::string& arch() const { return arch_; }
  const std::map<std::string, std::string>& arch_params() const { return params_; }

 private:
  std::string arch_;
  std::map<std::string, std::string> params_;
  torch::nn::Sequential seq_;
  ActivationHook hook_;
};

// GroupNorm ("gn") or BatchNorm ("bn") over channels; with reparam the scale is 1 + weight
// (004 App. E) and weight starts at 0. Same parameter/buffer names as torch's modules.
class NormImpl : public torch::nn::Module {
 public:
  NormImpl(const std::string& kind, int64_t channels, bool reparam);
  torch::Tensor forward(const torch::Tensor& x);
  torch::Tensor weight, bias, running_mean, running_var, num_batches_tracked;
  bool batch_stats = false;  // bn in eval mode: normalise with the batch's statistics (004 App. G.1)

 private:
  std::string kind_;
  bool reparam_;
  int64_t groups_ = 1;
};
TORCH_MODULE(Norm);

// Contract: switches every BatchNorm of `net` to batch-statistics evaluation (or back).
void set_norm_batch_stats(ZooNetwork& net, bool on);

class ScriptNetwork : public Network {
 public:
  explicit ScriptNetwork(const std::string& path);
  torch::Tensor forward(const torch::Tensor& x) override;
  std::vector<std::pair<std::string, torch::Tensor>> named_parameters() override;
  void set_training(bool on) override { module_.train(on); }
  std::string description() const override { return "torchscript:" + path_; }

 private:
  std::string path_;
  torch::jit::Module module_;
};

// Contract: builds a zoo architecture from user parameters (Error on unknown names/keys).
std::unique_ptr<ZooNetwork> build_zoo(const std::string& arch, const std::map<std::string, std::string>& params,
                                      std::uint64_t seed);

// Checkpoints: a directory with model.pt, optimizer.pt (optional) and meta.json.
void save_checkpoint(const std::string& dir, ZooNetwork& net, torch::optim::Optimizer* opt, const nlohmann::json& meta);
nlohmann::json read_checkpoint_meta(const std::string& dir);
std::unique_ptr<ZooNetwork> load_checkpoint(const std::string& dir, torch::optim::Optimizer* opt = nullptr);

// Contract: loads `spec` as a checkpoint directory, a TorchScript file (.pt/.pth/.zip) or a zoo
// name; Error naming the spec when it is none of them or fails to load.
std::unique_ptr<Network> load_network(const std::string& spec, const std::map<std::string, std::string>& arch_params);

// Dataset -> tensors (N x C x H x W float, N int64).
torch::Tensor images_tensor(const Dataset& d);
torch::Tensor labels_tensor(const Dataset& d);

}  // namespace memlapse::torch_adapter
