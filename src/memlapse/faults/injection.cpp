#include "memlapse/core/error.h"
#include "memlapse/faults/fault_model.h"

namespace memlapse {

Injection::Injection(MemoryImage& image, const FaultList& faults) : image_(&image) {
  std::span<std::uint8_t> bytes = image.mutable_bytes();
  saved_bytes_.reserve(faults.size());
  touched_.reserve(faults.size());
  // Validate everything before touching a byte, so a bad list leaves the image unchanged.
  const std::uint32_t n_tensors = image.tensor_count();
  for (const BitFault& f : faults) {
    MEMLAPSE_CHECK(f.tensor < n_tensors && f.element < image.tensor(f.tensor).count && f.bit < image.word_bits(f.tensor),
                   "fault addresses a bit outside the image");
  }
  std::uint64_t last_saved = ~std::uint64_t{0};
  for (const BitFault& f : faults) {
    // Regions may differ in word width and layout (byte-aligned or dense): physical_bit knows.
    const std::uint64_t pos = image.physical_bit(f.tensor, f.element, f.bit);
    const std::uint64_t off = pos >> 3;
    // A sorted list visits each byte in one run; revert() restores in reverse order, so even an
    // unsorted list with repeated bytes gets the original back.
    if (off != last_saved) {
      saved_bytes_.emplace_back(off, bytes[off]);
      last_saved = off;
    }
    const auto mask = static_cast<std::uint8_t>(1u << (pos & 7));
    const std::uint8_t before = bytes[off];
    std::uint8_t after = before;
    switch (f.kind) {
      case BitFault::kFlip: after = static_cast<std::uint8_t>(before ^ mask); break;
      case BitFault::kStuckAt0: after = static_cast<std::uint8_t>(before & ~mask); break;
      case BitFault::kStuckAt1: after = static_cast<std::uint8_t>(before | mask); break;
    }
    if (after == before) continue;  // a stuck-at matching the stored bit changes nothing
    bytes[off] = after;
    if (touched_.empty() || touched_.back().tensor != f.tensor || touched_.back().element != f.element) {
      touched_.push_back(Touched{f.tensor, f.element});
    }
  }
}

Injection::~Injection() { revert(); }

void Injection::revert() {
  if (!active_) return;
  std::span<std::uint8_t> bytes = image_->mutable_bytes();
  for (auto it = saved_bytes_.rbegin(); it != saved_bytes_.rend(); ++it) bytes[it->first] = it->second;
  active_ = false;
}

}  // namespace memlapse
