#pragma once
// Per-tensor symmetric signed fixed point: 004's NORMAL scheme (§4.1, Eq. 1; App. D).
//   q_max = max_i |w_i| over the tensor, Delta = q_max / (2^(m-1) - 1),
//   code  = round(w / Delta) (halves away from zero), or with round=false trunc(w / Delta) (toward
//           zero: the float-to-integer conversion that 004 writes as the floor of Eq. 1),
//           clamped to [-(2^(m-1)-1), 2^(m-1)-1];   value = Delta * code.
// The code is stored as an m-bit two's-complement pattern in the low m bits of w = ceil(m/8)
// little-endian bytes, unused high bits zero. Decoding sign-extends the low m bits, so every
// pattern decodes, including -2^(m-1) (never written by encode, reachable through a bit error).
// Bit m-1 is the sign bit: flipping it changes the value by 2^(m-1) * Delta ~ q_max (004 §4.1).
// Edge cases: an all-zero tensor uses Delta := 1 (every code 0); non-finite inputs do not enter
// q_max, NaN encodes as 0 and +-inf as +-(2^(m-1)-1).
// Example:
//   FixedPointFormat f(8, /*round=*/true);            // "fixed8"
//   TensorParams p = f.encode(values, bytes);          // p.scale == Delta
#include <cstdint>

#include "memlapse/formats/format.h"

namespace memlapse {

class FixedPointFormat final : public Format {
 public:
  // Contract: 2 <= bits <= 16, else Error naming the value and the allowed range.
  FixedPointFormat(int bits, bool round);
  // "fixed<m>", plus "-trunc" when truncating.
  std::string name() const override;
  int value_bits() const override { return bits_; }
  bool rounds() const { return round_; }
  // Contract: largest code magnitude, 2^(m-1) - 1.
  std::int32_t max_code() const { return (std::int32_t{1} << (bits_ - 1)) - 1; }
  TensorParams encode(std::span<const float> values, std::span<std::uint8_t> out) const override;
  float decode_one(const std::uint8_t* bytes, const TensorParams& p) const override;
  void decode(std::span<const std::uint8_t> in, const TensorParams& p, std::span<float> out) const override;
  std::map<std::string, std::string> params() const override;

  // Contract: the code of w for range q_max > 0 (Eq. 1 with the rounding mode), in +-max_code().
  std::int32_t quantize(float w, double q_max) const;
  // Contract: writes the low m bits of `code` (two's complement) into w bytes, little-endian.
  void store_code(std::int32_t code, std::uint8_t* bytes) const;
  // Contract: sign-extended code held in the low m bits of the w bytes (total).
  std::int32_t load_code(const std::uint8_t* bytes) const;

 private:
  int bits_;
  bool round_;
};

}  // namespace memlapse
