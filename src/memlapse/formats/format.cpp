#include "memlapse/formats/format.h"

#include "memlapse/core/error.h"

namespace memlapse {

void Format::decode(std::span<const std::uint8_t> in, const TensorParams& p, std::span<float> out) const {
  const auto w = static_cast<std::size_t>(value_bytes());
  MEMLAPSE_CHECK(in.size() == out.size() * w, "decode: input bytes do not match the output count");
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = decode_one(in.data() + i * w, p);
}

std::shared_ptr<const Format> Format::prepared(std::span<const std::span<const float>> tensors) const {
  (void)tensors;
  MEMLAPSE_CHECK(!needs_prepare(), "format " + name() + " needs prepare but does not implement prepared()");
  return nullptr;
}

std::shared_ptr<const Format> prepare_format(std::shared_ptr<const Format> f,
                                             std::span<const std::span<const float>> tensors) {
  MEMLAPSE_CHECK(f != nullptr, "prepare_format needs a format");
  if (!f->needs_prepare()) return f;
  auto p = f->prepared(tensors);
  MEMLAPSE_CHECK(p != nullptr && !p->needs_prepare(), "prepared() must return a ready format");
  return p;
}

}  // namespace memlapse
