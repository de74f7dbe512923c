#pragma once
// Profiled error maps (004 App. C.1 / §5.3, Tab. 5): per-bit 0->1 and 1->0 flip probabilities of
// a measured memory array, tiled over the image. 004 maps weights linearly onto the profiled array
// after "various offsets ... to simulate various weights to memory mappings"; here the bit at
// address q of the partition sits at array cell m = q + offset_bits (the partition layout's),
// row (m / cols) % rows, column m % cols.
// Map directory: profile.json {"rows": R, "cols": C}, flip01.f32 and flip10.f32 (R*C little-endian
// float32 in [0,1], row-major): the probability that a cell storing 0 reads 1, and storing 1 reads 0.
// A chip draws, once, which cells fail (nested sampler at the largest probability, thinned per
// cell and stored bit), so its faults are persistent and each cell fails with its probability.
// Example:
//   auto m = make_fault_model("profiled", {{"map", "chips/chip2"}});
//   PhysicalLayout lay;  lay.offset_bits = 4096;   // another weights-to-array mapping
//   FaultList f = m->sample(PartitionView(image, 0, lay), seed, chip);
#include <memory>
#include <string>
#include <vector>

#include "memlapse/faults/fault_model.h"

namespace memlapse {

struct ErrorProfile {
  std::uint64_t rows = 0, cols = 0;
  std::vector<float> flip01, flip10;
};

// Contract: reads the map directory; Error naming the file and what is wrong.
ErrorProfile load_error_profile(const std::string& dir);

class ProfiledErrors final : public FaultModel {
 public:
  // Contract: Error when a probability is outside [0,1] or the sizes disagree.
  ProfiledErrors(ErrorProfile profile, std::string source);
  std::string name() const override { return "profiled"; }
  FaultList sample(const PartitionView& view, std::uint64_t seed, std::uint64_t chip) const override;
  std::map<std::string, std::string> params() const override;

 private:
  ErrorProfile prof_;
  std::string source_;
  double p_max_ = 0.0, mean01_ = 0.0, mean10_ = 0.0;
};

// Registry entry (schema + factory) of "profiled".
Implementation<std::unique_ptr<FaultModel>> profiled_implementation();

}  // namespace memlapse
