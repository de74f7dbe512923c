// The toy backend as a plugin, for tests that run the memlapse binary itself (kill -9 and resume).
#include "toy_model.h"

extern "C" __attribute__((visibility("default"))) memlapse::ModelBackend* memlapse_torch_backend() {
  return &memlapse::testing::toy_backend();
}
