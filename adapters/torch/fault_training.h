#pragma once
// Internal to the adapter (includes torch): fault-aware training (docs/training.md).
//  - Quantization-aware training with the straight-through estimator: the forward and backward
//    passes see w_q = Q^-1(Q(w)); the gradient w.r.t. w_q is applied to the float master weights
//    w (004 §4.3, Alg. 1 lines 7-11, 16). Q is any memlapse Format, through the torch-free
//    MemoryImage, so training quantizes bit-exactly as `memlapse sweep` stores.
//  - Weight clipping to [-w_max, w_max] after every step (004 §4.2, Alg. 1 line 6).
//  - RANDBET (004 Alg. 1, Eq. 2): clean pass + perturbed pass on Q^-1(BErr_p(Q(w))), gradients
//    summed, faults from any registered FaultModel, fresh per step (chip = step counter),
//    starting once the clean loss is below a threshold; PATTBET uses one fixed chip (004 §5.3);
//    variants "curricular" (p from p/20 to p over the first half) and "alternating" (004 G.4).
//  - EDEN curricular retraining (000 §3.2): one pass on faulty weights whose error rate rises
//    from 0 to the target in steps, corrected implausible values (zeroed).
// Example:
//   FaultTrainer t(opts, net, opt);
//   t.begin_epoch(e);  StepResult r = t.step(x, y);   // instead of forward/backward/step
// Contract: the float master weights are what the optimizer updates and the checkpoint stores.
#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "adapters/torch/activation_faults.h"
#include "adapters/torch/api.h"
#include "adapters/torch/network.h"
#include "memlapse/experiment/checkpoint.h"
#include "memlapse/faults/fault_model.h"
#include "memlapse/image/memory_image.h"

namespace memlapse::torch_adapter {

// A network's parameters as stored in a MemoryImage for one step.
class QuantizedWeights {
 public:
  // Contract: params alias the network's float32 contiguous parameters (Error otherwise).
  QuantizedWeights(std::vector<std::pair<std::string, torch::Tensor>> params, std::shared_ptr<const Format> format,
                   bool correct_zero);
  // Contract: saves the float masters, encodes them into a fresh image and writes the clean
  // decoded (quantized) values into the parameters.
  void quantize();
  // Contract: writes the decoded values of the faulty image into the parameters (only the
  // elements that changed; with correct_zero an element outside its tensor's fault-free
  // [min, max] becomes 0) and returns the number of faults; the image itself stays clean.
  std::size_t perturb(const FaultModel& model, std::uint64_t seed, std::uint64_t chip);
  // Contract: undoes perturb(): the parameters hold the clean quantized values again.
  void unperturb();
  // Contract: writes the float masters back into the parameters.
  void restore();
  MemoryImage& image() { return *image_; }
  std::size_t size() const { return params_.size(); }

 private:
  std::vector<std::pair<std::string, torch::Tensor>> params_;
  std::vector<torch::Tensor> masters_;
  std::shared_ptr<const Format> format_;
  bool correct_zero_;
  std::unique_ptr<MemoryImage> image_;
  std::vector<std::pair<float, float>> bounds_;                 // fault-free [min, max] per tensor
  std::vector<ElementChange> restore_list_;                      // what unperturb() writes back
};

// Contract: EDEN's step-wise error rate (000 §3.2): 0 for the first `every` epochs, then
// target * s / steps in step s = epoch / every, capped at target; steps = 0: target throughout
// (non-curricular retraining).
double curricular_rate(int epoch, double target, int every, int steps);
// Contract: RANDBET's rate in `epoch`: p, or for the curricular variant p/20 rising linearly to p
// at half of the epochs (004 App. G.4).
double randbet_rate(const TrainOptions& o, int epoch);
// Contract: Error naming the flag for every invalid fault-training option.
void validate_fault_training(const TrainOptions& o);
// Contract: every fault-training option as JSON (meta.json key "fault_training"), and back.
nlohmann::json fault_training_meta(const TrainOptions& o);
void read_fault_training_meta(const nlohmann::json& j, TrainOptions& o);

struct StepResult {
  double loss = 0;           // the clean loss (the perturbed loss for curricular retraining)
  torch::Tensor logits;      // of the clean (or only) pass
  std::size_t faults = 0;    // bit errors injected into the weights this step
};

class FaultTrainer {
 public:
  FaultTrainer(const TrainOptions& o, ZooNetwork& net, torch::optim::Optimizer& opt);
  // Contract: sets the epoch's error rates (curricular schedules).
  void begin_epoch(int epoch);
  // Contract: one optimizer step on the batch (zero_grad, passes, step, clipping).
  StepResult step(const torch::Tensor& x, const torch::Tensor& y);
  // Contract: between begin_ and end_evaluation the network is evaluated as stored: quantized
  // weights, activation faults (chip 0), BN batch statistics when asked; end_ restores training.
  void begin_evaluation();
  void end_evaluation();
  // Contract: resumable state (step counter, whether injection has started), and back.
  nlohmann::json state() const;
  void load_state(const nlohmann::json& j);
  // Contract: the seed of the weight faults (their chip is the step counter, 0 for PATTBET).
  std::uint64_t fault_seed() const { return seed_; }

 private:
  torch::Tensor loss_of(const torch::Tensor& logits, const torch::Tensor& y) const;
  void clip();
  const TrainOptions& o_;
  ZooNetwork& net_;
  torch::optim::Optimizer& opt_;
  std::unique_ptr<QuantizedWeights> qw_;
  std::unique_ptr<FaultModel> weight_faults_;  // this epoch's RANDBET/PATTBET/curricular model
  std::unique_ptr<ActivationFaults> act_;
  bool injecting_ = false;
  std::uint64_t step_ = 0;
  std::uint64_t seed_ = 0;
};

}  // namespace memlapse::torch_adapter
