#pragma once
// The memory image: the bit-exact content of the memory holding a set of tensors. The image is a
// list of regions; a region is an array of fixed-width words tagged with the data structure it
// holds (values, indices, bitmask, ...) and the bits stored per memory cell. Fault models address
// (region, word, bit) with bit 0 = the word's least significant stored bit; BitFault::tensor is a
// region index. For a plain Format every parameter tensor is one "values" region whose word e is
// element e, so region index == tensor index (the API the callers have always used).
// Layouts: byte-aligned (word e in bytes [e*w, (e+1)*w) of the region, w = ceil(m/8),
// little-endian, high bits zero) or dense (word e at bits [e*m, (e+1)*m) of the region, bit 0 of a
// byte first). Regions start on byte boundaries, one after the other.
// Pipeline formats (formats/pipeline.h) store a parameter tensor as several dense regions (values,
// bitmask, parity, ...): tensor indices (add_tensor, read, read_tensor, ElementChange::tensor) then
// differ from region indices (tensor_count, tensor(), bit access, BitFault::tensor).
// Example:
//   MemoryImage img(make_format("fixed", {{"bits","8"}}));
//   img.prepare(all_tensors);                  // needed by formats with a model-wide range
//   auto t = img.add_tensor("conv1.weight", {32,1,3,3}, values);
//   img.flip_bit(t, 17, 7);                    // flip the sign bit of value 17
//   float w = img.read(t, 17);
//   for (auto c : img.decode_changes(touched)) model[c.tensor][c.element] = c.value;
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "memlapse/formats/format.h"
#include "memlapse/formats/pipeline.h"
#include "memlapse/formats/structure.h"

namespace memlapse {

struct TensorSlot {
  std::string name;
  std::vector<std::int64_t> shape;
  std::uint64_t count = 0;        // number of words (for a values region: number of values)
  std::uint64_t byte_offset = 0;  // where word 0 starts in the image
  TensorParams params;            // returned by Format::encode
  Structure structure = Structure::kValues;
  int word_bits = 0;              // m: fault-addressable bits per word
  int stride_bits = 0;            // distance between words: m (dense) or 8 * ceil(m/8)
  int bits_per_cell = 1;
  std::uint32_t tensor = 0;       // the parameter tensor this region belongs to
};

// One decoded element that a fault changed (or that a revert restored).
struct ElementChange {
  std::uint32_t tensor;
  std::uint64_t element;
  float value;
};

struct TouchedWord {
  std::uint32_t tensor;  // region
  std::uint64_t element; // word
};

class MemoryImage {
 public:
  explicit MemoryImage(std::shared_ptr<const Format> format);

  // Contract: replaces the format by format().prepared(tensors) (all tensors of the model, before
  // any add_tensor); a no-op for formats that need nothing. Error if tensors were already added.
  void prepare(std::span<const std::span<const float>> tensors);
  // Contract: encodes `values` (shape's product == values.size(), else Error) at the end of the
  // image and returns the new parameter tensor's index (for a plain format also its region
  // index). Error when the format still needs prepare().
  std::uint32_t add_tensor(std::string name, std::vector<std::int64_t> shape, std::span<const float> values);

  const Format& format() const { return *format_; }
  std::shared_ptr<const Format> format_ptr() const { return format_; }
  // Contract: the number of regions (what fault models iterate over).
  std::uint32_t tensor_count() const { return static_cast<std::uint32_t>(slots_.size()); }
  const TensorSlot& tensor(std::uint32_t t) const { return slots_.at(t); }
  // Contract: number of fault-addressable bits of region t: count * word_bits(t).
  std::uint64_t value_bits(std::uint32_t t) const;
  std::uint64_t total_value_bits() const;
  // Contract: bits per word of region t: faults address bits 0..word_bits(t)-1.
  int word_bits(std::uint32_t t) const { return slots_[t].word_bits; }
  // Contract: the absolute position (byte * 8 + bit-in-byte, bit 0 = LSB of byte 0) of the stored
  // bit (t, e, bit) in bytes(); fault models use it to place words on rows, bitlines and cells.
  std::uint64_t physical_bit(std::uint32_t t, std::uint64_t e, int bit) const {
    const TensorSlot& s = slots_[t];
    return s.byte_offset * 8 + e * static_cast<std::uint64_t>(s.stride_bits) + static_cast<std::uint64_t>(bit);
  }
  // Contract: bits stored per memory cell for region t (1 = SLC, 2..4 = MLC).
  int bits_per_cell(std::uint32_t t) const { return slots_[t].bits_per_cell; }
  // Contract: sets the bits per cell of region t; Error unless 1 <= k <= 4 and k divides the
  // region's word width (a cell never straddles two words).
  void set_bits_per_cell(std::uint32_t t, int k);

