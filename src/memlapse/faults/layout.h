#pragma once
// Physical layout of the memory image: where each stored bit sits in the memory array (bank,
// wordline, bitline), so that spatial fault models see the alignment the papers describe
// (000 §6.3: values aligned in DRAM put their MSBs on the same bitlines; 004 §5.3 / Fig. 3:
// column-aligned errors hit many MSBs at once).
// The image's absolute bit position q = MemoryImage::physical_bit(t, e, bit) is shifted by
// `offset_bits` and cut into rows of `row_bits` cells:
//   m = q + offset_bits, global_row = m / row_bits, column = m % row_bits,
//   bank = global_row % banks                      (interleave = "row": consecutive rows rotate over banks)
//   bank = (global_row / rows_per_bank) % banks    (interleave = "none": a bank fills before the next)
// A bitline is (bank, column) and a wordline is the global row.
// ImageBits inverts physical_bit: it walks the image's bit positions and names the (tensor,
// element, bit) stored there, or none for padding between words.
// Example:
//   PhysicalLayout lay = PhysicalLayout::from(params, "fault model dram-model1");
//   CellCoord c = lay.coord(image.physical_bit(t, e, 7));   // c.bitline, c.wordline
#include <bit>
#include <cstdint>
#include <map>
#include <string>

#include "memlapse/core/text.h"
#include <vector>

#include "memlapse/core/schema.h"
#include "memlapse/faults/fault_model.h"

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

  // Contract: reads row_bits, banks, rows_per_bank, offset_bits, interleave from resolved params;
  // Error naming `owner` and the key for a zero size or an unknown interleave.
  static PhysicalLayout from(const ParamValues& v, const std::string& owner);
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

// The schema entries every spatial model lists (same names and defaults everywhere).
ParamSpec layout_row_bits_spec();
ParamSpec layout_banks_spec();
ParamSpec layout_rows_per_bank_spec();
ParamSpec layout_offset_spec();
ParamSpec layout_interleave_spec();

// Inverse of MemoryImage::physical_bit over the whole image.
class ImageBits {
 public:
  explicit ImageBits(const MemoryImage& image);
  // Contract: the number of bit positions of the image (bytes * 8), padding included.
  std::uint64_t total_bits() const { return total_bits_; }
  // A cursor for increasing positions (amortised O(1) per call); also correct for any order.
  class Cursor {
   public:
    explicit Cursor(const ImageBits& b) : b_(&b) {}
    // Contract: true and fills f.tensor/element/bit when q holds a stored value bit.
    bool locate(std::uint64_t q, BitFault& f);

   private:
    const ImageBits* b_;
    std::size_t i_ = 0;
  };

 private:
  struct Span {
    std::uint64_t begin, end, stride;  // absolute bit positions [begin, end), word stride in bits
    std::uint32_t tensor;
    int word_bits;
  };
  std::vector<Span> spans_;  // sorted by begin, non-overlapping
  std::uint64_t total_bits_ = 0;
};


// Contract: sorts by (tensor, element, bit) and keeps the first entry of each bit.
void sort_unique(FaultList& f);

}  // namespace memlapse
