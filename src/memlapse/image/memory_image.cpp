#include "memlapse/image/memory_image.h"

#include <algorithm>
#include <bit>
#include <iterator>
#include <limits>

#include "memlapse/core/error.h"

namespace memlapse {

MemoryImage::MemoryImage(std::shared_ptr<const Format> format) : format_(std::move(format)), partitions_(1) {
  MEMLAPSE_CHECK(format_ != nullptr, "MemoryImage needs a format");
  pipeline_ = dynamic_cast<const PipelineFormat*>(format_.get());
}

void MemoryImage::prepare(std::span<const std::span<const float>> tensors) {
  if (tensor_count() != 0) throw Error("memory image: prepare() must come before the first add_tensor()");
  format_ = prepare_format(format_, tensors);
  pipeline_ = dynamic_cast<const PipelineFormat*>(format_.get());
}

std::uint32_t MemoryImage::add_region(TensorSlot slot, std::span<const std::uint8_t> bits) {
  if (slot.partition >= partitions_.size()) partitions_.resize(slot.partition + 1);
  std::vector<std::uint8_t>& part = partitions_[slot.partition];
  slot.byte_offset = part.size();
  const std::uint64_t n = slot.byte_count();
  MEMLAPSE_CHECK(bits.size() >= n, "region bits shorter than its layout");
  part.insert(part.end(), bits.begin(), bits.begin() + static_cast<std::ptrdiff_t>(n));
  std::vector<TensorSlot>& list = slot.structure == Structure::kScales ? scales_ : cells_;
  list.push_back(std::move(slot));
  return static_cast<std::uint32_t>(list.size() - 1);
}

void MemoryImage::add_scales(std::uint32_t tensor, const std::string& name, const ScaleWords& sw) {
  if (sw.words.empty()) return;
  MEMLAPSE_CHECK(sw.word_bits > 0 && sw.word_bits <= 64 && sw.word_bits % 8 == 0, "scale words must be whole bytes");
  TensorSlot slot;
  slot.name = name + ".scales";
  slot.shape = {static_cast<std::int64_t>(sw.words.size())};
  slot.count = sw.words.size();
  slot.structure = Structure::kScales;
  slot.word_bits = sw.word_bits;
  slot.stride_bits = sw.word_bits;
  slot.tensor = tensor;
  slot.partition = kDefaultScalesPartition;
  const std::size_t w = static_cast<std::size_t>(sw.word_bits / 8);
  std::vector<std::uint8_t> bits(sw.words.size() * w);
  for (std::size_t i = 0; i < sw.words.size(); ++i) {
    for (std::size_t b = 0; b < w; ++b) bits[i * w + b] = static_cast<std::uint8_t>(sw.words[i] >> (8 * b));
  }
  params_[tensor].scales_ordinal = add_region(std::move(slot), bits);
  params_[tensor].clean_scales = bits;
}

std::uint32_t MemoryImage::add_tensor(std::string name, std::vector<std::int64_t> shape,
                                      std::span<const float> values) {
  if (placed_) throw Error("tensor '" + name + "': the memory image was already placed; add every tensor first");
  std::uint64_t product = 1;
  std::string dims;
  for (std::int64_t d : shape) {
    if (!dims.empty()) dims += 'x';
    dims += std::to_string(d);
    if (d < 0) throw Error("tensor '" + name + "': negative dimension in shape [" + dims + "]");
    const auto ud = static_cast<std::uint64_t>(d);
    if (ud != 0 && product > std::numeric_limits<std::uint64_t>::max() / ud) {
      throw Error("tensor '" + name + "': shape [" + dims + "...] has more than 2^64 elements");
    }
    product *= ud;
  }
  if (product != values.size()) {
    throw Error("tensor '" + name + "': shape [" + dims + "] has " + std::to_string(product) +
                " elements but " + std::to_string(values.size()) + " values were given");
  }
  if (format_->needs_prepare()) {
    throw Error("tensor '" + name + "': format " + format_->name() +
                " uses one range for the whole model; call MemoryImage::prepare(all tensors) first");
  }
  if (tensor_count() + 4 >= std::numeric_limits<std::uint32_t>::max()) {
    throw Error("tensor '" + name + "': too many tensors in one memory image");
  }
  if (pipeline_ != nullptr) return add_pipeline_tensor(std::move(name), std::move(shape), values);
  const auto tensor = static_cast<std::uint32_t>(params_.size());
  TensorSlot slot;
  slot.name = name;
  slot.shape = std::move(shape);
  slot.count = values.size();
  slot.word_bits = format_->value_bits();
  slot.tensor = tensor;
  const auto w = static_cast<std::size_t>(format_->value_bytes());
  std::vector<std::uint8_t> aligned(values.size() * w);
  slot.params = format_->encode_shaped(values, slot.shape, aligned);
  std::vector<std::uint8_t> stored;
  if (!format_->dense_layout()) {
    slot.stride_bits = 8 * static_cast<int>(w);
    stored = std::move(aligned);
  } else {
    // Dense: encode byte-aligned, then pack word e at bits [e*m, (e+1)*m) of the region.
    slot.stride_bits = slot.word_bits;
    const std::uint64_t m = static_cast<std::uint64_t>(slot.word_bits);
    stored.assign((values.size() * m + 7) / 8, 0);
    for (std::uint64_t e = 0; e < values.size(); ++e) {
      for (std::uint64_t b = 0; b < m; ++b) {
        if ((aligned[e * w + b / 8] >> (b % 8)) & 1u) {
          const std::uint64_t pos = e * m + b;
          stored[pos / 8] = static_cast<std::uint8_t>(stored[pos / 8] | (1u << (pos % 8)));
        }
      }
    }
  }
  const ScaleWords sw = format_->scale_words(slot.params);
  ParameterTensor pt;
  pt.name = name;
  pt.count = values.size();
  params_.push_back(std::move(pt));
  params_.back().first_region = add_region(std::move(slot), stored);
  add_scales(tensor, name, sw);
  return tensor;
}

std::uint32_t MemoryImage::add_pipeline_tensor(std::string name, std::vector<std::int64_t> shape,
                                               std::span<const float> values) {
  PipelineTensor enc = pipeline_->encode_tensor(values, shape);
  const auto tensor = static_cast<std::uint32_t>(params_.size());
  ParameterTensor pt;
  pt.name = name;
  pt.region_count = static_cast<std::uint32_t>(enc.meta.regions.size());
  pt.count = values.size();
  params_.push_back(std::move(pt));
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
    slot.structure = L.structure;
    slot.word_bits = L.word_bits;
    slot.stride_bits = L.word_bits;  // dense
    slot.bits_per_cell = L.bits_per_cell;
    slot.tensor = tensor;
    slot.params.scale = enc.meta.scale;
    // Keep the original shape on the first region for sidecars.
    if (r == 0) slot.shape = shape;
    const std::uint32_t idx = add_region(std::move(slot), enc.bits[r]);
    if (r == 0) params_[tensor].first_region = idx;
  }
  add_scales(tensor, name, pipeline_->meta_scale_words(enc.meta));
  params_[tensor].meta = std::move(enc.meta);
  // The fault-free decode is the clean stored model (what the sweep loads before any fault).
  params_[tensor].clean.resize(values.size());
  decode_tensor(tensor, params_[tensor].clean);
  return tensor;
}

