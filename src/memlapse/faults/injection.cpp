#include "memlapse/core/error.h"
#include "memlapse/faults/fault_model.h"
#include "memlapse/faults/simd.h"

#include <bit>
#include <cstring>
#include <vector>

#if MEMLAPSE_AVX512_KERNELS
#include <immintrin.h>
#endif

namespace memlapse {

namespace {

// Per-thread spare buffers: an Injection takes them over and gives them back when destroyed, so
// a campaign injecting chip after chip reuses the same memory instead of faulting in fresh pages
// (the save and touched lists of a 1e-2 chip are ~14 MB). At most kKeepBytes are kept per list.
constexpr std::size_t kKeepBytes = std::size_t{1} << 27;
thread_local Injection::PodBuffer<std::uint64_t> t_spare_saved;
thread_local Injection::PodBuffer<Injection::Touched> t_spare_touched;
thread_local Injection::PodBuffer<std::uint8_t> t_spare_elements;

template <class T>
void take_spare(Injection::PodBuffer<T>& spare, Injection::PodBuffer<T>& v) {
  v.swap(spare);
  v.clear();
}

template <class T>
void give_spare(Injection::PodBuffer<T>& spare, Injection::PodBuffer<T>& v) {
  if (v.capacity() > spare.capacity() && v.capacity() * sizeof(T) <= kKeepBytes) {
    v.clear();
    spare.swap(v);
  }
}

// Undo records: byte offset << 8 | original byte, or kSegmentRecord | index into segments_ for a
// segment of flip_value_words (its touched entries and their saved original bytes).
constexpr std::uint64_t kSegmentRecord = std::uint64_t{1} << 63;
constexpr std::uint64_t kTopBit = std::uint64_t{1} << 63;
constexpr std::uint32_t kMaxTensors = std::uint32_t{1} << 16;  // Touched::tensor's 16 bits

}  // namespace

void Injection::check_regions() const {
  // Touched names a region in 16 bits: every region of the partition needs an index below 2^16.
  std::uint32_t last = 0, in_partition = 0;
  for (std::uint32_t r = 0; r < image_->tensor_count(); ++r) {
    if (image_->tensor(r).partition != partition_) continue;
    last = r;
    ++in_partition;
  }
  if (in_partition != 0 && last >= kMaxTensors) {
    std::string msg = "fault injection: the memory image has ";
    msg.append(std::to_string(image_->tensor_count())).append(" tensors (regions; ");
    msg.append(std::to_string(in_partition)).append(" in partition ").append(std::to_string(partition_));
    msg.append("); the injection engine supports region indices below ").append(std::to_string(kMaxTensors));
    throw Error(msg);
  }
}

Injection::Injection(MemoryImage& image, const FaultList& faults, std::uint32_t partition)
    : image_(&image), partition_(partition) {
  check_regions();
  take_spare(t_spare_saved, saved_bytes_);
  take_spare(t_spare_touched, touched_);
  take_spare(t_spare_elements, saved_elements_);
  apply(faults);
}

Injection::Injection(MemoryImage& image, const FaultModel& model, std::uint64_t seed, std::uint64_t chip)
    : Injection(image, PartitionView(image), model, seed, chip) {}

Injection::Injection(MemoryImage& image, const PartitionView& view, const FaultModel& model, std::uint64_t seed,
                     std::uint64_t chip)
    : image_(&image), partition_(view.partition()) {
  MEMLAPSE_CHECK(&view.image() == &image, "the partition view belongs to another image");
  check_regions();
  take_spare(t_spare_saved, saved_bytes_);
  take_spare(t_spare_touched, touched_);
  take_spare(t_spare_elements, saved_elements_);
  try {
    model.inject(*this, view, seed, chip);
  } catch (...) {
    revert();  // the destructor will not run: leave the image as it was
    throw;
  }
}

void FaultModel::inject(Injection& inj, const PartitionView& view, std::uint64_t seed, std::uint64_t chip) const {
  inj.apply(sample(view, seed, chip));
}

void Injection::apply(const FaultList& faults) {
  fault_count_ += faults.size();
  MemoryImage& image = *image_;
  std::uint8_t* const bytes = image.mutable_bytes(partition_).data();
  // What physical_bit and the range check need, per region, in one small table; regions of other
  // partitions have no words here.
  struct Region {
    std::uint64_t count, base_bit, stride_bits, word_bits;
  };
  const std::uint32_t n_tensors = image.tensor_count();
  std::vector<Region> regions(n_tensors);
  for (std::uint32_t t = 0; t < n_tensors; ++t) {
    const TensorSlot& s = image.tensor(t);
    regions[t] = Region{s.partition == partition_ ? s.count : 0, s.byte_offset * 8, static_cast<std::uint64_t>(s.stride_bits),
                        static_cast<std::uint64_t>(image.word_bits(t))};
  }
  // At most one save and one touched entry per fault, written through pointers.
  std::uint64_t* const saved = saved_bytes_.reserve_more(faults.size());
  Touched* const touched = touched_.reserve_more(faults.size());
  std::size_t ns = 0, nt = 0;
  std::uint64_t last_saved = last_saved_, last_element = last_element_;
  std::uint32_t last_tensor = last_tensor_;
  auto commit = [&] {
    saved_bytes_.set_size(saved_bytes_.size() + ns);
    touched_.set_size(touched_.size() + nt);
    ns = nt = 0;
  };
  for (const BitFault& f : faults) {
    // One pass: a fault outside the image restores what the earlier ones changed before it
    // throws, so a bad list leaves the image unchanged.
    if (f.tensor >= n_tensors || f.element >= regions[f.tensor].count || f.bit >= regions[f.tensor].word_bits) {
      commit();
      revert();
      MEMLAPSE_CHECK(f.tensor < n_tensors && f.element < regions[f.tensor].count && f.bit < regions[f.tensor].word_bits,
                     "fault addresses a bit outside the image or outside the injection's partition");
    }
    // Regions may differ in word width and layout (byte-aligned or dense): as physical_bit.
    const Region& r = regions[f.tensor];
    const std::uint64_t pos = r.base_bit + f.element * r.stride_bits + f.bit;
    const std::uint64_t off = pos >> 3;
    // A sorted list visits each byte in one run; revert() restores in reverse order, so even an
    // unsorted list with repeated bytes gets the original back.
    const std::uint8_t before = bytes[off];
    if (off != last_saved) {
      saved[ns++] = off << 8 | before;
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
      touched[nt++] = Touched{f.tensor, f.element};
      last_tensor = f.tensor;
      last_element = f.element;
    }
  }
  commit();
  last_saved_ = last_saved;
  last_element_ = last_element;
  last_tensor_ = last_tensor;
}

void Injection::flip_value_bits(std::uint32_t t, std::span<const std::uint64_t> bits) {
  if (bits.empty()) return;
  fault_count_ += bits.size();
  MemoryImage& image = *image_;
  if (t >= image.tensor_count() || image.tensor(t).partition != partition_ || bits.back() >= image.value_bits(t)) {
    revert();
    MEMLAPSE_CHECK(false, "fault addresses a bit outside the image or outside the injection's partition");
  }
  std::uint8_t* const bytes = image.mutable_bytes(partition_).data();
  const TensorSlot& s = image.tensor(t);
  const auto m = static_cast<std::uint64_t>(image.word_bits(t));
  const auto stride = static_cast<std::uint64_t>(s.stride_bits);
  const std::uint64_t base_bit = s.byte_offset * 8;
  // The saves and touched entries of this block go straight into the buffers' storage.
  const std::size_t n = bits.size();
  std::uint64_t* const saved = saved_bytes_.reserve_more(n);
  Touched* const touched = touched_.reserve_more(n);
  std::size_t ns = 0, nt = 0;
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
  saved_bytes_.set_size(saved_bytes_.size() + ns);
  touched_.set_size(touched_.size() + nt);
  last_saved_ = last_saved;
  last_element_ = last_element;
  last_tensor_ = t;
}

namespace {

// 0x01 in each non-zero byte of x, 0x00 elsewhere.
std::uint64_t nonzero_bytes(std::uint64_t x) {
  x |= x >> 4;
  x |= x >> 2;
  x |= x >> 1;
  return x & 0x0101010101010101ULL;
}
// From nonzero_bytes: the low bit of each non-zero lane of `lane_bytes` bytes (1, 2 or 4).
std::uint64_t nonzero_lanes(std::uint64_t nzb, int lane_bytes) {
  for (int s = lane_bytes / 2; s >= 1; s /= 2) nzb |= nzb >> (8 * s);
  switch (lane_bytes) {
    case 1: return nzb;
    case 2: return nzb & 0x0001000100010001ULL;
    default: return nzb & 0x0000000100000001ULL;
  }
}
// The set bits of `words`. Built twice, for the baseline ISA and with the popcnt instruction,
// and picked at load time (GCC function multi-versioning), where the compiler supports it.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
__attribute__((target_clones("popcnt", "default")))
#endif
std::uint64_t count_bits(std::span<const std::uint64_t> words) {
  std::uint64_t n = 0;
  for (const std::uint64_t x : words) n += static_cast<std::uint64_t>(std::popcount(x));
  return n;
}

struct WordKernelOut {
  std::size_t nt;
  std::uint64_t flips;
};

// Touched{t, e} from its bits (bit-field layout checked at compile time): the kernel forms entries
// by adding element offsets to a packed base.
constexpr std::uint64_t pack_touched(std::uint32_t t, std::uint64_t e) { return e << 16 | t; }
#if defined(__GNUC__) && !defined(__clang__)  // clang cannot bit_cast bit-fields in constant expressions;
                                               // FlipValueWordsEqualsFlipValueBits checks it there
static_assert(std::bit_cast<Injection::Touched>(pack_touched(5, 7)).tensor == 5 &&
              std::bit_cast<Injection::Touched>(pack_touched(5, 7)).element == 7);
#endif

// flip_value_words' whole 64-bit words for M-bit elements (64 / M per word): XOR each mask word
// into the image and list each changed element, with its original M / 8 bytes at orig + (entry
// index) * M / 8. Two passes per chunk of words, so no step branches on whether a word is zero
// (about half are at a 1e-2 rate): the first XORs every word and lists the non-zero ones without
// a branch, the second lists their elements; a word's first element always exists, its second is
// written unconditionally and counted only if it exists, further ones loop.
template <int M>
WordKernelOut flip_words_kernel(std::uint32_t t, std::span<const std::uint64_t> words, std::uint8_t* base,
                                std::uint64_t first_element, Injection::Touched* touched, std::uint8_t* orig) {
  constexpr int kLaneBytes = M / 8;
  constexpr int kShift = std::countr_zero(static_cast<unsigned>(kLaneBytes));
  constexpr std::size_t kChunk = 4096;
  std::uint32_t nonzero[kChunk];
  std::size_t nt = 0;
  for (std::size_t c0 = 0; c0 < words.size(); c0 += kChunk) {
    const std::size_t c1 = std::min(words.size(), c0 + kChunk);
    std::size_t nz = 0;
    for (std::size_t w = c0; w < c1; ++w) {
      const std::uint64_t x = words[w];
      std::uint64_t v;
      std::memcpy(&v, base + 8 * w, 8);
      v ^= x;
      std::memcpy(base + 8 * w, &v, 8);
      nonzero[nz] = static_cast<std::uint32_t>(w - c0);
      nz += x != 0;
    }
    for (std::size_t i = 0; i < nz; ++i) {
      const std::size_t w = c0 + nonzero[i];
      const std::uint64_t x = words[w];
      std::uint64_t before;
      std::memcpy(&before, base + 8 * w, 8);
      before ^= x;  // the word as it was
      std::uint64_t l = nonzero_lanes(nonzero_bytes(x), kLaneBytes);
      const std::uint64_t packed0 = pack_touched(t, first_element + (static_cast<std::uint64_t>(w) << (3 - kShift)));
      // l | 2^63 is never zero, so ctz needs no zero test: an empty l names the last lane.
      const auto entry = [&] {
        const int byte = std::countr_zero(l | kTopBit) >> 3;
        touched[nt] = std::bit_cast<Injection::Touched>(packed0 + (static_cast<std::uint64_t>(byte >> kShift) << 16));
        const std::uint64_t v = before >> (8 * (byte & ~(kLaneBytes - 1)));
        std::memcpy(orig + nt * kLaneBytes, &v, 8);  // 8 bytes: the slack covers the overhang
      };
      entry();
      ++nt;
      l &= l - 1;
      entry();
      nt += l != 0;
      l &= l - 1;
      for (; l != 0; l &= l - 1) {
        entry();
        ++nt;
      }
    }
  }
  return {nt, count_bits(words)};
}

#if MEMLAPSE_AVX512_KERNELS
// flip_words_kernel with AVX-512 and BMI2, the same output. Per chunk of words, pass 1 XORs eight
// mask words into the image per instruction and lists the non-zero ones (compressed indices);
// pass 2 visits only those: the changed elements' entries are formed in one vector and compressed
// to the front (vpcompressq), their original bytes packed by pext; both are stored whole (64 and 8
// bytes: the caller's slack) and the count advances by the number of changed elements. No branch
// depends on the data.
template <int M>
MEMLAPSE_AVX512_TARGET WordKernelOut flip_words_kernel_avx512(std::uint32_t t, std::span<const std::uint64_t> words,
                                                               std::uint8_t* base, std::uint64_t first_element,
                                                               Injection::Touched* touched, std::uint8_t* orig) {
  static_assert(M == 8 || M == 16 || M == 32);
  constexpr int kLaneBytes = M / 8;
  constexpr int kShift = std::countr_zero(static_cast<unsigned>(kLaneBytes));
  // The low byte of each lane, and each lane's full width, as masks.
  constexpr std::uint64_t kLaneLow = M == 8 ? 0x0101010101010101ULL : M == 16 ? 0x0001000100010001ULL : 0x0000000100000001ULL;
  constexpr std::uint64_t kLaneFull = (std::uint64_t{1} << M) - 1;
  constexpr std::size_t kChunk = 4096;
  const __m512i lane_offset = _mm512_setr_epi64(0, 1LL << 16, 2LL << 16, 3LL << 16, 4LL << 16, 5LL << 16, 6LL << 16, 7LL << 16);
  const __m256i eight = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  alignas(64) std::uint32_t nonzero[kChunk + 8];
  std::size_t nt = 0;
  std::uint64_t flips = 0;
  for (std::size_t c0 = 0; c0 < words.size(); c0 += kChunk) {
    const std::size_t c1 = std::min(words.size(), c0 + kChunk);
    std::size_t nz = 0, w = c0;
    for (; w + 8 <= c1; w += 8) {
      const __m512i x = _mm512_loadu_si512(words.data() + w);
      std::uint8_t* const p = base + 8 * w;
      _mm512_storeu_si512(p, _mm512_xor_si512(_mm512_loadu_si512(p), x));
      const __mmask8 any = _mm512_test_epi64_mask(x, x);
      const __m256i idx = _mm256_add_epi32(_mm256_set1_epi32(static_cast<int>(w - c0)), eight);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(nonzero + nz), _mm256_maskz_compress_epi32(any, idx));
      nz += static_cast<std::size_t>(_mm_popcnt_u32(any));
    }
    for (; w < c1; ++w) {  // the chunk's last few words
      std::uint64_t v;
      std::memcpy(&v, base + 8 * w, 8);
      v ^= words[w];
      std::memcpy(base + 8 * w, &v, 8);
      nonzero[nz] = static_cast<std::uint32_t>(w - c0);
      nz += words[w] != 0;
    }
    for (std::size_t i = 0; i < nz; ++i) {
      const std::size_t wi = c0 + nonzero[i];
      const std::uint64_t x = words[wi];
      flips += static_cast<std::uint64_t>(_mm_popcnt_u64(x));
      std::uint64_t before;
      std::memcpy(&before, base + 8 * wi, 8);
      before ^= x;  // the word as it was
      const std::uint64_t lanes = nonzero_lanes(nonzero_bytes(x), kLaneBytes);  // a low bit per changed lane
      const auto changed = static_cast<__mmask8>(_pext_u64(lanes, kLaneLow));    // bit i: lane i changed
      const std::uint64_t packed0 = pack_touched(t, first_element + (static_cast<std::uint64_t>(wi) << (3 - kShift)));
      const __m512i entries = _mm512_add_epi64(_mm512_set1_epi64(static_cast<long long>(packed0)), lane_offset);
      _mm512_storeu_si512(touched + nt, _mm512_maskz_compress_epi64(changed, entries));
      const std::uint64_t kept = _pext_u64(before, lanes * kLaneFull);  // the changed lanes' old bytes
      std::memcpy(orig + nt * kLaneBytes, &kept, 8);
      nt += static_cast<std::size_t>(_mm_popcnt_u64(changed));
    }
  }
  return {nt, flips};
}
#endif

// Writes back a segment's saved elements (revert).
template <int kLaneBytes>
void restore_lanes(std::uint8_t* region, const Injection::Touched* entries, const std::uint8_t* orig, std::size_t count) {
  for (std::size_t k = 0; k < count; ++k) {
    std::memcpy(region + entries[k].element * kLaneBytes, orig + k * kLaneBytes, kLaneBytes);
  }
}

}  // namespace

