// The plugin entry point: the CLI dlopen()s libmemlapse_torch.so only for commands that evaluate or
// train (experiment/backend.cpp), so every other command starts without loading LibTorch.
#include "adapters/torch/api.h"

extern "C" __attribute__((visibility("default"))) memlapse::ModelBackend* memlapse_torch_backend() {
  return &memlapse::torch_adapter::torch_backend();
}
