#include "memlapse/image/memory_image.h"

#include <limits>

#include "memlapse/core/error.h"

namespace memlapse {

namespace {
constexpr const char* kStructureNames[] = {"values", "indices", "bitmask", "row_counters",
                                           "column_indices", "parity", "exponents", "codebook"};
}  // namespace

const char* to_string(Structure s) { return kStructureNames[static_cast<int>(s)]; }

Structure structure_from_string(const std::string& name) {
  std::string all;
  for (int i = 0; i < static_cast<int>(std::size(kStructureNames)); ++i) {
    if (name == kStructureNames[i]) return static_cast<Structure>(i);
    all += std::string(i ? ", " : "") + kStructureNames[i];
  }
  throw Error("unknown data structure '" + name + "'; expected one of " + all);
}

MemoryImage::MemoryImage(std::shared_ptr<const Format> format) : format_(std::move(format)) {
  MEMLAPSE_CHECK(format_ != nullptr, "MemoryImage needs a format");
}

void MemoryImage::prepare(std::span<const std::span<const float>> tensors) {
  if (!slots_.empty()) throw Error("memory image: prepare() must come before the first add_tensor()");
  format_ = prepare_format(format_, tensors);
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
  if (format_->needs_prepare()) {
    throw Error("tensor '" + name + "': format " + format_->name() +
                " uses one range for the whole model; call MemoryImage::prepare(all tensors) first");
  }
  if (slots_.size() >= std::numeric_limits<std::uint32_t>::max()) {
    throw Error("tensor '" + name + "': too many tensors in one memory image");
  }
  TensorSlot slot;
  slot.name = std::move(name);
  slot.shape = std::move(shape);
  slot.count = values.size();
  slot.byte_offset = bytes_.size();
  slot.word_bits = format_->value_bits();
  slot.tensor = static_cast<std::uint32_t>(slots_.size());
  const auto w = static_cast<std::size_t>(format_->value_bytes());
  if (!format_->dense_layout()) {
    slot.stride_bits = 8 * static_cast<int>(w);
    bytes_.resize(bytes_.size() + values.size() * w);
    slot.params = format_->encode_shaped(values, slot.shape,
                                         std::span<std::uint8_t>(bytes_).subspan(slot.byte_offset, values.size() * w));
  } else {
    // Dense: encode byte-aligned, then pack word e at bits [e*m, (e+1)*m) of the region.
    slot.stride_bits = slot.word_bits;
    std::vector<std::uint8_t> aligned(values.size() * w);
    slot.params = format_->encode_shaped(values, slot.shape, aligned);
    const std::uint64_t m = static_cast<std::uint64_t>(slot.word_bits);
    bytes_.resize(bytes_.size() + (values.size() * m + 7) / 8, 0);
    const std::uint64_t base = slot.byte_offset * 8;
    for (std::uint64_t e = 0; e < values.size(); ++e) {
      for (std::uint64_t b = 0; b < m; ++b) {
        if ((aligned[e * w + b / 8] >> (b % 8)) & 1u) {
          const std::uint64_t pos = base + e * m + b;
          bytes_[pos / 8] = static_cast<std::uint8_t>(bytes_[pos / 8] | (1u << (pos % 8)));
        }
      }
    }
  }
  slots_.push_back(std::move(slot));
  return static_cast<std::uint32_t>(slots_.size() - 1);
}

void MemoryImage::set_bits_per_cell(std::uint32_t t, int k) {
  TensorSlot& s = slots_.at(t);
  if (k < 1 || k > 4) {
    throw Error("region '" + s.name + "': bits per cell = " + std::to_string(k) + " is out of range 1..4");
  }
  if (s.word_bits % k != 0) {
    throw Error("region '" + s.name + "': bits per cell = " + std::to_string(k) + " does not divide the " +
                std::to_string(s.word_bits) + "-bit word (a cell may not straddle two words)");
  }
  s.bits_per_cell = k;
}

std::uint64_t MemoryImage::value_bits(std::uint32_t t) const {
  return slots_.at(t).count * static_cast<std::uint64_t>(slots_.at(t).word_bits);
}

std::uint64_t MemoryImage::total_value_bits() const {
  std::uint64_t n = 0;
  for (const auto& s : slots_) n += s.count * static_cast<std::uint64_t>(s.word_bits);
  return n;
}

bool MemoryImage::get_bit(std::uint32_t t, std::uint64_t e, int bit) const {
#ifndef NDEBUG
  MEMLAPSE_CHECK(e < slots_[t].count && bit >= 0 && bit < slots_[t].word_bits, "bit address out of range");
#endif
  const std::uint64_t pos = physical_bit(t, e, bit);
  return (bytes_[pos >> 3] >> (pos & 7)) & 1u;
}

void MemoryImage::flip_bit(std::uint32_t t, std::uint64_t e, int bit) {
#ifndef NDEBUG
  MEMLAPSE_CHECK(e < slots_[t].count && bit >= 0 && bit < slots_[t].word_bits, "bit address out of range");
#endif
  const std::uint64_t pos = physical_bit(t, e, bit);
  bytes_[pos >> 3] ^= static_cast<std::uint8_t>(1u << (pos & 7));
}

void MemoryImage::set_bit(std::uint32_t t, std::uint64_t e, int bit, bool v) {
#ifndef NDEBUG
  MEMLAPSE_CHECK(e < slots_[t].count && bit >= 0 && bit < slots_[t].word_bits, "bit address out of range");
#endif
  const std::uint64_t pos = physical_bit(t, e, bit);
  std::uint8_t& b = bytes_[pos >> 3];
  const auto m = static_cast<std::uint8_t>(1u << (pos & 7));
  b = v ? static_cast<std::uint8_t>(b | m) : static_cast<std::uint8_t>(b & ~m);
}

void MemoryImage::load_word(const TensorSlot& s, std::uint64_t e, std::uint8_t* word) const {
  const auto m = static_cast<std::uint64_t>(s.word_bits);
  const std::uint64_t base = s.byte_offset * 8 + e * m;
  for (std::uint64_t b = 0; b < (m + 7) / 8; ++b) word[b] = 0;
  for (std::uint64_t b = 0; b < m; ++b) {
    const std::uint64_t pos = base + b;
    if ((bytes_[pos / 8] >> (pos % 8)) & 1u) word[b / 8] = static_cast<std::uint8_t>(word[b / 8] | (1u << (b % 8)));
  }
}

float MemoryImage::read(std::uint32_t t, std::uint64_t e) const {
  const TensorSlot& s = slots_.at(t);
  MEMLAPSE_CHECK(e < s.count, "read: element out of range");
  if (s.stride_bits == s.word_bits && s.word_bits % 8 != 0) {
    std::uint8_t word[8];
    load_word(s, e, word);
    return format_->decode_at(word, e, s.params);
  }
  const auto w = static_cast<std::uint64_t>(s.stride_bits / 8);
  return format_->decode_at(bytes_.data() + s.byte_offset + e * w, e, s.params);
}

void MemoryImage::read_tensor(std::uint32_t t, std::span<float> out) const {
  const TensorSlot& s = slots_.at(t);
  MEMLAPSE_CHECK(out.size() == s.count, "read_tensor: output size differs from the tensor's count");
  if (s.stride_bits == s.word_bits && s.word_bits % 8 != 0) {
    for (std::uint64_t e = 0; e < s.count; ++e) out[e] = read(t, e);
    return;
  }
  format_->decode(tensor_bytes(t), s.params, out);
}

std::span<const std::uint8_t> MemoryImage::tensor_bytes(std::uint32_t t) const {
  const TensorSlot& s = slots_.at(t);
  return std::span<const std::uint8_t>(bytes_).subspan(s.byte_offset, (s.count * static_cast<std::uint64_t>(s.stride_bits) + 7) / 8);
}

}  // namespace memlapse