void Injection::flip_value_words(std::uint32_t t, std::uint64_t first, std::span<const std::uint64_t> words) {
  MemoryImage& image = *image_;
  MEMLAPSE_CHECK(first % 64 == 0, "flip_value_words: the first bit is not a multiple of 64");
  // Range check first: every set bit must lie below value_bits(t).
  const std::uint64_t limit = t < image.tensor_count() && image.tensor(t).partition == partition_ ? image.value_bits(t) : 0;
  const std::uint64_t end = first + 64 * words.size();
  if (end > limit && !words.empty()) {
    bool outside = limit == 0 || first >= limit;
    for (std::size_t w = 0; !outside && w < words.size(); ++w) {
      const std::uint64_t w0 = first + 64 * w;
      if (w0 + 64 <= limit) continue;
      const std::uint64_t keep = w0 >= limit ? 0 : (std::uint64_t{1} << (limit - w0)) - 1;
      outside = (words[w] & ~keep) != 0;
    }
    if (outside) {
      revert();
      MEMLAPSE_CHECK(false, "fault addresses a bit outside the image");
    }
  }
  const auto m = static_cast<std::uint64_t>(image.word_bits(t));
  const TensorSlot& s = image.tensor(t);
  const bool word_path = std::endian::native == std::endian::little && static_cast<std::uint64_t>(s.stride_bits) == m &&
                         (m == 8 || m == 16 || m == 32);
  // Value bit j of the region is image bit base_bit + j on the word path (stride = m, byte-aligned
  // start), so words[w] is the XOR mask of the 8 bytes from byte_offset + first / 8 + 8 w. Whole
  // words inside the region's bytes take the kernel; the rest (a last, partial word; other
  // layouts) the per-bit path.
  const std::uint64_t first_byte = first / 8;
  const std::uint64_t region_bytes = s.count * m / 8;
  const std::size_t full = !word_path ? 0 : static_cast<std::size_t>(std::min<std::uint64_t>(
      words.size(), region_bytes > first_byte ? (region_bytes - first_byte) / 8 : 0));
  if (full != 0) {
    if (last_tensor_ == t && last_element_ != ~std::uint64_t{0} && first / m <= last_element_) {
      revert();
      MEMLAPSE_CHECK(false, "flip_value_words: bits must follow the bits of earlier calls");
    }
    // The segment's touched entries double as its undo addresses: the kernel saves each changed
    // element's original bytes beside it (m / 8 per entry, plus 8 bytes of slack for its
    // unconditional stores) and one marker entry in the undo list points at the segment.
    const std::size_t lane_bytes = m / 8;
    Touched* const touched = touched_.reserve_more(8 * full + 8);
    std::uint8_t* const orig = saved_elements_.reserve_more(8 * full + 8);
    std::uint8_t* const base = image.mutable_bytes(partition_).data() + s.byte_offset + first_byte;
    WordKernelOut out{0, 0};
    const std::span<const std::uint64_t> whole = words.first(full);
#if MEMLAPSE_AVX512_KERNELS
    if (simd_kernels_enabled()) {
      switch (m) {
        case 8: out = flip_words_kernel_avx512<8>(t, whole, base, first / m, touched, orig); break;
        case 16: out = flip_words_kernel_avx512<16>(t, whole, base, first / m, touched, orig); break;
        default: out = flip_words_kernel_avx512<32>(t, whole, base, first / m, touched, orig); break;
      }
    } else
#endif
    {
      switch (m) {
        case 8: out = flip_words_kernel<8>(t, whole, base, first / m, touched, orig); break;
        case 16: out = flip_words_kernel<16>(t, whole, base, first / m, touched, orig); break;
        default: out = flip_words_kernel<32>(t, whole, base, first / m, touched, orig); break;
      }
    }
    if (out.nt != 0) {
      segments_.push_back(Segment{touched_.size(), touched_.size() + out.nt, saved_elements_.size(), t,
                                  static_cast<std::uint32_t>(lane_bytes)});
      saved_bytes_.push_back(kSegmentRecord | (segments_.size() - 1));
      touched_.set_size(touched_.size() + out.nt);
      saved_elements_.set_size(saved_elements_.size() + out.nt * lane_bytes);
      last_element_ = touched[out.nt - 1].element;
      last_tensor_ = t;
      last_saved_ = ~std::uint64_t{0};
    }
    fault_count_ += static_cast<std::size_t>(out.flips);
  }
  if (full < words.size()) {
    std::vector<std::uint64_t> bits;
    for (std::size_t w = full; w < words.size(); ++w) {
      for (std::uint64_t x = words[w]; x != 0; x &= x - 1) bits.push_back(first + 64 * w + static_cast<std::uint64_t>(std::countr_zero(x)));
    }
    flip_value_bits(t, bits);
  }
}

