#pragma once
// Sparse encodings of a pruned tensor (001 §3.2): which element each stored non-zero value
// belongs to. The values themselves are a separate packed stream (pipeline.h); these codecs
// build and read the index structures and map every element to a position in that stream.
//   BitMask (001 §3.2.2): one mask bit per element (1 = stored non-zero), element order.
//   IdxSync (001 §3.3, Fig. 4): the mask is cut into blocks of B bits (B = 8 * 128 bytes by
//     default); block j stores its non-zero count c_j. Decoding block j starts reading values at
//     c_0 + ... + c_{j-1} (the stored counters), so a damaged mask block mis-assigns only its own
//     values; without IdxSync every later value of the tensor shifts.
//   CSR (001 §3.2.1): the tensor as a rows x cols matrix (rows = shape[0] for rank >= 2, the rest
//     flattened in row-major order, 001's 2-D mapping of conv filters; 1 row for rank <= 1);
//     a row counter per row (non-zeros in the row) and a relative column index per non-zero:
//     the first non-zero of a row stores its column, later ones the gap col - prev_col - 1.
// Decoders are total: any stored bits decode; a position past the end of the value stream
// reads as the value 0 (kPastEnd), columns past the row are dropped.
// Example:
//   SparseIndex bm = bitmask_encode(nonzero, /*sync_block=*/1024);
//   std::vector<std::int64_t> pos = bitmask_decode(mask_bits, n, &sync_view, nnz, &resynced);
#include <cstdint>
#include <span>
#include <vector>

namespace memlapse {

inline constexpr std::int64_t kZero = -1;  // element decodes to 0 (mask bit 0 / no CSR entry)

// A packed field array inside a region's bits (word e at bits [e * bits, (e+1) * bits)).
struct FieldView {
  std::span<const std::uint8_t> bytes;
  int bits = 0;
  std::uint64_t count = 0;
  std::uint64_t at(std::uint64_t e) const;
};

struct BitmaskIndex {
  std::vector<std::uint8_t> mask;         // n bits, element order
  std::vector<std::uint32_t> sync_counts;  // per block of `block` mask bits (IdxSync)
};
// Contract: the mask of `nonzero` and, when block > 0, the non-zero count of every block.
BitmaskIndex bitmask_encode(const std::vector<bool>& nonzero, std::uint64_t block);
// Contract: for each of the n elements, its position in the value stream or kZero. With `sync`
// (IdxSync counters, block = B mask bits) each block restarts at the stored counters' prefix sum
// and *resynced counts the blocks whose mask popcount differs from their counter.
std::vector<std::int64_t> bitmask_decode(std::span<const std::uint8_t> mask, std::uint64_t n, const FieldView* sync,
                                         std::uint64_t block, std::uint64_t* resynced);

struct CsrIndex {
  std::vector<std::uint32_t> row_counts;   // rows entries
  std::vector<std::uint32_t> rel_columns;  // one per non-zero
};
// Contract: CSR index structures of the rows x cols matrix `nonzero` (row-major).
CsrIndex csr_encode(const std::vector<bool>& nonzero, std::uint64_t rows, std::uint64_t cols);
// Contract: element -> value-stream position under the stored row counters and column indices;
// the stream has `nnz` stored values (reads past it give positions >= nnz, which decode to 0).
std::vector<std::int64_t> csr_decode(const FieldView& row_counts, const FieldView& rel_columns, std::uint64_t rows,
                                     std::uint64_t cols);

}  // namespace memlapse
