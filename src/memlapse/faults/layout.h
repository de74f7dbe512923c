#pragma once
// Inverse of MemoryImage::physical_bit over one partition (ImageBits) and fault-list sorting,
// for the fault models that draw over cell positions (DRAM, eDRAM, profiled maps).
// Example:
//   ImageBits bits(view);  ImageBits::Cursor cur(bits);
//   BitFault f;  if (cur.locate(q, f)) list.push_back(f);   // f.tensor is the image region
#include <cstdint>
#include <vector>

#include "memlapse/faults/fault_model.h"
#include "memlapse/core/text.h"
#include "memlapse/faults/physical_layout.h"

namespace memlapse {

// Inverse of PartitionView::physical_bit over the partition.
class ImageBits {
 public:
  explicit ImageBits(const PartitionView& view);
  // Contract: the number of bit positions of the partition (bytes * 8), padding included.
  std::uint64_t total_bits() const { return total_bits_; }
  // A cursor for increasing positions (amortised O(1) per call); also correct for any order.
  class Cursor {
   public:
    explicit Cursor(const ImageBits& b) : b_(&b) {}
    // Contract: true and fills f.tensor (image region), element and bit when q holds a stored value bit.
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
