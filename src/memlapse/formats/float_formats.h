#pragma once
// IEEE-754 binary16 (FP16), bfloat16 (BF16) and binary32 (FP32) stored as their raw bits, with
// optional correction of implausible values on every read (EDEN, 000 §3.2 and §5).
//   FP16: bit 15 sign, bits 14..10 biased exponent (bias 15), bits 9..0 fraction; 2 bytes LE.
//   BF16: bit 15 sign, bits 14..7 biased exponent (bias 127), bits 6..0 fraction; 2 bytes LE.
//   FP32: bit 31 sign, bits 30..23 exponent, bits 22..0 fraction; 4 bytes LE.
// Conversion from float rounds to nearest, ties to even (IEEE default); FP16 overflows to +-inf
// and underflows through subnormals; NaN payloads are kept (top fraction bits, quiet bit set only
// when truncation would turn a NaN into inf). Every pattern decodes.
// Correction (000 §3.2): at encode time the per-tensor bounds [lo, hi] of the fault-free stored
// values and their largest biased exponent are learned (TensorParams::lo/hi/max_exponent). On
// read, check=value marks a value implausible when it is NaN or outside [lo, hi]; check=exponent
// (000 §5's bounding logic) when its exponent field exceeds max_exponent (inf/NaN always do).
// An implausible value is set to zero (correct=zero, 000's default) or saturated to the nearest
// bound (correct=saturate; NaN -> 0). correct=none stores and reads the raw bits.
// Example:
//   FloatFormat f(FloatKind::kFp16, Correction::kZero, BoundCheck::kValue);   // "fp16-zero"
#include <cstdint>

#include "memlapse/formats/format.h"

namespace memlapse {

enum class FloatKind { kFp32, kFp16, kBf16 };
enum class Correction { kNone, kZero, kSaturate };
enum class BoundCheck { kValue, kExponent };

// Contract: bit-exact conversions (round to nearest even); *_to_float is exact.
std::uint16_t float_to_fp16(float f);
float fp16_to_float(std::uint16_t h);
std::uint16_t float_to_bf16(float f);
float bf16_to_float(std::uint16_t b);

class FloatFormat final : public Format {
 public:
  FloatFormat(FloatKind kind, Correction correction, BoundCheck check);
  std::string name() const override;
  int value_bits() const override { return kind_ == FloatKind::kFp32 ? 32 : 16; }
  TensorParams encode(std::span<const float> values, std::span<std::uint8_t> out) const override;
  float decode_one(const std::uint8_t* bytes, const TensorParams& p) const override;
  std::map<std::string, std::string> params() const override;
  // Contract: the raw decoded value of the stored bits, before any correction.
  float raw_value(const std::uint8_t* bytes) const;
  // Contract: the biased exponent field of the stored bits.
  int exponent_field(const std::uint8_t* bytes) const;
  // Contract: true when correction would change the value stored in `bytes`.
  bool implausible(const std::uint8_t* bytes, const TensorParams& p) const;

 private:
  FloatKind kind_;
  Correction correction_;
  BoundCheck check_;
};

}  // namespace memlapse