  // Contract: bit `bit` (0 = LSB, < word_bits(t)) of word `e` of region `t`. Checked only in debug
  // builds; callers pass valid addresses.
  bool get_bit(std::uint32_t t, std::uint64_t e, int bit) const;
  void flip_bit(std::uint32_t t, std::uint64_t e, int bit);
  void set_bit(std::uint32_t t, std::uint64_t e, int bit, bool v);
  // Contract: the number of parameter tensors added (== tensor_count() for plain formats).
  std::uint32_t parameter_count() const { return static_cast<std::uint32_t>(params_.size()); }
  // Contract: the regions [first, first + n) holding parameter tensor t.
  std::pair<std::uint32_t, std::uint32_t> regions_of(std::uint32_t t) const {
    return {params_.at(t).first_region, params_.at(t).region_count};
  }
  // Contract: the decoding metadata of parameter tensor t for pipeline formats, else null.
  const PipelineMeta* pipeline_meta(std::uint32_t t) const { return pipeline_ != nullptr ? &params_.at(t).meta : nullptr; }
  // Contract: the value element e of parameter tensor t decodes to now (a pipeline tensor is
  // decoded whole: use read_tensor for many elements).
  float read(std::uint32_t t, std::uint64_t e) const;
  // Contract: decodes the whole parameter tensor into out (out.size() == its element count).
  void read_tensor(std::uint32_t t, std::span<float> out) const;
  // Contract: read_tensor plus what the decoder corrected and detected (SEC-DED codewords,
  // IdxSync re-alignments); all zero for plain formats.
  DecodeReport decode_tensor(std::uint32_t t, std::span<float> out) const;
  // Contract: the current decoded value of every element that the touched words can have
  // changed, each once. For a values region of a plain format that is the word's own element,
  // in touched order. For a pipeline tensor (a bitmask or counter flip moves other elements) the
  // touched tensors are decoded whole and compared with their fault-free values: the result is
  // every element that differs now plus every element reported by the previous call that has
  // not been reported back at its fault-free value, so calling it after injecting and again after
  // reverting restores a model. (That memory makes the image single-consumer.)
  template <class Touched>
  std::vector<ElementChange> decode_changes(std::span<const Touched> touched) const {
    std::vector<ElementChange> out;
    if (pipeline_ == nullptr) {
      out.reserve(touched.size());
      for (const auto& tw : touched) out.push_back({slots_[tw.tensor].tensor, tw.element, read(slots_[tw.tensor].tensor, tw.element)});
      return out;
    }
    std::vector<std::uint32_t> tensors;
    for (const auto& tw : touched) tensors.push_back(slots_[tw.tensor].tensor);
    structured_changes(tensors, out);
    return out;
  }

  std::span<const std::uint8_t> bytes() const { return bytes_; }
  std::span<std::uint8_t> mutable_bytes() { return bytes_; }
  // Contract: the bytes of region t (ceil(count * stride_bits / 8) bytes).
  std::span<const std::uint8_t> tensor_bytes(std::uint32_t t) const;

 private:
  struct ParameterTensor {
    std::uint32_t first_region = 0, region_count = 1;
    std::uint64_t count = 0;
    PipelineMeta meta;                       // pipeline formats only
    std::vector<float> clean;                // pipeline formats: the fault-free decode
    mutable std::vector<std::uint64_t> dirty;  // elements last reported away from `clean`
  };
  void structured_changes(std::vector<std::uint32_t>& tensors, std::vector<ElementChange>& out) const;
  std::uint32_t add_pipeline_tensor(std::string name, std::vector<std::int64_t> shape, std::span<const float> values);
  // The word e of region t as byte-aligned little-endian bytes (what Format::decode_one reads).
  void load_word(const TensorSlot& s, std::uint64_t e, std::uint8_t* word) const;
  std::shared_ptr<const Format> format_;
  const PipelineFormat* pipeline_ = nullptr;  // format_ as a pipeline, or null
  std::vector<TensorSlot> slots_;
  std::vector<ParameterTensor> params_;
  std::vector<std::uint8_t> bytes_;
};

}  // namespace memlapse
