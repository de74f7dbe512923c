#include "memlapse/core/error.h"
#include "memlapse/faults/fault_model.h"

#include <vector>

namespace memlapse {

namespace {

// Per-thread spare buffers: an Injection takes them over and gives them back when destroyed, so
// a campaign injecting chip after chip reuses the same memory instead of faulting in fresh pages
// (the save and touched lists of a 1e-2 chip are ~20 MB). At most kKeepBytes are kept per list.
constexpr std::size_t kKeepBytes = std::size_t{1} << 27;
thread_local std::vector<std::uint64_t> t_spare_saved;
thread_local std::vector<Injection::Touched> t_spare_touched;

template <class T>
void take_spare(std::vector<T>& spare, std::vector<T>& v) {
  v.swap(spare);
  v.clear();
}

template <class T>
void give_spare(std::vector<T>& spare, std::vector<T>& v) {
  if (v.capacity() > spare.capacity() && v.capacity() * sizeof(T) <= kKeepBytes) {
    v.clear();
    spare.swap(v);
  }
}

}  // namespace

Injection::Injection(MemoryImage& image, const FaultList& faults) : image_(&image) {
  std::uint8_t* const bytes = image.mutable_bytes().data();
  take_spare(t_spare_saved, saved_bytes_);
  take_spare(t_spare_touched, touched_);
  saved_bytes_.reserve(faults.size());
  touched_.reserve(faults.size());
  // What physical_bit and the range check need, per region, in one small table.
  struct Region {
    std::uint64_t count, base_bit, stride_bits, word_bits;
  };
  const std::uint32_t n_tensors = image.tensor_count();
  std::vector<Region> regions(n_tensors);
  for (std::uint32_t t = 0; t < n_tensors; ++t) {
    const TensorSlot& s = image.tensor(t);
    regions[t] = Region{s.count, s.byte_offset * 8, static_cast<std::uint64_t>(s.stride_bits),
                        static_cast<std::uint64_t>(image.word_bits(t))};
  }
  std::uint64_t last_saved = ~std::uint64_t{0}, last_element = ~std::uint64_t{0};
  std::uint32_t last_tensor = ~std::uint32_t{0};
  for (const BitFault& f : faults) {
    // One pass: a fault outside the image restores what the earlier ones changed before it
    // throws, so a bad list leaves the image unchanged.
    if (f.tensor >= n_tensors || f.element >= regions[f.tensor].count || f.bit >= regions[f.tensor].word_bits) {
      revert();
      MEMLAPSE_CHECK(f.tensor < n_tensors && f.element < regions[f.tensor].count && f.bit < regions[f.tensor].word_bits,
                     "fault addresses a bit outside the image");
    }
    // Regions may differ in word width and layout (byte-aligned or dense): as physical_bit.
    const Region& r = regions[f.tensor];
    const std::uint64_t pos = r.base_bit + f.element * r.stride_bits + f.bit;
    const std::uint64_t off = pos >> 3;
    // A sorted list visits each byte in one run; revert() restores in reverse order, so even an
    // unsorted list with repeated bytes gets the original back.
    const std::uint8_t before = bytes[off];
    if (off != last_saved) {
      saved_bytes_.push_back(off << 8 | before);
      last_saved = off;
    }
    const auto mask = static_cast<std::uint8_t>(1u << (pos & 7));
    std::uint8_t after = before;
    switch (f.kind) {
      case BitFault::kFlip: after = static_cast<std::uint8_t>(before ^ mask); break;
      case BitFault::kStuckAt0: after = static_cast<std::uint8_t>(before & ~mask); break;
      case BitFault::kStuckAt1: after = static_cast<std::uint8_t>(before | mask); break;
    }
    if (after == before) continue;  // a stuck-at matching the stored bit changes nothing
    bytes[off] = after;
    if (f.element != last_element || f.tensor != last_tensor) {
      touched_.push_back(Touched{f.tensor, f.element});
      last_tensor = f.tensor;
      last_element = f.element;
    }
  }
}

Injection::~Injection() {
  revert();
  give_spare(t_spare_saved, saved_bytes_);
  give_spare(t_spare_touched, touched_);
}

void Injection::revert() {
  if (!active_) return;
  std::uint8_t* const bytes = image_->mutable_bytes().data();
  for (auto it = saved_bytes_.rbegin(); it != saved_bytes_.rend(); ++it) {
    bytes[*it >> 8] = static_cast<std::uint8_t>(*it & 0xFF);
  }
  active_ = false;
}

}  // namespace memlapse
