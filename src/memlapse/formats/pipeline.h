#pragma once
// The encoding pipeline (issue #3 item 7): one tensor -> several tagged data structures, each a
// region of fixed-width words in the memory image, and back with correction. Layouts bit for bit
// in docs/formats.md "Pipeline". Order (encode): prune -> value stream (fixed | cluster | fp16 |
// bfp) -> sparse index structures -> SEC-DED parity per protected region -> Gray per cell.
// Decode runs the inverse: un-Gray -> SEC-DED correct -> sparse positions (IdxSync) -> values.
// Example:
//   auto f = make_format("maxnvm", {{"prune", "0.8"}});
//   auto& p = dynamic_cast<const PipelineFormat&>(*f);
//   PipelineTensor t = p.encode_tensor(values, shape);
//   std::vector<std::span<const std::uint8_t>> bits = ...;    // each region's stored bits
//   DecodeReport r = p.decode_tensor(t.meta, bits, out);     // r.corrected, r.detected
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "memlapse/formats/format.h"
#include "memlapse/formats/pipeline_spec.h"

namespace memlapse {

// One region of an encoded tensor: count words of word_bits, stored densely (bits.h order).
struct RegionLayout {
  Structure structure = Structure::kValues;
  int word_bits = 1;
  std::uint64_t count = 0;
  int bits_per_cell = 1;
  int protects = -1;  // parity regions: index (within the tensor) of the region they protect
  std::uint64_t bit_count() const { return count * static_cast<std::uint64_t>(word_bits); }
};

// What decoding needs besides the stored bits (kept outside the image, written to sidecars).
struct PipelineMeta {
  std::vector<std::int64_t> shape;
  std::uint64_t n = 0;              // elements
  std::uint64_t rows = 1, cols = 0;  // CSR 2-D view
  std::uint64_t stored = 0;          // values in the value stream (n without sparsity)
  double scale = 1.0;                // fixed: value = code * scale
  int tensor_exponent = 0;           // bfp: E_top
  std::vector<RegionLayout> regions;
};

struct PipelineTensor {
  PipelineMeta meta;
  std::vector<std::vector<std::uint8_t>> bits;  // per region, ceil(bit_count / 8) bytes
};

struct DecodeReport {
  std::uint64_t corrected = 0;  // SEC-DED codewords with one corrected flip
  std::uint64_t detected = 0;   // SEC-DED codewords with an uncorrectable (double) error
  std::uint64_t resynced = 0;   // IdxSync blocks whose mask disagreed with their counter
  DecodeReport& operator+=(const DecodeReport& o) {
    corrected += o.corrected; detected += o.detected; resynced += o.resynced;
    return *this;
  }
};

class PipelineFormat final : public Format {
 public:
  explicit PipelineFormat(PipelineSpec spec, std::map<std::string, std::string> params)
      : spec_(spec), params_(std::move(params)) {}
  const PipelineSpec& spec() const { return spec_; }
  std::string name() const override { return spec_.name(); }
  // Contract: the width of the values (or cluster indices) words.
  int value_bits() const override { return spec_.value_word_bits(); }
  std::map<std::string, std::string> params() const override { return params_; }
  // A pipeline tensor is several regions: MemoryImage encodes through encode_tensor(); the
  // per-value interface is not available (an internal error if called).
  TensorParams encode(std::span<const float> values, std::span<std::uint8_t> out) const override;
  float decode_one(const std::uint8_t* bytes, const TensorParams& p) const override;

  // Contract: every region of the tensor (values first, parity last) and its metadata.
  // Deterministic; a tensor with 0 elements encodes to empty regions.
  PipelineTensor encode_tensor(std::span<const float> values, std::span<const std::int64_t> shape) const;
  // Contract: decodes the stored bits of meta.regions (one span per region, bit_count bits each)
  // into out (meta.n values) with correction; total: any stored bits decode.
  DecodeReport decode_tensor(const PipelineMeta& meta, std::span<const std::span<const std::uint8_t>> stored,
                             std::span<float> out) const;
  // Contract: the tensor's decode parameters as the memory stores them (docs/formats.md
  // "Scales"): quant = fixed: the scale as one binary64 word; quant = bfp: the tensor exponent
  // E_top as one 16-bit two's-complement word; none otherwise.
  ScaleWords meta_scale_words(const PipelineMeta& meta) const;
  // Contract: meta with those words replaced (a faulty read; any pattern decodes).
  void set_meta_scale_words(std::span<const std::uint64_t> words, PipelineMeta& meta) const;

 private:
  PipelineSpec spec_;
  std::map<std::string, std::string> params_;
};

// The value stream (pipeline_values.cpp): the stored values in order, as words of one or two
// regions (values/indices plus exponents or codebook).
struct ValueStream {
  std::vector<RegionLayout> regions;
  std::vector<std::vector<std::uint8_t>> bits;
  double scale = 1.0;
  int tensor_exponent = 0;
};
// Contract: encodes `values` (the stream: all elements, or the non-zeros of a sparse tensor);
// pin_zero reserves cluster index 0 for the exact value 0 (dense pruned tensors).
ValueStream encode_value_stream(const PipelineSpec& spec, std::span<const float> values, bool pin_zero);
// Contract: decodes `count` values from the stream regions (first = values/indices, second =
// exponents or codebook when present).
std::vector<float> decode_value_stream(const PipelineSpec& spec, const PipelineMeta& meta,
                                       std::span<const std::span<const std::uint8_t>> regions, std::uint64_t count);

// Gray coding of cell levels (001 §3.3): the k data bits v of a cell are stored as the level index
// L = gray_decode(v); reading L gives v = gray_encode(L), so L +- 1 changes one data bit.
// Contract: in-place over `bit_count` bits in k-bit cells; to_levels = true encodes.
void gray_cells(std::span<std::uint8_t> bits, std::uint64_t bit_count, int k, bool to_levels);

}  // namespace memlapse
