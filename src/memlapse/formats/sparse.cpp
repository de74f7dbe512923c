#include "memlapse/formats/sparse.h"

#include <bit>

#include "memlapse/core/error.h"
#include "memlapse/formats/bits.h"

namespace memlapse {

std::uint64_t FieldView::at(std::uint64_t e) const {
  return e < count ? read_bits(bytes, e * static_cast<std::uint64_t>(bits), bits) : 0;
}

BitmaskIndex bitmask_encode(const std::vector<bool>& nonzero, std::uint64_t block) {
  BitmaskIndex out;
  const std::uint64_t n = nonzero.size();
  out.mask.assign((n + 7) / 8, 0);
  for (std::uint64_t i = 0; i < n; ++i) {
    if (nonzero[i]) out.mask[i >> 3] = static_cast<std::uint8_t>(out.mask[i >> 3] | (1u << (i & 7)));
  }
  if (block > 0) {
    out.sync_counts.assign((n + block - 1) / block, 0);
    for (std::uint64_t i = 0; i < n; ++i) out.sync_counts[i / block] += nonzero[i] ? 1u : 0u;
  }
  return out;
}

std::vector<std::int64_t> bitmask_decode(std::span<const std::uint8_t> mask, std::uint64_t n, const FieldView* sync,
                                         std::uint64_t block, std::uint64_t* resynced) {
  MEMLAPSE_CHECK(mask.size() * 8 >= n, "bitmask_decode: mask shorter than the tensor");
  std::vector<std::int64_t> pos(n, kZero);
  std::int64_t p = 0;
  if (sync == nullptr) {
    for (std::uint64_t i = 0; i < n; ++i) {
      if ((mask[i >> 3] >> (i & 7)) & 1u) pos[i] = p++;
    }
    return pos;
  }
  MEMLAPSE_CHECK(block > 0, "bitmask_decode: IdxSync needs a block size");
  std::int64_t start = 0;  // prefix sum of the stored counters
  for (std::uint64_t b0 = 0, j = 0; b0 < n; b0 += block, ++j) {
    p = start;
    const std::uint64_t end = b0 + block < n ? b0 + block : n;
    for (std::uint64_t i = b0; i < end; ++i) {
      if ((mask[i >> 3] >> (i & 7)) & 1u) pos[i] = p++;
    }
    const auto stored = static_cast<std::int64_t>(sync->at(j));
    if (resynced != nullptr && p - start != stored) ++*resynced;
    start += stored;
  }
  return pos;
}

CsrIndex csr_encode(const std::vector<bool>& nonzero, std::uint64_t rows, std::uint64_t cols) {
  MEMLAPSE_CHECK(rows * cols == nonzero.size(), "csr_encode: rows * cols differs from the element count");
  CsrIndex out;
  out.row_counts.assign(rows, 0);
  for (std::uint64_t r = 0; r < rows; ++r) {
    std::int64_t prev = -1;
    for (std::uint64_t c = 0; c < cols; ++c) {
      if (!nonzero[r * cols + c]) continue;
      out.rel_columns.push_back(static_cast<std::uint32_t>(static_cast<std::int64_t>(c) - prev - 1));
      prev = static_cast<std::int64_t>(c);
      ++out.row_counts[r];
    }
  }
  return out;
}

std::vector<std::int64_t> csr_decode(const FieldView& row_counts, const FieldView& rel_columns, std::uint64_t rows,
                                     std::uint64_t cols) {
  std::vector<std::int64_t> pos(rows * cols, kZero);
  std::uint64_t p = 0;
  for (std::uint64_t r = 0; r < rows; ++r) {
    const std::uint64_t cnt = row_counts.at(r);
    std::uint64_t col = 0;
    for (std::uint64_t k = 0; k < cnt; ++k, ++p) {
      // Past the stored column indices the entries have no column: they still consume values.
      if (p >= rel_columns.count) { p += cnt - k; break; }
      col = (k == 0 ? 0 : col + 1) + rel_columns.at(p);
      if (col < cols) pos[r * cols + col] = static_cast<std::int64_t>(p);
    }
  }
  return pos;
}

}  // namespace memlapse
