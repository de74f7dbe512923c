#pragma once
// The memory image: the bit-exact content of the memories holding a set of tensors. The image is
// a list of regions; a region is an array of fixed-width words tagged with the data structure it
// holds (values, indices, bitmask, ..., scales) and the bits stored per memory cell. Fault models
// address (region, word, bit) with bit 0 = the word's least significant stored bit;
// BitFault::tensor is a region index.
// Partitions: every region lives in one memory partition (a separate memory with its own fault
// model, faults/partition.h). Each partition has its own bytes: its regions follow each other in
// region order, each starting on a byte boundary, so physical_bit() is an address inside the
// region's partition. By default every region is in partition 0 except the decode parameters
// (structure "scales": quantization scales and offsets, BFP tensor exponents), which go to
// partition 1, a fault-free memory unless a placement says otherwise; place() moves regions.
// Region order: the regions of the stored tensors in add_tensor order, then every scales region
// (in add_tensor order). For a plain Format, parameter tensor t is values region t, so region
// index == tensor index for every non-scales region (the API callers have always used).
// Layouts: byte-aligned (word e in bytes [e*w, (e+1)*w) of the region, w = ceil(m/8),
// little-endian, high bits zero) or dense (word e at bits [e*m, (e+1)*m) of the region, bit 0 of a
// byte first).
// Pipeline formats (formats/pipeline.h) store a parameter tensor as several dense regions (values,
// bitmask, parity, ...): tensor indices (add_tensor, read, read_tensor, ElementChange::tensor) then
// differ from region indices (tensor_count, tensor(), bit access, BitFault::tensor).
// Decoding always uses the scales as stored (a fault there changes the whole tensor or channel).
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

#include "memlapse/core/error.h"
#include "memlapse/formats/format.h"
#include "memlapse/formats/pipeline.h"
#include "memlapse/formats/structure.h"

namespace memlapse {

// The partition that holds the scales regions until a placement moves them.
inline constexpr std::uint32_t kDefaultScalesPartition = 1;

struct TensorSlot {
  std::string name;
  std::vector<std::int64_t> shape;
  std::uint64_t count = 0;        // number of words (for a values region: number of values)
  std::uint64_t byte_offset = 0;  // where word 0 starts in its partition's bytes
  TensorParams params;            // returned by Format::encode (the fault-free decode parameters)
  Structure structure = Structure::kValues;
  int word_bits = 0;              // m: fault-addressable bits per word
  int stride_bits = 0;            // distance between words: m (dense) or 8 * ceil(m/8)
  int bits_per_cell = 1;
  std::uint32_t tensor = 0;       // the parameter tensor this region belongs to
  std::uint32_t partition = 0;    // the memory partition holding it
  // Contract: the region's size in its partition, whole bytes.
  std::uint64_t byte_count() const { return (count * static_cast<std::uint64_t>(stride_bits) + 7) / 8; }
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
  // Contract: encodes `values` (shape's product == values.size(), else Error) and returns the new
  // parameter tensor's index (for a plain format also its values region index); its decode
  // parameters, if the format has any, become a scales region. Error when the format still needs
  // prepare() or the image was already placed.
  std::uint32_t add_tensor(std::string name, std::vector<std::int64_t> shape, std::span<const float> values);

  const Format& format() const { return *format_; }
  std::shared_ptr<const Format> format_ptr() const { return format_; }
  // Contract: the number of regions (scales included).
  std::uint32_t tensor_count() const { return static_cast<std::uint32_t>(cells_.size() + scales_.size()); }
  const TensorSlot& tensor(std::uint32_t t) const {
    MEMLAPSE_CHECK(t < tensor_count(), "region index out of range");
    return slot(t);
  }
  // Contract: number of fault-addressable bits of region t: count * word_bits(t).
  std::uint64_t value_bits(std::uint32_t t) const;
  // Contract: the sum of value_bits over every region of every partition.
  std::uint64_t total_value_bits() const;
  // Contract: bits per word of region t: faults address bits 0..word_bits(t)-1.
  int word_bits(std::uint32_t t) const { return slot(t).word_bits; }
  // Contract: the position (byte * 8 + bit-in-byte, bit 0 = LSB of byte 0) of the stored bit
  // (t, e, bit) in bytes(partition of t); fault models use it to place words on rows, bitlines and
  // cells of that partition.
  std::uint64_t physical_bit(std::uint32_t t, std::uint64_t e, int bit) const {
    const TensorSlot& s = slot(t);
    return s.byte_offset * 8 + e * static_cast<std::uint64_t>(s.stride_bits) + static_cast<std::uint64_t>(bit);
  }
  // Contract: bits stored per memory cell for region t (1 = SLC, 2..4 = MLC).
  int bits_per_cell(std::uint32_t t) const { return slot(t).bits_per_cell; }
  // Contract: sets the bits per cell of region t; Error unless 1 <= k <= 4 and k divides the
  // region's word width (a cell never straddles two words).
  void set_bits_per_cell(std::uint32_t t, int k);

  // Contract: the number of partitions (1 + the largest partition index in use; at least 1).
  std::uint32_t partition_count() const { return static_cast<std::uint32_t>(partitions_.size()); }
  // Contract: moves every region r to partition partition_of_region[r] (size tensor_count(), else
  // Error) and lays each partition out again in region order. Stored bits, decoded values and
  // region indices do not change; only byte offsets and partitions do.
  void place(std::span<const std::uint32_t> partition_of_region);
  // Contract: the regions of partition p, in region order.
  std::vector<std::uint32_t> regions_in(std::uint32_t p) const;

