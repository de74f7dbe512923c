#include "memlapse/formats/float32.h"

#include <bit>
#include <cstring>
#include <limits>

#include "memlapse/core/error.h"

namespace memlapse {

static_assert(sizeof(float) == 4 && std::numeric_limits<float>::is_iec559, "fp32 needs IEEE-754 binary32");

TensorParams Float32Format::encode(std::span<const float> values, std::span<std::uint8_t> out) const {
  MEMLAPSE_CHECK(out.size() == values.size() * 4, "fp32 encode: output must hold 4 bytes per value");
  for (std::size_t i = 0; i < values.size(); ++i) {
    const auto u = std::bit_cast<std::uint32_t>(values[i]);
    for (int b = 0; b < 4; ++b) out[i * 4 + b] = static_cast<std::uint8_t>(u >> (8 * b));
  }
  return TensorParams{};
}

float Float32Format::decode_one(const std::uint8_t* bytes, const TensorParams& /*p*/) const {
  const std::uint32_t u = static_cast<std::uint32_t>(bytes[0]) | (static_cast<std::uint32_t>(bytes[1]) << 8) |
                          (static_cast<std::uint32_t>(bytes[2]) << 16) | (static_cast<std::uint32_t>(bytes[3]) << 24);
  return std::bit_cast<float>(u);
}

void Float32Format::decode(std::span<const std::uint8_t> in, const TensorParams& p, std::span<float> out) const {
  MEMLAPSE_CHECK(in.size() == out.size() * 4, "fp32 decode: input must hold 4 bytes per value");
  if constexpr (std::endian::native == std::endian::little) {
    if (!out.empty()) std::memcpy(out.data(), in.data(), in.size());
  } else {
    Format::decode(in, p, out);
  }
}

}  // namespace memlapse
