#pragma once
// The memory image: the bit-exact content of the memory holding a set of tensors, each stored
// by one Format in the byte-aligned layout (see formats/format.h), tensors packed one after the
// other (each starting on a byte boundary). Addressable by (tensor, element, bit), where bit
// counts from the least significant stored bit 0 to value_bits()-1.
// Example:
//   MemoryImage img(make_format("fixed", {{"bits","8"}}));
//   auto t = img.add_tensor("conv1.weight", {32,1,3,3}, values);
//   img.flip_bit(t, 17, 7);                 // flip the sign bit of value 17
//   float w = img.read(t, 17);
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "memlapse/formats/format.h"

namespace memlapse {

struct TensorSlot {
  std::string name;
  std::vector<std::int64_t> shape;
  std::uint64_t count = 0;        // number of values
  std::uint64_t byte_offset = 0;  // where value 0 starts in the image
  TensorParams params;            // returned by Format::encode
};

class MemoryImage {
 public:
  explicit MemoryImage(std::shared_ptr<const Format> format);

  // Contract: encodes `values` (shape's product == values.size(), else Error) at the end of the
  // image and returns the new tensor's index.
  std::uint32_t add_tensor(std::string name, std::vector<std::int64_t> shape, std::span<const float> values);

  const Format& format() const { return *format_; }
  std::shared_ptr<const Format> format_ptr() const { return format_; }
  std::uint32_t tensor_count() const { return static_cast<std::uint32_t>(slots_.size()); }
  const TensorSlot& tensor(std::uint32_t t) const { return slots_.at(t); }
  // Contract: number of fault-addressable bits of tensor t: count * value_bits().
  std::uint64_t value_bits(std::uint32_t t) const;
  std::uint64_t total_value_bits() const;
  // Contract: bits per word of tensor t (the format's m): faults address bits 0..word_bits(t)-1.
  int word_bits(std::uint32_t t) const { (void)t; return format_->value_bits(); }
  // Contract: the absolute position (byte * 8 + bit-in-byte, bit 0 = LSB of byte 0) of the stored
  // bit (t, e, bit) in bytes(); fault models use it to place words on rows, bitlines and cells.
  std::uint64_t physical_bit(std::uint32_t t, std::uint64_t e, int bit) const {
    return (slots_[t].byte_offset + e * static_cast<std::uint64_t>(format_->value_bytes())) * 8 +
           static_cast<std::uint64_t>(bit);
  }
  // Contract: bits stored per memory cell for tensor t (1 = SLC; MLC packing sets more).
  int bits_per_cell(std::uint32_t t) const { (void)t; return 1; }

  // Contract: bit `bit` (0 = LSB, < value_bits()) of element `e` of tensor `t`. No bounds checks
  // in release builds beyond MEMLAPSE_CHECK in debug; callers pass valid addresses.
  bool get_bit(std::uint32_t t, std::uint64_t e, int bit) const;
  void flip_bit(std::uint32_t t, std::uint64_t e, int bit);
  void set_bit(std::uint32_t t, std::uint64_t e, int bit, bool v);
  // Contract: the value element e of tensor t decodes to now.
  float read(std::uint32_t t, std::uint64_t e) const;
  // Contract: decodes the whole tensor into out (out.size() == count).
  void read_tensor(std::uint32_t t, std::span<float> out) const;

  std::span<const std::uint8_t> bytes() const { return bytes_; }
  std::span<std::uint8_t> mutable_bytes() { return bytes_; }
  std::span<const std::uint8_t> tensor_bytes(std::uint32_t t) const;

 private:
  std::shared_ptr<const Format> format_;
  std::vector<TensorSlot> slots_;
  std::vector<std::uint8_t> bytes_;
};

}  // namespace memlapse
