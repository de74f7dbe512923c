#include "memlapse/formats/format.h"

#include "memlapse/core/error.h"

namespace memlapse {

void Format::decode(std::span<const std::uint8_t> in, const TensorParams& p, std::span<float> out) const {
  const auto w = static_cast<std::size_t>(value_bytes());
  MEMLAPSE_CHECK(in.size() == out.size() * w, "decode: input bytes do not match the output count");
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = decode_one(in.data() + i * w, p);
}

}  // namespace memlapse