  // Contract: bit `bit` (0 = LSB, < word_bits(t)) of word `e` of region `t`. Checked only in debug
  // builds; callers pass valid addresses.
  bool get_bit(std::uint32_t t, std::uint64_t e, int bit) const;
  void flip_bit(std::uint32_t t, std::uint64_t e, int bit);
  void set_bit(std::uint32_t t, std::uint64_t e, int bit, bool v);
  // Contract: the number of parameter tensors added (== tensor_count() for plain formats without
  // scales).
  std::uint32_t parameter_count() const { return static_cast<std::uint32_t>(params_.size()); }
  // Contract: the regions [first, first + n) holding parameter tensor t's cells (its scales region,
  // if any, is scales_region(t)).
  std::pair<std::uint32_t, std::uint32_t> regions_of(std::uint32_t t) const {
    return {params_.at(t).first_region, params_.at(t).region_count};
  }
  // Contract: the name parameter tensor t was added with.
  const std::string& parameter_name(std::uint32_t t) const { return params_.at(t).name; }
  // Contract: the scales region of parameter tensor t, or -1 when its format stores none.
  std::int64_t scales_region(std::uint32_t t) const {
    const std::int64_t k = params_.at(t).scales_ordinal;
    return k < 0 ? -1 : static_cast<std::int64_t>(cells_.size()) + k;
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
  // changed. For a values region of a plain format that is the word's own element, in touched
  // order; a touched scales word reports every element of its tensor. For a pipeline tensor (a
  // bitmask or counter flip moves other elements) the touched tensors are decoded whole and
  // compared with their fault-free values: the result is every element that differs now plus every
  // element reported by the previous call that has not been reported back at its fault-free value,
  // so calling it after injecting and again after reverting restores a model. (That memory makes
  // the image single-consumer.)
  template <class Touched>
  std::vector<ElementChange> decode_changes(std::span<const Touched> touched) const {
    std::vector<ElementChange> out;
    if (pipeline_ == nullptr) {
      out.reserve(touched.size());
      std::vector<std::uint32_t> rescaled;
      std::uint32_t current = ~std::uint32_t{0};
      const TensorParams* p = nullptr;
      for (const auto& tw : touched) {
        const TensorSlot& s = slot(tw.tensor);
        if (s.structure == Structure::kScales) {
          rescaled.push_back(s.tensor);
          continue;
        }
        if (s.tensor != current) {
          current = s.tensor;
          p = &current_params(s.tensor);
        }
        out.push_back({s.tensor, tw.element, decode_word(tw.tensor, tw.element, *p)});
      }
      if (!rescaled.empty()) all_elements(rescaled, out);
      return out;
    }
    std::vector<std::uint32_t> tensors;
    for (const auto& tw : touched) tensors.push_back(slot(tw.tensor).tensor);
    structured_changes(tensors, out);
    return out;
  }

  // Contract: the bytes of partition p (partition 0: every region but the scales, by default).
  std::span<const std::uint8_t> bytes(std::uint32_t p = 0) const { return partitions_.at(p); }
  std::span<std::uint8_t> mutable_bytes(std::uint32_t p = 0) { return partitions_.at(p); }
  // Contract: the bytes of region t (ceil(count * stride_bits / 8) bytes of its partition).
  std::span<const std::uint8_t> tensor_bytes(std::uint32_t t) const;

 private:
  struct ParameterTensor {
    std::string name;
    std::uint32_t first_region = 0, region_count = 1;
    std::int64_t scales_ordinal = -1;        // index into scales_, or -1
    std::vector<std::uint8_t> clean_scales;  // the scales region's fault-free bytes
    std::uint64_t count = 0;
    PipelineMeta meta;                       // pipeline formats only
    std::vector<float> clean;                // pipeline formats: the fault-free decode
    mutable std::vector<std::uint64_t> dirty;  // elements last reported away from `clean`
    mutable TensorParams faulty;             // plain formats: the parameters read from faulty scales
  };
  void structured_changes(std::vector<std::uint32_t>& tensors, std::vector<ElementChange>& out) const;
  void all_elements(std::vector<std::uint32_t>& tensors, std::vector<ElementChange>& out) const;
  std::uint32_t add_pipeline_tensor(std::string name, std::vector<std::int64_t> shape, std::span<const float> values);
  // Adds a cell region (numbered before the scales regions) or a scales region, with its bits;
  // returns the cell region's index or the scales region's ordinal.
  std::uint32_t add_region(TensorSlot slot, std::span<const std::uint8_t> bits);
  void add_scales(std::uint32_t tensor, const std::string& name, const ScaleWords& words);
  bool scales_clean(std::uint32_t t) const;
  std::vector<std::uint64_t> scale_words_now(std::uint32_t t) const;
  // Contract: the decode parameters of plain parameter tensor t as its scales region holds them.
  const TensorParams& current_params(std::uint32_t t) const;
  // Word e of values region r decoded with parameters p.
  float decode_word(std::uint32_t r, std::uint64_t e, const TensorParams& p) const;
  // The word e of region t as byte-aligned little-endian bytes (what Format::decode_one reads).
  void load_word(const TensorSlot& s, std::uint64_t e, std::uint8_t* word) const;
  std::shared_ptr<const Format> format_;
  const PipelineFormat* pipeline_ = nullptr;  // format_ as a pipeline, or null
  // Region r is cells_[r] for r < cells_.size(), else scales_[r - cells_.size()].
  const TensorSlot& slot(std::uint32_t r) const { return r < cells_.size() ? cells_[r] : scales_[r - cells_.size()]; }
  TensorSlot& slot(std::uint32_t r) { return r < cells_.size() ? cells_[r] : scales_[r - cells_.size()]; }
  std::vector<TensorSlot> cells_, scales_;
  std::vector<ParameterTensor> params_;
  std::vector<std::vector<std::uint8_t>> partitions_;
  bool placed_ = false;
};

}  // namespace memlapse
