#pragma once
// Physical layout of a memory partition: where each stored bit sits in the memory array (bank,
// wordline, bitline), so that spatial fault models see the alignment the papers describe
// (000 §6.3: values aligned in DRAM put their MSBs on the same bitlines; 004 §5.3 / Fig. 3:
// column-aligned errors hit many MSBs at once). The layout is a property of the memory (the
// partition, experiment key partition.<name>.layout), not of a fault model.
// A bit's address q in its partition (MemoryImage::physical_bit) is shifted by `offset_bits` and
// cut into rows of `row_bits` cells:
//   m = q + offset_bits, global_row = m / row_bits, column = m % row_bits,
//   bank = global_row % banks                      (interleave = "row": consecutive rows rotate over banks)
//   bank = (global_row / rows_per_bank) % banks    (interleave = "none": a bank fills before the next)
// A bitline is (bank, column) and a wordline is the global row.
// Example:
//   PhysicalLayout lay = PhysicalLayout::from(layout_schema().resolve({{"row_bits", "4096"}}, "layout"));
//   CellCoord c = lay.coord(image.physical_bit(t, e, 7));   // c.bitline, c.wordline
#include <bit>
#include <cstdint>
#include <map>
#include <string>

#include "memlapse/core/schema.h"

namespace memlapse {

struct CellCoord {
  std::uint64_t bank = 0;
  std::uint64_t wordline = 0;  // global row index
  std::uint64_t column = 0;    // column inside the row, 0..row_bits-1
  std::uint64_t bitline = 0;   // bank * row_bits + column
};

struct PhysicalLayout {
  std::uint64_t row_bits = 8192;        // cells per wordline (a DDR3/DDR4 x8 row: 1 KB)
  std::uint64_t banks = 8;
  std::uint64_t rows_per_bank = 65536;  // used by interleave = "none"
  std::uint64_t offset_bits = 0;        // where the image starts in the array
  bool interleave_rows = true;

  // Contract: reads row_bits, banks, rows_per_bank, offset_bits, interleave from values resolved by
  // layout_schema().
  static PhysicalLayout from(const ParamValues& v);
  // Contract: the coordinates of image bit position q.
  CellCoord coord(std::uint64_t q) const {
    const std::uint64_t m = q + offset_bits;
    CellCoord c;
    c.wordline = m / row_bits;
    c.column = m - c.wordline * row_bits;
    c.bank = interleave_rows ? c.wordline % banks : (c.wordline / rows_per_bank) % banks;
    c.bitline = c.bank * row_bits + c.column;
    return c;
  }
  void append_params(std::map<std::string, std::string>& out) const;
};

// PhysicalLayout::coord restricted to what the line models need, with shifts and masks instead
// of 64-bit divisions when the sizes are powers of two (the defaults are); equal to coord().
class LineIndex {
 public:
  explicit LineIndex(const PhysicalLayout& l) : l_(l) {
    pow2_ = std::has_single_bit(l.row_bits) && std::has_single_bit(l.banks) && std::has_single_bit(l.rows_per_bank);
    row_shift_ = std::countr_zero(l.row_bits);
    rpb_shift_ = std::countr_zero(l.rows_per_bank);
  }
  // Contract: (column, bitline) when bitlines, else (wordline, wordline), as coord(q) gives them.
  void operator()(std::uint64_t q, bool bitlines, std::uint64_t& idx, std::uint64_t& line) const {
    if (!pow2_) {
      const CellCoord c = l_.coord(q);
      idx = bitlines ? c.column : c.wordline;
      line = bitlines ? c.bitline : c.wordline;
      return;
    }
    const std::uint64_t m = q + l_.offset_bits;
    const std::uint64_t row = m >> row_shift_;
    if (!bitlines) {
      idx = line = row;
      return;
    }
    const std::uint64_t col = m & (l_.row_bits - 1);
    const std::uint64_t bank = (l_.interleave_rows ? row : row >> rpb_shift_) & (l_.banks - 1);
    idx = col;
    line = (bank << row_shift_) | col;
  }

 private:
  PhysicalLayout l_;
  bool pow2_ = false;
  int row_shift_ = 0, rpb_shift_ = 0;
};

// The layout keys of a partition (experiment key partition.<name>.layout), with the defaults above.
const ParamSchema& layout_schema();

}  // namespace memlapse
