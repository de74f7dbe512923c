#pragma once
// IEEE-754 binary32 stored as its raw bits: m = 32, little-endian, bit 31 = sign, bits 30..23 the
// biased exponent, bits 22..0 the fraction. Every pattern decodes (NaNs and infinities included),
// so a flipped exponent bit can turn a weight into inf/NaN exactly as on a real chip.
// Example:
//   Float32Format f;  std::uint8_t b[4];  f.encode(std::span(&x, 1), b);  // b = bits of x, LSB first
#include "memlapse/formats/format.h"

namespace memlapse {

class Float32Format final : public Format {
 public:
  std::string name() const override { return "fp32"; }
  int value_bits() const override { return 32; }
  TensorParams encode(std::span<const float> values, std::span<std::uint8_t> out) const override;
  float decode_one(const std::uint8_t* bytes, const TensorParams& p) const override;
  void decode(std::span<const std::uint8_t> in, const TensorParams& p, std::span<float> out) const override;
  std::map<std::string, std::string> params() const override { return {}; }
};

}  // namespace memlapse
