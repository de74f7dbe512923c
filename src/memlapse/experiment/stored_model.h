#pragma once
// A network's parameters stored in a memory image (the bridge between a framework's float
// weights and the bits a memory holds): encodes every parameter, makes the network's weights the
// decoded values (the fault-free model is the model as stored), places the image's regions into
// partitions, and after each injection writes back only the elements the faults changed, with
// 000's correction of implausible values when asked.
// Example:
//   StoredModel sm(model->parameters(), format, /*correct_zero=*/false);
//   sm.place(mem, placement);
//   Injection inj(sm.image(), PartitionView(sm.image(), 0, layout), fault_model, seed, chip);
//   sm.load(inj.touched());  ... predict ...  inj.revert();  sm.load(inj.touched());
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "memlapse/experiment/backend.h"
#include "memlapse/faults/fault_model.h"
#include "memlapse/image/memory_image.h"
#include "memlapse/placement/placement.h"

namespace memlapse {

class StoredModel {
 public:
  // Contract: encodes every parameter (a format with a model-wide range learns it from all of them
  // first) and writes the decoded values into the parameters; Error naming a parameter whose values
  // are not finite (a NaN weight has no stored form that means it).
  StoredModel(std::vector<ParameterRef> params, std::shared_ptr<const Format> format, bool correct_zero);
  MemoryImage& image() { return image_; }
  const MemoryImage& image() const { return image_; }
  const std::vector<ParameterRef>& parameters() const { return params_; }
  // Contract: places the image (resolve_placement) and returns the resolved placement.
  ResolvedPlacement place(const MemorySystem& mem, const PlacementSpec& spec);
  // Contract: writes the image's current decoded value of every element the touched words can have
  // changed into the parameters (zeroed when correction is on and it falls outside its tensor's
  // fault-free [min, max], 000 §3.2).
  void load(std::span<const Injection::Touched> touched);

 private:
  std::vector<ParameterRef> params_;
  MemoryImage image_;
  bool correct_zero_;
  std::vector<std::pair<float, float>> bounds_;
};

}  // namespace memlapse
