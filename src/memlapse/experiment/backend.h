#pragma once
// The model backend: what the experiment runner needs from a deep-learning framework, torch-free.
// The runner owns everything else (datasets, memory images, placements, faults, statistics,
// results); a backend only builds a network, exposes its float parameters, evaluates a batch and
// trains. The LibTorch adapter is the one backend; the CLI loads it as a plugin
// (libmemlapse_torch.so) the first time a command needs it, so commands that evaluate nothing
// never pay LibTorch's start-up.
// Example:
//   ModelBackend& b = model_backend();                       // Error if the plugin is missing
//   std::unique_ptr<EvaluatedModel> m = b.load(load_spec);
//   for (ParameterRef& p : m->parameters()) p.data[0] = 0.5f;  // aliases the network's weights
//   std::vector<std::int64_t> top1 = m->predict(dataset, 1000);
#include <cstdint>
#include <iosfwd>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "memlapse/data/idx.h"
#include "memlapse/experiment/train_spec.h"

namespace memlapse {

// One stored parameter of a network: its float32 values, aliased (writes change the network).
struct ParameterRef {
  std::string name;
  std::vector<std::int64_t> shape;
  float* data = nullptr;
  std::size_t count = 0;
};

// What one trial tells the model before it evaluates (activation faults, 000 §3.2).
struct TrialContext {
  std::uint64_t point = 0, chip = 0;
  bool inject = false;                               // false: store activations without faults
  std::string fault_model;                           // the activations' partition's model
  std::map<std::string, std::string> fault_params;   // ... and its parameters at this point
};

class EvaluatedModel {
 public:
  virtual ~EvaluatedModel() = default;
  // Contract: e.g. "zoo:simplenet(width=0.25,...)" or "torchscript:model.pt".
  virtual std::string description() const = 0;
  // Contract: every float32 parameter once, in a stable order, aliasing the network's storage.
  virtual std::vector<ParameterRef> parameters() = 0;
  // Contract: top-1 class of every example of `data`, in order; Error naming the model when the
  // data does not fit it (shape, output of the wrong rank or size).
  virtual std::vector<std::int64_t> predict(const Dataset& data, int batch_size) = 0;
  // Contract: predict() of the examples `rows` of `data` (indices < data.n), in that order. The
  // default copies them into a Dataset of their own; a backend that caches by dataset overrides it.
  virtual std::vector<std::int64_t> predict_rows(const Dataset& data, std::span<const std::uint32_t> rows, int batch_size);
  // Contract: from now on only the parameters named in `changing` may differ from their values at
  // this call (empty: any may change); the model may then evaluate the layers before the first one
  // holding such a parameter once per dataset and reuse their output, with the same predictions.
  // Returns what it reuses, e.g. "modules 0-11 reused (inputs of module 12 cached)", or "" when it
  // evaluates everything (the default; e.g. a model that is not a chain of modules).
  virtual std::string restrict_changes(const std::vector<std::string>& changing) {
    (void)changing;
    return "";
  }
  // Contract: configures the activation faults for the next predict() (a no-op without sites).
  virtual void begin_trial(const TrialContext& trial) { (void)trial; }
  // Contract: a description of the activation-fault sites ("" without).
  virtual std::string activation_sites() const { return ""; }
};

struct ModelLoadSpec {
  std::string source;                        // zoo name | checkpoint directory | TorchScript file
  std::map<std::string, std::string> arch;   // zoo names only
  bool bn_batch_stats = false;
  std::vector<std::string> activation_sites;  // "TYPE:MODULES[:FORMAT]"
  std::string activation_format;              // default FORMAT of the sites (the weights')
  std::map<std::string, std::string> activation_format_params;
  std::uint64_t activation_seed = 0;
  bool correct_zero = false;
};

class ModelBackend {
 public:
  virtual ~ModelBackend() = default;
  // Contract: sets the framework's intra-op threads (0 = all cores); returns the count in use.
  virtual int configure_threads(int threads) = 0;
  // Contract: the network; Error naming the source when it cannot be loaded.
  virtual std::unique_ptr<EvaluatedModel> load(const ModelLoadSpec& spec) = 0;
  // Contract: trains (or resumes, or reuses a finished checkpoint) into o.out.
  virtual TrainReport train(const TrainOptions& o, std::ostream& progress) = 0;
  // Contract: the values and shape of parameter `name` of a model; Error listing the names.
  virtual std::vector<float> tensor(const std::string& model, const std::string& name, std::vector<std::int64_t>& shape) = 0;
};

// Contract: the backend registered with set_model_backend, else the LibTorch plugin, loaded on
// first use from MEMLAPSE_TORCH_PLUGIN, the executable's ../lib/ or ../lib/memlapse/; Error
// saying what was tried when none is found.
ModelBackend& model_backend();
// Contract: makes `b` (not owned; null to unset) the backend (test binaries link the adapter).
void set_model_backend(ModelBackend* b);
// Contract: true when a backend is registered or the plugin file exists (no loading).
bool model_backend_available();

}  // namespace memlapse
