#pragma once
// The LibTorch adapter's public API, itself torch-free so that callers do not compile torch
// headers: the model backend (experiment/backend.h) that evaluates and trains networks, and the
// functions behind it. Everything that includes <torch/...> lives in this folder's .cpp files; the
// CLI reaches it through the plugin libmemlapse_torch.so (plugin.cpp), tests link it directly.
// Example:
//   memlapse::torch_adapter::use_torch_backend();     // model_backend() is LibTorch from now on
//   TrainOptions t; t.arch = "lenet5"; t.epochs = 10; t.out = "runs/lenet5";
//   TrainReport r = memlapse::torch_adapter::train(t, std::cerr);
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "memlapse/experiment/backend.h"
#include "memlapse/experiment/train_spec.h"

namespace memlapse::torch_adapter {

using memlapse::TrainOptions;
using memlapse::TrainReport;

// Contract: sets LibTorch's intra-op thread count (0 = all cores) and returns the count in use.
int configure_threads(int threads);

// Contract: the values and shape of parameter `name` of a model (checkpoint directory,
// TorchScript file or zoo name); Error listing the model's parameter names when absent.
std::vector<float> model_tensor(const std::string& model, const std::string& name, std::vector<std::int64_t>& shape);

// Contract: trains (or resumes) and writes the checkpoint {model.pt, optimizer.pt, meta.json}
// to opts.out after every epoch; progress goes to `progress`.
TrainReport train(const TrainOptions& opts, std::ostream& progress);

// Contract: the LibTorch backend (one per process).
ModelBackend& torch_backend();
// Contract: registers torch_backend() with set_model_backend (for binaries that link the adapter).
void use_torch_backend();

}  // namespace memlapse::torch_adapter
