#include "memlapse/experiment/stored_model.h"

#include <algorithm>
#include <cmath>

#include "memlapse/core/error.h"

namespace memlapse {

StoredModel::StoredModel(std::vector<ParameterRef> params, std::shared_ptr<const Format> format, bool correct_zero)
    : params_(std::move(params)), image_(std::move(format)), correct_zero_(correct_zero) {
  std::vector<std::span<const float>> all;
  for (const auto& p : params_) {
    const std::span<const float> v(p.data, p.count);
    const auto bad = std::find_if(v.begin(), v.end(), [](float x) { return !std::isfinite(x); });
    if (bad != v.end()) {
      throw Error("parameter " + p.name + " holds a non-finite value (" + std::to_string(*bad) + " at element " +
                  std::to_string(bad - v.begin()) + "): a memory cannot store what it means; check the checkpoint");
    }
    all.push_back(v);
  }
  image_.prepare(all);
  for (auto& p : params_) {
    const std::uint32_t t = image_.add_tensor(p.name, p.shape, std::span<const float>(p.data, p.count));
    image_.read_tensor(t, std::span<float>(p.data, p.count));
    const auto [mn, mx] = std::minmax_element(p.data, p.data + p.count);
    bounds_.emplace_back(p.count > 0 ? *mn : 0.0f, p.count > 0 ? *mx : 0.0f);
  }
}

ResolvedPlacement StoredModel::place(const MemorySystem& mem, const PlacementSpec& spec) {
  ResolvedPlacement r = resolve_placement(image_, mem, spec);
  image_.place(r.partition_of_region);
  return r;
}

void StoredModel::load(std::span<const Injection::Touched> touched) {
  for (const auto& c : image_.decode_changes(touched)) {
    const auto [lo, hi] = bounds_[c.tensor];
    // 000 §3.2/§5: decoded values outside the tensor's fault-free [min, max] read as 0.
    params_[c.tensor].data[c.element] = correct_zero_ && !(c.value >= lo && c.value <= hi) ? 0.0f : c.value;
  }
}

}  // namespace memlapse
