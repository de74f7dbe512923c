#pragma once
// One memory partition as a fault model sees it: the regions of a MemoryImage that live in
// partition p, their cells at addresses inside the partition, the partition's physical layout
// (rows, bitlines, banks: a property of the memory, not of the fault model) and the
// counter-based randomness of the partition. A fault model samples a view; its FaultList names
// image regions (BitFault::tensor = the global region index, view.region(t)), so lists from
// different partitions apply to the same image.
// Randomness: view.rng(seed, chip, stream) is CounterRng(seed, chip, stream) for partition 0 and a
// partition-specific substream otherwise, so a chip's faults in one partition are a function of
// (seed, chip, partition, cell) alone: moving a tensor between two partitions changes no other
// partition's faults, and partition 0 draws exactly what a single-memory image drew before
// partitions existed.
// A MemoryImage converts to the view of its partition 0 with the default layout, which holds every
// region but the scales unless a placement says otherwise: what a single-memory caller means.
// Example:
//   PartitionView v(image, 1, layout);                // partition 1
//   FaultList f = model.sample(v, seed, chip);        // regions of partition 1 only
//   Injection inj(image, v, model, seed, chip);       // applied to those regions
#include <cstdint>
#include <span>
#include <vector>

#include "memlapse/core/rng.h"
#include "memlapse/faults/physical_layout.h"
#include "memlapse/image/memory_image.h"

namespace memlapse {

class PartitionView {
 public:
  // NOLINTNEXTLINE(google-explicit-constructor): an image is its partition 0 (see above).
  PartitionView(const MemoryImage& image) : PartitionView(image, 0, PhysicalLayout{}) {}
  PartitionView(const MemoryImage& image, std::uint32_t partition, PhysicalLayout layout);

  const MemoryImage& image() const { return *image_; }
  std::uint32_t partition() const { return partition_; }
  const PhysicalLayout& layout() const { return layout_; }
  // Contract: the number of regions in the partition; local index t in [0, tensor_count()).
  std::uint32_t tensor_count() const { return static_cast<std::uint32_t>(regions_.size()); }
  // Contract: the image region of local region t (what BitFault::tensor holds).
  std::uint32_t region(std::uint32_t t) const { return regions_[t]; }
  const TensorSlot& tensor(std::uint32_t t) const { return image_->tensor(regions_[t]); }
  int word_bits(std::uint32_t t) const { return image_->word_bits(regions_[t]); }
  int bits_per_cell(std::uint32_t t) const { return image_->bits_per_cell(regions_[t]); }
  std::uint64_t value_bits(std::uint32_t t) const { return image_->value_bits(regions_[t]); }
  // Contract: the fault-addressable bits of every region of the partition.
  std::uint64_t total_value_bits() const { return total_value_bits_; }
  // Contract: the address of bit (t, e, bit) in the partition (as MemoryImage::physical_bit).
  std::uint64_t physical_bit(std::uint32_t t, std::uint64_t e, int bit) const { return image_->physical_bit(regions_[t], e, bit); }
  bool get_bit(std::uint32_t t, std::uint64_t e, int bit) const { return image_->get_bit(regions_[t], e, bit); }
  // Contract: the partition's cells (padding included): what bytes() of a one-memory image was.
  std::span<const std::uint8_t> bytes() const { return image_->bytes(partition_); }
  // Contract: the partition's generator for (seed, chip, stream), see above.
  CounterRng rng(std::uint64_t seed, std::uint64_t chip, std::uint64_t stream) const {
    const CounterRng base(seed, chip, stream);
    return partition_ == 0 ? base : base.substream(kPartitionSalt + partition_);
  }

 private:
  static constexpr std::uint64_t kPartitionSalt = 0x5041525449540000ULL;  // "PARTIT"
  const MemoryImage* image_;
  std::uint32_t partition_;
  PhysicalLayout layout_;
  std::vector<std::uint32_t> regions_;
  std::uint64_t total_value_bits_ = 0;
};

}  // namespace memlapse
