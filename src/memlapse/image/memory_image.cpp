#include "memlapse/image/memory_image.h"

#include <algorithm>
#include <bit>
#include <iterator>
#include <limits>

#include "memlapse/core/error.h"

namespace memlapse {

MemoryImage::MemoryImage(std::shared_ptr<const Format> format) : format_(std::move(format)) {
  MEMLAPSE_CHECK(format_ != nullptr, "MemoryImage needs a format");
  pipeline_ = dynamic_cast<const PipelineFormat*>(format_.get());
}

void MemoryImage::prepare(std::span<const std::span<const float>> tensors) {
  if (!slots_.empty()) throw Error("memory image: prepare() must come before the first add_tensor()");
  format_ = prepare_format(format_, tensors);
  pipeline_ = dynamic_cast<const PipelineFormat*>(format_.get());
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
  if (pipeline_ != nullptr) return add_pipeline_tensor(std::move(name), std::move(shape), values);
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
  ParameterTensor pt;
  pt.first_region = static_cast<std::uint32_t>(slots_.size() - 1);
  pt.count = values.size();
  params_.push_back(std::move(pt));
  return static_cast<std::uint32_t>(params_.size() - 1);
}

std::uint32_t MemoryImage::add_pipeline_tensor(std::string name, std::vector<std::int64_t> shape,
                                               std::span<const float> values) {
  PipelineTensor enc = pipeline_->encode_tensor(values, shape);
  ParameterTensor pt;
  pt.first_region = static_cast<std::uint32_t>(slots_.size());
  pt.region_count = static_cast<std::uint32_t>(enc.meta.regions.size());
  pt.count = values.size();
  const auto tensor = static_cast<std::uint32_t>(params_.size());
  for (std::size_t r = 0; r < enc.meta.regions.size(); ++r) {
    const RegionLayout& L = enc.meta.regions[r];
    TensorSlot slot;
    slot.name = name + "." + to_string(L.structure);
    if (L.structure == Structure::kParity) {
      // append() rather than operator+: GCC 12 warns falsely (-Wrestrict) on "(" + std::string.
      slot.name.append("(").append(to_string(enc.meta.regions[static_cast<std::size_t>(L.protects)].structure)).append(")");
    }
    slot.shape = {static_cast<std::int64_t>(L.count)};
    slot.count = L.count;
    slot.byte_offset = bytes_.size();
    slot.structure = L.structure;
    slot.word_bits = L.word_bits;
    slot.stride_bits = L.word_bits;  // dense
    slot.bits_per_cell = L.bits_per_cell;
    slot.tensor = tensor;
    slot.params.scale = enc.meta.scale;
    const std::uint64_t nbytes = (L.bit_count() + 7) / 8;
    MEMLAPSE_CHECK(enc.bits[r].size() >= nbytes, "pipeline region shorter than its layout");
    bytes_.insert(bytes_.end(), enc.bits[r].begin(), enc.bits[r].begin() + static_cast<std::ptrdiff_t>(nbytes));
    slots_.push_back(std::move(slot));
  }
  pt.meta = std::move(enc.meta);
  params_.push_back(std::move(pt));
  // The fault-free decode is the clean stored model (what the sweep loads before any fault).
  params_.back().clean.resize(values.size());
  decode_tensor(tensor, params_.back().clean);
  // Keep the original shape on the first region for sidecars.
  slots_[params_.back().first_region].shape = shape;
  return tensor;
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
  if (pipeline_ != nullptr) {
    MEMLAPSE_CHECK(e < params_.at(t).count, "read: element out of range");
    std::vector<float> all(params_[t].count);
    decode_tensor(t, all);
    return all[e];
  }
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

void MemoryImage::read_tensor(std::uint32_t t, std::span<float> out) const { decode_tensor(t, out); }

DecodeReport MemoryImage::decode_tensor(std::uint32_t t, std::span<float> out) const {
  if (pipeline_ != nullptr) {
    const ParameterTensor& pt = params_.at(t);
    MEMLAPSE_CHECK(out.size() == pt.count, "read_tensor: output size differs from the tensor's count");
    std::vector<std::span<const std::uint8_t>> stored;
    for (std::uint32_t r = pt.first_region; r < pt.first_region + pt.region_count; ++r) stored.push_back(tensor_bytes(r));
    return pipeline_->decode_tensor(pt.meta, stored, out);
  }
  const TensorSlot& s = slots_.at(t);
  MEMLAPSE_CHECK(out.size() == s.count, "read_tensor: output size differs from the tensor's count");
  if (s.stride_bits == s.word_bits && s.word_bits % 8 != 0) {
    for (std::uint64_t e = 0; e < s.count; ++e) out[e] = read(t, e);
    return {};
  }
  format_->decode(tensor_bytes(t), s.params, out);
  return {};
}

void MemoryImage::structured_changes(std::vector<std::uint32_t>& tensors, std::vector<ElementChange>& out) const {
  std::sort(tensors.begin(), tensors.end());
  tensors.erase(std::unique(tensors.begin(), tensors.end()), tensors.end());
  std::vector<float> now;
  for (const std::uint32_t t : tensors) {
    const ParameterTensor& pt = params_.at(t);
    now.resize(pt.count);
    decode_tensor(t, now);
    std::vector<std::uint64_t> differ;
    for (std::uint64_t e = 0; e < pt.count; ++e) {
      // Bitwise comparison: a NaN or a -0 from a fault is a change too.
      if (std::bit_cast<std::uint32_t>(now[e]) != std::bit_cast<std::uint32_t>(pt.clean[e])) differ.push_back(e);
    }
    std::vector<std::uint64_t> report;
    std::set_union(differ.begin(), differ.end(), pt.dirty.begin(), pt.dirty.end(), std::back_inserter(report));
    for (const std::uint64_t e : report) out.push_back({t, e, now[e]});
    pt.dirty = std::move(differ);
  }
}

std::span<const std::uint8_t> MemoryImage::tensor_bytes(std::uint32_t t) const {
  const TensorSlot& s = slots_.at(t);
  return std::span<const std::uint8_t>(bytes_).subspan(s.byte_offset, (s.count * static_cast<std::uint64_t>(s.stride_bits) + 7) / 8);
}

}  // namespace memlapse
