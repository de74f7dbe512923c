#pragma once
// Number formats: how a float tensor becomes the bits a memory stores, and back.
// A Format is data plus a reference codec (STYLE.md habit 5). Faults act on the stored bits;
// decode_one() is total: every bit pattern decodes to some float, as it would on the chip.
//
// Byte-aligned layout (the default, issue 2 §6): value i of a tensor occupies bytes
// [i*w, (i+1)*w), w = value_bytes() = ceil(m/8), little-endian; the m = value_bits() low bits
// hold the code, unused high bits are zero. Faults address only the m value bits.
// Example:
//   auto f = make_format("fixed", {{"bits", "8"}});          // 004's NORMAL scheme, rounded
//   std::vector<std::uint8_t> bytes(v.size() * f->value_bytes());
//   TensorParams p = f->encode(v, bytes);
//   float x = f->decode_one(&bytes[3 * f->value_bytes()], p);
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "memlapse/core/registry.h"

namespace memlapse {

// Per-tensor parameters chosen at encode time and needed to decode (written to sidecars).
// Fixed point decodes value = offset + scale * c, c the signed code (docs/formats.md).
struct TensorParams {
  double scale = 1.0;   // fixed point: Delta = q_max / (2^(m-1) - 1) (004 Eq. 1)
  double offset = 0.0;  // asymmetric formats: the real value of signed code 0, (q_min + q_max) / 2
  // Per-output-channel ranges (range=channel): channel j covers elements
  // [j * channel_elements, (j+1) * channel_elements) and uses channel_scale[j], channel_offset[j].
  std::uint64_t channel_elements = 0;  // 0: one range for the whole tensor
  std::vector<double> channel_scale, channel_offset;
  // Correction of implausible values (000 §3.2, §5): fault-free bounds learned at encode time.
  double lo = 0.0, hi = 0.0;  // value bounds [lo, hi]
  int max_exponent = 0;       // largest biased exponent field among the fault-free values
};

// Decode parameters as the memory stores them (Format::scale_words).
struct ScaleWords {
  int word_bits = 64;
  std::vector<std::uint64_t> words;
};

class Format {
 public:
  virtual ~Format() = default;
  // Contract: a stable, descriptive name used in results, e.g. "fp32", "fixed8" or "fixed4-trunc".
  virtual std::string name() const = 0;
  // Contract: m, the number of stored bits per value that faults can hit (1..32).
  virtual int value_bits() const = 0;
  // Contract: w = ceil(m/8), bytes per value in the byte-aligned layout.
  int value_bytes() const { return (value_bits() + 7) / 8; }
  // Contract: writes values.size() codes into out (exactly values.size()*value_bytes() bytes) and
  // returns the parameters needed to decode them. Deterministic; never throws for finite input.
  virtual TensorParams encode(std::span<const float> values, std::span<std::uint8_t> out) const = 0;
  // Contract: decodes the value whose w bytes start at `bytes`; any bit pattern decodes (total).
  virtual float decode_one(const std::uint8_t* bytes, const TensorParams& p) const = 0;
  // Contract: as decode_one for element `e` of its tensor (formats with per-channel parameters
  // need the index; the default ignores it).
  virtual float decode_at(const std::uint8_t* bytes, std::uint64_t e, const TensorParams& p) const {
    (void)e;
    return decode_one(bytes, p);
  }
  // Contract: as encode(), given the tensor's shape (dimension 0 = output channels); formats
  // with per-channel ranges override it, the default ignores the shape.
  virtual TensorParams encode_shaped(std::span<const float> values, std::span<const std::int64_t> shape,
                                     std::span<std::uint8_t> out) const {
    (void)shape;
    return encode(values, out);
  }
  // Contract: true when values are packed densely (value i at bit i*m of its tensor) rather than
  // in the byte-aligned layout; the memory image does the packing, encode/decode stay byte-aligned.
  virtual bool dense_layout() const { return false; }
  // Contract: true when encoding needs the whole model first (a range over all tensors): such a
  // format must be replaced by prepared() before MemoryImage::add_tensor accepts it.
  virtual bool needs_prepare() const { return false; }
  // Contract: the format fixed to the ranges of `tensors` (all tensors of the model), or this
  // format's copy when it has nothing to learn. The result has needs_prepare() == false.
  virtual std::shared_ptr<const Format> prepared(std::span<const std::span<const float>> tensors) const;
  // Contract: decode_one() for every value; out.size() * value_bytes() == in.size().
  virtual void decode(std::span<const std::uint8_t> in, const TensorParams& p, std::span<float> out) const;
  // Contract: the resolved parameters this format was built with (written beside results).
  virtual std::map<std::string, std::string> params() const = 0;
  // Contract: the decode parameters of p that a memory stores beside the codes, as words of
  // ScaleWords::word_bits bits (docs/formats.md "Scales": fixed point keeps the scale, and the
  // offset when asymmetric, per tensor or per channel, as IEEE-754 binary64 patterns: the decoder
  // computes in double, so storing them changes no decoded value); empty when it needs none.
  virtual ScaleWords scale_words(const TensorParams& p) const {
    (void)p;
    return {};
  }
  // Contract: p with the words of scale_words(p) replaced by `words` (same count): what a
  // decoder uses after a fault in the stored scales. Any bit pattern is accepted (total).
  virtual void set_scale_words(std::span<const std::uint64_t> words, TensorParams& p) const {
    (void)words;
    (void)p;
  }
};

// The formats registry (formats/builtin.cpp): every format with its schema and factory.
const Registry<std::unique_ptr<Format>>& format_registry();
// Contract: builds the named format from user parameters validated by its schema; throws Error
// naming the format and key for unknown names/keys or bad values.
std::unique_ptr<Format> make_format(const std::string& name, const std::map<std::string, std::string>& params);
// Contract: prepared() for formats that need it, else `f` itself.
std::shared_ptr<const Format> prepare_format(std::shared_ptr<const Format> f,
                                             std::span<const std::span<const float>> tensors);

}  // namespace memlapse
