#pragma once
// Block floating point (002 §II-C Fig. 4, §V-C): groups of g values share one e-bit exponent;
// each value keeps a sign and an f-bit mantissa. CAMEL's default g = 9, e = 4, f = 5 gives
// 4 + 9 * (1 + 5) = 58-bit groups, 6.4 bits per number.
// Rounding rule (002 Fig. 4(b)-(c)): the group exponent E is the largest exponent in the group,
// E = floor(log2 max|x|); every value is aligned to the quantum q = 2^(E + 1 - f) and its
// magnitude truncated (round=trunc, 002's rule) or rounded to nearest, halves away from zero
// (round=nearest), then clamped to 2^f - 1. The e-bit field stores s = E - (E_top - (2^e - 1)),
// clamped to [0, 2^e - 1], where E_top is the tensor's largest exponent (a per-tensor parameter
// kept outside the image, like a fixed-point scale); groups smaller than 2^(E_top - 2^e + 1)
// use s = 0. Decoding: x = (-1)^sign * M * 2^(E_top - 2^e + 1 + s + 1 - f).
// Example:
//   BfpSpec spec{.group = 9, .exponent_bits = 4, .mantissa_bits = 5};
//   int top = bfp_tensor_exponent(v);
//   BfpGroupCode c = bfp_encode_group(spec, top, std::span(v).subspan(0, 9));
//   float x = bfp_decode_value(spec, top, c.exponent_field, c.codes[3]);
#include <cstdint>
#include <span>
#include <vector>

namespace memlapse {

struct BfpSpec {
  int group = 9;          // g, values per shared exponent
  int exponent_bits = 4;  // e
  int mantissa_bits = 5;  // f
  bool round_nearest = false;
  // Contract: bits of one value code: f mantissa bits (bits 0..f-1) and the sign (bit f).
  constexpr int code_bits() const { return mantissa_bits + 1; }
  // Contract: bits of one packed group word, e + g * (1 + f) (58 for 002's default).
  constexpr int group_bits() const { return exponent_bits + group * code_bits(); }
};
static_assert(BfpSpec{}.group_bits() == 58, "002 §V-C: 4 + (5 + 1) * 9 = 58 bits per group");

struct BfpGroupCode {
  std::uint32_t exponent_field = 0;
  std::vector<std::uint32_t> codes;  // one (1 + f)-bit code per value: mantissa | sign << f
};

// Contract: floor(log2 max|x|) over the finite non-zero values, or -126 when there are none.
int bfp_tensor_exponent(std::span<const float> values);
// Contract: the group's exponent field and value codes under the rule above (fast path, double).
BfpGroupCode bfp_encode_group(const BfpSpec& spec, int tensor_exponent, std::span<const float> group);
// Contract: the same as bfp_encode_group computed with integer operations on the float32 bits
// only (the slow reference the tests compare against, STYLE.md habit 5).
BfpGroupCode bfp_encode_group_reference(const BfpSpec& spec, int tensor_exponent, std::span<const float> group);
// Contract: the value of code `code` in a group whose exponent field is `field`; total.
float bfp_decode_value(const BfpSpec& spec, int tensor_exponent, std::uint32_t field, std::uint32_t code);

}  // namespace memlapse
