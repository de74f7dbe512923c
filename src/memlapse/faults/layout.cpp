#include "memlapse/faults/layout.h"

#include <algorithm>
#include <tuple>

#include "memlapse/core/error.h"

namespace memlapse {

const ParamSchema& layout_schema() {
  static const ParamSchema kSchema{
      ParamSpec{"row_bits", ParamType::kInt, "8192", "bit", "cells per wordline (row); bitline = column of a row"}.at_least(1),
      ParamSpec{"banks", ParamType::kInt, "8", "", "banks the rows are spread over"}.at_least(1),
      ParamSpec{"rows_per_bank", ParamType::kInt, "65536", "", "rows per bank (interleave = none)"}.at_least(1),
      ParamSpec{"offset_bits", ParamType::kInt, "0", "bit", "array position of the partition's first bit"}.at_least(0),
      ParamSpec{"interleave", ParamType::kString, "row", "", "row: consecutive rows rotate over banks; none: bank by bank"}
          .one_of({"row", "none"})};
  return kSchema;
}

PhysicalLayout PhysicalLayout::from(const ParamValues& v) {
  PhysicalLayout l;
  l.row_bits = static_cast<std::uint64_t>(v.get_int("row_bits"));
  l.banks = static_cast<std::uint64_t>(v.get_int("banks"));
  l.rows_per_bank = static_cast<std::uint64_t>(v.get_int("rows_per_bank"));
  l.offset_bits = static_cast<std::uint64_t>(v.get_int("offset_bits"));
  l.interleave_rows = v.get_choice("interleave") == 0;
  return l;
}

void PhysicalLayout::append_params(std::map<std::string, std::string>& out) const {
  out["row_bits"] = std::to_string(row_bits);
  out["banks"] = std::to_string(banks);
  out["rows_per_bank"] = std::to_string(rows_per_bank);
  out["offset_bits"] = std::to_string(offset_bits);
  out["interleave"] = interleave_rows ? "row" : "none";
}

ImageBits::ImageBits(const PartitionView& image) : total_bits_(image.bytes().size() * 8) {
  for (std::uint32_t t = 0; t < image.tensor_count(); ++t) {
    const std::uint64_t count = image.tensor(t).count;
    if (count == 0) continue;
    const int wb = image.word_bits(t);
    const std::uint64_t begin = image.physical_bit(t, 0, 0);
    const std::uint64_t stride =
        count > 1 ? image.physical_bit(t, 1, 0) - begin : static_cast<std::uint64_t>((wb + 7) / 8 * 8);
    // The contract we rely on: words of a tensor are evenly spaced and a word's bits consecutive.
    MEMLAPSE_CHECK(stride >= static_cast<std::uint64_t>(wb), "words of a tensor overlap in the image");
    MEMLAPSE_CHECK(image.physical_bit(t, count - 1, wb - 1) == begin + (count - 1) * stride + wb - 1,
                   "tensor words are not evenly spaced in the image");
    spans_.push_back(Span{begin, begin + count * stride, stride, image.region(t), wb});
  }
  std::sort(spans_.begin(), spans_.end(), [](const Span& a, const Span& b) { return a.begin < b.begin; });
}

bool ImageBits::Cursor::locate(std::uint64_t q, BitFault& f) {
  const auto& s = b_->spans_;
  if (s.empty()) return false;
  if (i_ >= s.size() || q < s[i_].begin) {  // out of order: restart by binary search
    auto it = std::upper_bound(s.begin(), s.end(), q, [](std::uint64_t x, const Span& sp) { return x < sp.begin; });
    if (it == s.begin()) return false;
    i_ = static_cast<std::size_t>(it - s.begin()) - 1;
  }
  while (i_ + 1 < s.size() && q >= s[i_ + 1].begin) ++i_;
  const Span& sp = s[i_];
  if (q >= sp.end) return false;
  const std::uint64_t off = q - sp.begin;
  const std::uint64_t e = off / sp.stride;
  const std::uint64_t bit = off - e * sp.stride;
  if (bit >= static_cast<std::uint64_t>(sp.word_bits)) return false;
  f.tensor = sp.tensor;
  f.element = e;
  f.bit = static_cast<std::uint8_t>(bit);
  return true;
}

void sort_unique(FaultList& f) {
  auto key = [](const BitFault& b) { return std::make_tuple(b.tensor, b.element, b.bit); };
  if (!std::is_sorted(f.begin(), f.end(), [&](const BitFault& a, const BitFault& b) { return key(a) < key(b); })) {
    std::stable_sort(f.begin(), f.end(), [&](const BitFault& a, const BitFault& b) { return key(a) < key(b); });
  }
  f.erase(std::unique(f.begin(), f.end(), [&](const BitFault& a, const BitFault& b) { return key(a) == key(b); }),
          f.end());
}

}  // namespace memlapse
