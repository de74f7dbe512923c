#pragma once
// A torch-free test network (two dense layers on flattened inputs) with deterministic weights, and
// a model backend around it, so the experiment pipeline (runner, store, kill/resume, report) is
// tested without LibTorch. Its arithmetic is plain C++ in a fixed order: the same numbers on every
// machine, which lets tests pin golden values captured from the pre-partition runner.
// Example:
//   ToyNetwork net(784, 16);                         // w1 16x784, b1 16, w2 10x16, b2 10
//   std::vector<std::int64_t> top1 = net.predict(data);
#include <cstdint>
#include <string>
#include <vector>

#include "memlapse/data/idx.h"
#include "memlapse/experiment/backend.h"

namespace memlapse::testing {

class ToyNetwork {
 public:
  ToyNetwork(std::size_t inputs, std::size_t hidden);
  std::vector<std::vector<float>> params;  // w1 (hidden x inputs), b1, w2 (10 x hidden), b2
  std::vector<std::vector<std::int64_t>> shapes;
  std::vector<std::string> names{"fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"};
  // Contract: the top-1 class of every example (Error when an example is not `inputs` wide).
  std::vector<std::int64_t> predict(const Dataset& data) const;
  std::size_t inputs, hidden;
};

// Contract: the toy backend: load("toy") or load("toy:HIDDEN") gives a ToyNetwork on 784 inputs;
// it does not train.
ModelBackend& toy_backend();

}  // namespace memlapse::testing
