#include "memlapse/core/error.h"
#include "memlapse/faults/fault_model.h"

#include <bit>
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
  take_spare(t_spare_saved, saved_bytes_);
  take_spare(t_spare_touched, touched_);
  apply(faults);
}

Injection::Injection(MemoryImage& image, const FaultModel& model, std::uint64_t seed, std::uint64_t chip)
    : image_(&image) {
  take_spare(t_spare_saved, saved_bytes_);
  take_spare(t_spare_touched, touched_);
  try {
    model.inject(*this, seed, chip);
  } catch (...) {
    revert();  // the destructor will not run: leave the image as it was
    throw;
  }
}

void FaultModel::inject(Injection& inj, std::uint64_t seed, std::uint64_t chip) const {
  inj.apply(sample(inj.image(), seed, chip));
}

void Injection::reserve(std::size_t faults) {
  saved_bytes_.reserve(saved_bytes_.size() + faults);
  touched_.reserve(touched_.size() + faults);
}

void Injection::apply(const FaultList& faults) {
  fault_count_ += faults.size();
  MemoryImage& image = *image_;
  std::uint8_t* const bytes = image.mutable_bytes().data();
  reserve(faults.size());
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
  std::uint64_t last_saved = last_saved_, last_element = last_element_;
  std::uint32_t last_tensor = last_tensor_;
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
  last_saved_ = last_saved;
  last_element_ = last_element;
  last_tensor_ = last_tensor;
}

void Injection::flip_value_bits(std::uint32_t t, std::span<const std::uint64_t> bits) {
  if (bits.empty()) return;
  fault_count_ += bits.size();
  MemoryImage& image = *image_;
  if (t >= image.tensor_count() || bits.back() >= image.value_bits(t)) {
    revert();
    MEMLAPSE_CHECK(false, "fault addresses a bit outside the image");
  }
  std::uint8_t* const bytes = image.mutable_bytes().data();
  const TensorSlot& s = image.tensor(t);
  const auto m = static_cast<std::uint64_t>(image.word_bits(t));
  const auto stride = static_cast<std::uint64_t>(s.stride_bits);
  const std::uint64_t base_bit = s.byte_offset * 8;
  // The saves and touched entries of this block go straight into the (reserved) vectors' storage.
  const std::size_t n = bits.size();
  std::size_t ns = saved_bytes_.size(), nt = touched_.size();
  saved_bytes_.resize(ns + n);
  touched_.resize(nt + n);
  std::uint64_t* const saved = saved_bytes_.data();
  Touched* const touched = touched_.data();
  std::uint64_t last_saved = last_saved_, last_element = last_element_;
  if (last_tensor_ != t) last_element = ~std::uint64_t{0};
  // A flip always changes its byte, so every element it lands in is touched. Words of 2^s bits
  // (8, 16, 32) use shifts; a dense 8-bit region (stride = m) is the identity map plus an offset.
  auto one = [&](std::uint64_t e, std::uint64_t pos) {
    const std::uint64_t off = pos >> 3;
    const std::uint8_t before = bytes[off];
    saved[ns] = off << 8 | before;
    ns += off != last_saved;
    last_saved = off;
    bytes[off] = static_cast<std::uint8_t>(before ^ (1u << (pos & 7)));
    touched[nt] = Touched{t, e};
    nt += e != last_element;
    last_element = e;
  };
  if ((m & (m - 1)) == 0) {
    const int shift = std::countr_zero(m);
    const std::uint64_t mask = m - 1;
    if (stride == m) {
      for (const std::uint64_t j : bits) one(j >> shift, base_bit + j);
    } else {
      for (const std::uint64_t j : bits) one(j >> shift, base_bit + (j >> shift) * stride + (j & mask));
    }
  } else {
    for (const std::uint64_t j : bits) {
      const std::uint64_t e = j / m;
      one(e, base_bit + e * stride + (j - e * m));
    }
  }
  saved_bytes_.resize(ns);
  touched_.resize(nt);
  last_saved_ = last_saved;
  last_element_ = last_element;
  last_tensor_ = t;
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