void MemoryImage::place(std::span<const std::uint32_t> partition_of_region) {
  if (partition_of_region.size() != tensor_count()) {
    throw Error("memory image: a placement names " + std::to_string(partition_of_region.size()) + " regions, the image has " +
                std::to_string(tensor_count()));
  }
  std::uint32_t count = 1;
  for (std::uint32_t p : partition_of_region) count = std::max(count, p + 1);
  std::vector<std::vector<std::uint8_t>> parts(count);
  for (std::uint32_t r = 0; r < tensor_count(); ++r) {
    TensorSlot& s = slot(r);
    const auto old = tensor_bytes(r);
    std::vector<std::uint8_t>& dst = parts[partition_of_region[r]];
    const std::uint64_t offset = dst.size();
    dst.insert(dst.end(), old.begin(), old.end());
    s.byte_offset = offset;
    s.partition = partition_of_region[r];
  }
  partitions_ = std::move(parts);
  placed_ = true;
}

std::vector<std::uint32_t> MemoryImage::regions_in(std::uint32_t p) const {
  std::vector<std::uint32_t> out;
  for (std::uint32_t r = 0; r < tensor_count(); ++r) if (slot(r).partition == p) out.push_back(r);
  return out;
}

void MemoryImage::set_bits_per_cell(std::uint32_t t, int k) {
  tensor(t);  // range check
  TensorSlot& s = slot(t);
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
  const TensorSlot& s = tensor(t);
  return s.count * static_cast<std::uint64_t>(s.word_bits);
}

