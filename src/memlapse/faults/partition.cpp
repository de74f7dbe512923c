#include "memlapse/faults/partition.h"

namespace memlapse {

PartitionView::PartitionView(const MemoryImage& image, std::uint32_t partition, PhysicalLayout layout)
    : image_(&image), partition_(partition), layout_(layout) {
  if (partition < image.partition_count()) regions_ = image.regions_in(partition);
  for (std::uint32_t r : regions_) total_value_bits_ += image.value_bits(r);
}

}  // namespace memlapse
