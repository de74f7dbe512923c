#pragma once
// Internal to the adapter (includes torch): faults in activations (000's IFMs and OFMs), injected
// as values pass through memory between the top-level modules of a zoo network. The tensor at a
// site (the batch's input or output of module i) is encoded with a Format into a MemoryImage,
// a FaultModel's faults for (seed, chip, pass) are applied, and the decoded values go on. The
// backward pass is reliable (000 §3.2): the gradient passes the site unchanged (straight-through).
// Spec syntax (`memlapse train --act-faults`): TYPE:MODULES:FORMAT:MODEL:RATE
//   TYPE    ifm | ofm
//   MODULES all | conv (Conv2d and Linear modules) | comma list of module indices (0-based)
//   FORMAT  a format name with optional ",k=v" parameters, e.g. rquant,bits=4
//   MODEL   a fault-model name with optional ",k=v" parameters, e.g. dram-model0
//   RATE    the fault model's rate (rate_key_of: "ber", or P for dram-model*), or KEY=VALUE
// Example:
//   ActivationFaults af(net, {parse_activation_fault("ofm:conv:fixed,bits=8:uniform:1e-3", "--act-faults")}, 1, false);
//   af.set_chip(step);  af.install();  net.forward(x);  af.remove();
#include <torch/torch.h>

#include <cstdint>
#include <map>
#include <utility>
#include <memory>
#include <string>
#include <vector>

#include "adapters/torch/network.h"
#include "memlapse/faults/fault_model.h"
#include "memlapse/formats/format.h"

namespace memlapse::torch_adapter {

// Contract: the zero-corrected value (000 §3.2): v, or 0 when v is outside [lo, hi] or not finite.
inline float correct_implausible(float v, float lo, float hi) { return (v >= lo && v <= hi) ? v : 0.0f; }

struct ActivationFaultSpec {
  bool output = true;            // ofm (true) | ifm
  std::string modules = "all";   // all | conv | "i,j,..."
  std::string format = "fixed";
  std::map<std::string, std::string> format_params{{"bits", "8"}};
  std::string model = "uniform";
  std::map<std::string, std::string> fault_params;
  double rate = 0;
  std::string rate_key = "ber";  // the fault-model parameter `rate` sets
  std::string text;              // as given
};

// Contract: the parameter a bare RATE sets on fault model `model`: "ber" where the model has one,
// else its weak-cell fraction (the first parameter named P...: dram-model0..3's P, P_B, P_W);
// Error naming the model when it has neither (give KEY=VALUE instead).
std::string rate_key_of(const std::string& model);
// Contract: parses the RATE part of a fault spec, "RATE" (the model's rate_key_of key) or
// "KEY=RATE"; Error naming `where` and the text when the number is bad.
std::pair<std::string, double> parse_key_rate(const std::string& model, const std::string& text, const std::string& where);

// Contract: parses the spec (see above); with `with_model` false only TYPE:MODULES[:FORMAT] is
// accepted (the sweep supplies model and rate). Error naming `flag` and the spec when malformed.
ActivationFaultSpec parse_activation_fault(const std::string& text, const std::string& flag, bool with_model = true);

class ActivationFaults {
 public:
  // Contract: resolves each spec's modules on `net` (Error for an index out of range).
  ActivationFaults(ZooNetwork& net, std::vector<ActivationFaultSpec> specs, std::uint64_t seed, bool correct_zero);
  ~ActivationFaults();
  // Contract: later passes draw the faults of chip `chip`; each forward() is one more pass
  // (FaultModel::sample_pass), so per-read models re-draw and persistent faults stay.
  void set_chip(std::uint64_t chip);
  // Contract: sets fault-model parameter `key` of every spec to `value` (a sweep point; the specs'
  // own RATE is their "ber").
  void set_point(const std::string& key, double value);
  // Contract: every site's faults come from `model` with `params` (the partition the activations
  // are placed in, at a sweep point).
  void set_fault_model(const std::string& model, const std::map<std::string, std::string>& params);
  // Contract: with inject false the sites still store (quantize) values but inject no faults.
  void set_inject(bool inject) { inject_ = inject; }
  // Contract: installs / removes the hook on the network.
  void install();
  void remove();
  // Contract: the hook install() sets (for composing with other hooks).
  ActivationHook hook();
  // Contract: the faults injected since construction, per site (module, is_output).
  const std::map<std::pair<std::size_t, bool>, std::uint64_t>& faults_per_site() const { return counts_; }
  std::string describe() const;

 private:
  struct Site {
    std::size_t module;
    bool output;
    std::size_t spec;
  };
  torch::Tensor inject(const Site& s, const torch::Tensor& x);
  ZooNetwork& net_;
  std::vector<ActivationFaultSpec> specs_;
  std::vector<std::shared_ptr<const Format>> formats_;
  std::vector<std::unique_ptr<FaultModel>> models_;
  std::vector<Site> sites_;
  std::uint64_t seed_;
  bool correct_zero_;
  bool inject_ = true;
  std::uint64_t chip_ = 0, pass_ = 0;
  std::map<std::pair<std::size_t, bool>, std::uint64_t> counts_;
};

}  // namespace memlapse::torch_adapter