std::uint64_t MemoryImage::total_value_bits() const {
  std::uint64_t n = 0;
  for (std::uint32_t r = 0; r < tensor_count(); ++r) n += value_bits(r);
  return n;
}

bool MemoryImage::get_bit(std::uint32_t t, std::uint64_t e, int bit) const {
#ifndef NDEBUG
  MEMLAPSE_CHECK(e < slot(t).count && bit >= 0 && bit < slot(t).word_bits, "bit address out of range");
#endif
  const std::uint64_t pos = physical_bit(t, e, bit);
  return (partitions_[slot(t).partition][pos >> 3] >> (pos & 7)) & 1u;
}

void MemoryImage::flip_bit(std::uint32_t t, std::uint64_t e, int bit) {
#ifndef NDEBUG
  MEMLAPSE_CHECK(e < slot(t).count && bit >= 0 && bit < slot(t).word_bits, "bit address out of range");
#endif
  const std::uint64_t pos = physical_bit(t, e, bit);
  partitions_[slot(t).partition][pos >> 3] ^= static_cast<std::uint8_t>(1u << (pos & 7));
}

void MemoryImage::set_bit(std::uint32_t t, std::uint64_t e, int bit, bool v) {
#ifndef NDEBUG
  MEMLAPSE_CHECK(e < slot(t).count && bit >= 0 && bit < slot(t).word_bits, "bit address out of range");
#endif
  const std::uint64_t pos = physical_bit(t, e, bit);
  std::uint8_t& b = partitions_[slot(t).partition][pos >> 3];
  const auto m = static_cast<std::uint8_t>(1u << (pos & 7));
  b = v ? static_cast<std::uint8_t>(b | m) : static_cast<std::uint8_t>(b & ~m);
}

void MemoryImage::load_word(const TensorSlot& s, std::uint64_t e, std::uint8_t* word) const {
  const auto m = static_cast<std::uint64_t>(s.word_bits);
  const std::vector<std::uint8_t>& bytes = partitions_[s.partition];
  const std::uint64_t base = s.byte_offset * 8 + e * m;
  for (std::uint64_t b = 0; b < (m + 7) / 8; ++b) word[b] = 0;
  for (std::uint64_t b = 0; b < m; ++b) {
    const std::uint64_t pos = base + b;
    if ((bytes[pos / 8] >> (pos % 8)) & 1u) word[b / 8] = static_cast<std::uint8_t>(word[b / 8] | (1u << (b % 8)));
  }
}

bool MemoryImage::scales_clean(std::uint32_t t) const {
  const ParameterTensor& pt = params_[t];
  if (pt.scales_ordinal < 0) return true;
  const auto now = tensor_bytes(static_cast<std::uint32_t>(scales_region(t)));
  return std::equal(now.begin(), now.end(), pt.clean_scales.begin(), pt.clean_scales.end());
}

