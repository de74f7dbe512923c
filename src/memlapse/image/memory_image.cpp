#include "memlapse/image/memory_image.h"

#include <limits>

#include "memlapse/core/error.h"

namespace memlapse {

MemoryImage::MemoryImage(std::shared_ptr<const Format> format) : format_(std::move(format)) {
  MEMLAPSE_CHECK(format_ != nullptr, "MemoryImage needs a format");
}

std::uint32_t MemoryImage::add_tensor(std::string name, std::vector<std::int64_t> shape,
                                      std::span<const float> values) {
  std::uint64_t product = 1;
  std::string dims;
  for (std::int64_t d : shape) {
    if (!dims.empty()) dims += 'x';
    dims += std::to_string(d);
    if (d < 0) throw Error("tensor '" + name + "': negative dimension in shape [" + dims + "]");
    product *= static_cast<std::uint64_t>(d);
  }
  if (product != values.size()) {
    throw Error("tensor '" + name + "': shape [" + dims + "] has " + std::to_string(product) +
                " elements but " + std::to_string(values.size()) + " values were given");
  }
  if (slots_.size() >= std::numeric_limits<std::uint32_t>::max()) {
    throw Error("tensor '" + name + "': too many tensors in one memory image");
  }
  TensorSlot slot;
  slot.name = std::move(name);
  slot.shape = std::move(shape);
  slot.count = values.size();
  slot.byte_offset = bytes_.size();
  const auto w = static_cast<std::size_t>(format_->value_bytes());
  bytes_.resize(bytes_.size() + values.size() * w);
  slot.params = format_->encode(values, std::span<std::uint8_t>(bytes_).subspan(slot.byte_offset, values.size() * w));
  slots_.push_back(std::move(slot));
  return static_cast<std::uint32_t>(slots_.size() - 1);
}

std::uint64_t MemoryImage::value_bits(std::uint32_t t) const {
  return slots_.at(t).count * static_cast<std::uint64_t>(format_->value_bits());
}

std::uint64_t MemoryImage::total_value_bits() const {
  std::uint64_t n = 0;
  for (const auto& s : slots_) n += s.count;
  return n * static_cast<std::uint64_t>(format_->value_bits());
}

namespace {
// Byte holding bit `bit` of element e (bits count from the LSB of the little-endian value).
inline std::uint64_t byte_of(const TensorSlot& s, std::uint64_t e, int bit, int w) {
  return s.byte_offset + e * static_cast<std::uint64_t>(w) + static_cast<std::uint64_t>(bit >> 3);
}
}  // namespace

bool MemoryImage::get_bit(std::uint32_t t, std::uint64_t e, int bit) const {
  const TensorSlot& s = slots_[t];
#ifndef NDEBUG
  MEMLAPSE_CHECK(e < s.count && bit >= 0 && bit < format_->value_bits(), "bit address out of range");
#endif
  return (bytes_[byte_of(s, e, bit, format_->value_bytes())] >> (bit & 7)) & 1u;
}

void MemoryImage::flip_bit(std::uint32_t t, std::uint64_t e, int bit) {
  const TensorSlot& s = slots_[t];
#ifndef NDEBUG
  MEMLAPSE_CHECK(e < s.count && bit >= 0 && bit < format_->value_bits(), "bit address out of range");
#endif
  bytes_[byte_of(s, e, bit, format_->value_bytes())] ^= static_cast<std::uint8_t>(1u << (bit & 7));
}

void MemoryImage::set_bit(std::uint32_t t, std::uint64_t e, int bit, bool v) {
  const TensorSlot& s = slots_[t];
#ifndef NDEBUG
  MEMLAPSE_CHECK(e < s.count && bit >= 0 && bit < format_->value_bits(), "bit address out of range");
#endif
  std::uint8_t& b = bytes_[byte_of(s, e, bit, format_->value_bytes())];
  const auto m = static_cast<std::uint8_t>(1u << (bit & 7));
  b = v ? static_cast<std::uint8_t>(b | m) : static_cast<std::uint8_t>(b & ~m);
}

float MemoryImage::read(std::uint32_t t, std::uint64_t e) const {
  const TensorSlot& s = slots_.at(t);
  MEMLAPSE_CHECK(e < s.count, "read: element out of range");
  const auto w = static_cast<std::uint64_t>(format_->value_bytes());
  return format_->decode_one(bytes_.data() + s.byte_offset + e * w, s.params);
}

void MemoryImage::read_tensor(std::uint32_t t, std::span<float> out) const {
  const TensorSlot& s = slots_.at(t);
  MEMLAPSE_CHECK(out.size() == s.count, "read_tensor: output size differs from the tensor's count");
  format_->decode(tensor_bytes(t), s.params, out);
}

std::span<const std::uint8_t> MemoryImage::tensor_bytes(std::uint32_t t) const {
  const TensorSlot& s = slots_.at(t);
  return std::span<const std::uint8_t>(bytes_).subspan(s.byte_offset, s.count * format_->value_bytes());
}

}  // namespace memlapse