Injection::~Injection() {
  revert();
  give_spare(t_spare_saved, saved_bytes_);
  give_spare(t_spare_touched, touched_);
  give_spare(t_spare_elements, saved_elements_);
}

void Injection::revert() {
  if (!active_) return;
  std::uint8_t* const bytes = image_->mutable_bytes(partition_).data();
  const std::uint64_t* const saved = saved_bytes_.data();
  for (std::size_t i = saved_bytes_.size(); i-- > 0;) {
    const std::uint64_t r = saved[i];
    if ((r & kSegmentRecord) == 0) {
      bytes[r >> 8] = static_cast<std::uint8_t>(r & 0xFF);
      continue;
    }
    const Segment& g = segments_[r & ~kSegmentRecord];
    std::uint8_t* const region = bytes + image_->tensor(g.tensor).byte_offset;
    const std::uint8_t* const orig = saved_elements_.data() + g.saved_begin;
    const Touched* const entries = touched_.data() + g.touched_begin;
    const std::size_t count = g.touched_end - g.touched_begin;
    switch (g.lane_bytes) {  // fixed-size copies
      case 1: restore_lanes<1>(region, entries, orig, count); break;
      case 2: restore_lanes<2>(region, entries, orig, count); break;
      default: restore_lanes<4>(region, entries, orig, count); break;
    }
  }
  active_ = false;
}

}  // namespace memlapse