std::vector<std::uint64_t> MemoryImage::scale_words_now(std::uint32_t t) const {
  const auto r = static_cast<std::uint32_t>(scales_region(t));
  const TensorSlot& s = slot(r);
  const auto bytes = tensor_bytes(r);
  const std::size_t w = static_cast<std::size_t>(s.word_bits / 8);
  std::vector<std::uint64_t> words(s.count, 0);
  for (std::size_t i = 0; i < words.size(); ++i) {
    for (std::size_t b = 0; b < w; ++b) words[i] |= static_cast<std::uint64_t>(bytes[i * w + b]) << (8 * b);
  }
  return words;
}

const TensorParams& MemoryImage::current_params(std::uint32_t t) const {
  const ParameterTensor& pt = params_.at(t);
  const TensorParams& clean = slot(pt.first_region).params;
  if (scales_clean(t)) return clean;
  pt.faulty = clean;
  format_->set_scale_words(scale_words_now(t), pt.faulty);
  return pt.faulty;
}

float MemoryImage::decode_word(std::uint32_t r, std::uint64_t e, const TensorParams& p) const {
  const TensorSlot& s = slot(r);
  if (s.stride_bits == s.word_bits && s.word_bits % 8 != 0) {
    std::uint8_t word[8];
    load_word(s, e, word);
    return format_->decode_at(word, e, p);
  }
  const auto w = static_cast<std::uint64_t>(s.stride_bits / 8);
  return format_->decode_at(partitions_[s.partition].data() + s.byte_offset + e * w, e, p);
}

float MemoryImage::read(std::uint32_t t, std::uint64_t e) const {
  MEMLAPSE_CHECK(e < params_.at(t).count, "read: element out of range");
  if (pipeline_ != nullptr) {
    std::vector<float> all(params_[t].count);
    decode_tensor(t, all);
    return all[e];
  }
  return decode_word(params_[t].first_region, e, current_params(t));
}

void MemoryImage::read_tensor(std::uint32_t t, std::span<float> out) const { decode_tensor(t, out); }

DecodeReport MemoryImage::decode_tensor(std::uint32_t t, std::span<float> out) const {
  const ParameterTensor& pt = params_.at(t);
  MEMLAPSE_CHECK(out.size() == pt.count, "read_tensor: output size differs from the tensor's count");
  if (pipeline_ != nullptr) {
    std::vector<std::span<const std::uint8_t>> stored;
    for (std::uint32_t r = pt.first_region; r < pt.first_region + pt.region_count; ++r) stored.push_back(tensor_bytes(r));
    if (scales_clean(t)) return pipeline_->decode_tensor(pt.meta, stored, out);
    PipelineMeta meta = pt.meta;
    pipeline_->set_meta_scale_words(scale_words_now(t), meta);
    return pipeline_->decode_tensor(meta, stored, out);
  }
  const TensorSlot& s = slot(pt.first_region);
  const TensorParams& p = current_params(t);
  if (s.stride_bits == s.word_bits && s.word_bits % 8 != 0) {
    for (std::uint64_t e = 0; e < s.count; ++e) out[e] = decode_word(pt.first_region, e, p);
    return {};
  }
  format_->decode(tensor_bytes(pt.first_region), p, out);
  return {};
}

void MemoryImage::all_elements(std::vector<std::uint32_t>& tensors, std::vector<ElementChange>& out) const {
  std::sort(tensors.begin(), tensors.end());
  tensors.erase(std::unique(tensors.begin(), tensors.end()), tensors.end());
  std::vector<float> now;
  for (const std::uint32_t t : tensors) {
    now.resize(params_[t].count);
    decode_tensor(t, now);
    for (std::uint64_t e = 0; e < now.size(); ++e) out.push_back({t, e, now[e]});
  }
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
  const TensorSlot& s = tensor(t);
  return std::span<const std::uint8_t>(partitions_[s.partition]).subspan(s.byte_offset, s.byte_count());
}

}  // namespace memlapse
