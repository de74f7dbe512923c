#pragma once
// Fixed point in every variant of 004 (§4.1 Eq. 1, App. D Eq. 3-4, App. G.2) and EDEN's symmetric
// linear int4/int8/int16 (000 §6.1).
//   k = 2^(m-1) - 1.
//   Symmetric range:  q = max_i |w_i| (after clipping),  x = w * k / q.
//   Asymmetric range: [q_min, q_max] = [min w, max w], N(w) = 2 (w - q_min) / (q_max - q_min) - 1
//                     (004 Eq. 3), x = N(w) * k.
//   c = round(x) (halves away from zero) or trunc(x) (C++ float-to-int conversion, the floor of
//   004 Eq. 1), clamped to [-k, k].
//   Signed: the stored pattern is c in m-bit two's complement. Unsigned: v = c + k (004 Eq. 4),
//   the "offset" representation in [0, 2^m - 2].
//   Decoding: value = offset + scale * c with scale = q / k, offset = 0 (symmetric) or
//   scale = (q_max - q_min) / (2k), offset = (q_max + q_min) / 2 (asymmetric); c is the
//   sign-extended pattern (signed) or pattern - k (unsigned), so every pattern decodes.
//   Range granularity: per tensor (004's per-layer), global (one range for all tensors of the
//   model: needs prepared()), or per output channel (dimension 0; rank <= 1 tensors use one range).
//   Clipping (004 §4.2): values are first clamped to [-clip, clip] when clip > 0.
// Layout: byte-aligned (value i in bytes [i*w, (i+1)*w), w = ceil(m/8), little-endian, unused high
// bits zero: 004 App. D's masked MSBs) or dense (value i at bits [i*m, (i+1)*m) of its tensor; the
// memory image packs).
// Edge cases: an all-zero symmetric tensor uses q := k (scale 1); a constant asymmetric tensor uses
// scale 1 and offset = the constant; NaN encodes as code 0, +-inf as +-k.
// Example:
//   FixedPointSpec s;  s.bits = 8;  s.symmetric = false;  s.is_signed = false;  s.round = true;
//   FixedPointFormat rquant(s);                          // 004's RQUANT, name "fixed8-asym-unsigned"
//   TensorParams p = rquant.encode(values, bytes);
#include <cstdint>

#include "memlapse/formats/format.h"

namespace memlapse {

enum class RangeGranularity { kTensor, kGlobal, kChannel };

struct FixedPointSpec {
  int bits = 8;
  RangeGranularity range = RangeGranularity::kTensor;
  bool symmetric = true;
  bool is_signed = true;
  bool round = true;
  double clip = 0.0;   // > 0: clamp values to [-clip, clip] before quantization
  bool dense = false;  // dense bit packing instead of the byte-aligned layout
  // Set by prepared() for range = global: the model-wide range.
  bool has_global = false;
  double global_min = 0.0, global_max = 0.0;
};

class FixedPointFormat final : public Format {
 public:
  // Contract: 2 <= bits <= 16 and clip >= 0, else Error naming the value and the allowed range.
  explicit FixedPointFormat(const FixedPointSpec& spec);
  FixedPointFormat(int bits, bool round);
  // "fixed<m>" plus, where they differ from the default, "-global"/"-channel", "-asym",
  // "-unsigned", "-trunc", "-clip<c>", "-dense".
  std::string name() const override;
  int value_bits() const override { return spec_.bits; }
  bool rounds() const { return spec_.round; }
  const FixedPointSpec& spec() const { return spec_; }
  // Contract: largest code magnitude, k = 2^(m-1) - 1.
  std::int32_t max_code() const { return (std::int32_t{1} << (spec_.bits - 1)) - 1; }
  TensorParams encode(std::span<const float> values, std::span<std::uint8_t> out) const override;
  TensorParams encode_shaped(std::span<const float> values, std::span<const std::int64_t> shape,
                             std::span<std::uint8_t> out) const override;
  float decode_one(const std::uint8_t* bytes, const TensorParams& p) const override;
  float decode_at(const std::uint8_t* bytes, std::uint64_t e, const TensorParams& p) const override;
  void decode(std::span<const std::uint8_t> in, const TensorParams& p, std::span<float> out) const override;
  std::map<std::string, std::string> params() const override;
  bool dense_layout() const override { return spec_.dense; }
  bool needs_prepare() const override { return spec_.range == RangeGranularity::kGlobal && !spec_.has_global; }
  std::shared_ptr<const Format> prepared(std::span<const std::span<const float>> tensors) const override;
  // Scale words: per range (the tensor, or each channel in order) its scale, then its offset
  // when asymmetric.
  ScaleWords scale_words(const TensorParams& p) const override;
  void set_scale_words(std::span<const std::uint64_t> words, TensorParams& p) const override;

  // Contract: the signed code c in [-k, k] of w for the symmetric range q > 0 (Eq. 1).
  std::int32_t quantize(float w, double q_max) const;
  // Contract: the signed code c in [-k, k] of w for the asymmetric range q_min < q_max (Eq. 3).
  std::int32_t quantize_asym(float w, double q_min, double q_max) const;
  // Contract: writes the m-bit pattern of signed code c (two's complement, or c + k when
  // unsigned) into w bytes, little-endian, high bits zero.
  void store_code(std::int32_t code, std::uint8_t* bytes) const;
  // Contract: the signed code c of the stored pattern (total: every pattern has one).
  std::int32_t load_code(const std::uint8_t* bytes) const;

 private:
  // Encodes values[begin, end) with one range; returns (scale, offset).
  std::pair<double, double> encode_range(std::span<const float> values, std::uint8_t* out) const;
  float clipped(float v) const;
  FixedPointSpec spec_;
};

// The typed spec from the fixed-point keys shared by "fixed" and its presets (builtin.cpp),
// already checked by their schema.
FixedPointSpec fixed_point_spec_from(const ParamValues& v);

}  // namespace memlapse
