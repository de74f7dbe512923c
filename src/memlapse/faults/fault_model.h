#pragma once
// Fault models act on one memory partition of a MemoryImage (PartitionView, partition.h; an image
// converts to its partition 0). A chip is (seed, chip index); its faults are a pure function of
// (seed, chip, partition, region, bit index) through CounterRng, so they never depend on the
// thread count. Models are registered by name with a schema and factory in faults/builtin.cpp.
// Example:
//   auto m = make_fault_model("uniform", {{"ber", "1e-3"}});
//   FaultList f = m->sample(image, /*seed=*/1, /*chip=*/0);            // partition 0
//   Injection inj(image, f);   // applies; inj.revert() (or its destructor) restores the bytes
//   Injection other(image, PartitionView(image, 1, layout), *m, 1, 0); // another partition
#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "memlapse/core/registry.h"
#include "memlapse/faults/partition.h"
#include "memlapse/image/memory_image.h"

namespace memlapse {

// One faulty bit: after injection it reads `value` (kind kFlip: the stored bit inverted).
// 16 bytes: `element` is a 48-bit field (words < 2^48 per region), so a fault list of a 1e-2 chip
// (~1M faults) stays small. Being a bit-field, `element` is read by value (no std::tie/references).
struct BitFault {
  enum Kind : std::uint8_t { kFlip = 0, kStuckAt0 = 1, kStuckAt1 = 2 };
  std::uint32_t tensor = 0;
  std::uint64_t element : 48 = 0;
  std::uint8_t bit = 0;
  Kind kind = kFlip;
  friend bool operator==(const BitFault&, const BitFault&) = default;
};
static_assert(sizeof(BitFault) == 16);

// Sorted by (tensor, element, bit), no two entries address the same bit.
using FaultList = std::vector<BitFault>;

class Injection;

class FaultModel {
 public:
  virtual ~FaultModel() = default;
  // Contract: a stable name for results, e.g. "uniform".
  virtual std::string name() const = 0;
  // Contract: the faults of chip `chip` under `seed` in the partition `view`; sorted, unique, every
  // BitFault::tensor a region of the view (view.region(t)); cost proportional to the number of
  // faults, not the number of bits.
  virtual FaultList sample(const PartitionView& view, std::uint64_t seed, std::uint64_t chip) const = 0;
  // Contract: the resolved parameters (written beside results): the operating point and the
  // physical parameters it implies (e.g. the bit error rate a voltage gives).
  virtual std::map<std::string, std::string> params() const = 0;
  // Contract: the faults seen on evaluation pass `pass` of chip `chip`. Models whose faults are
  // re-drawn on every read (000 §4: a weak cell fails with probability F on each read; MLC sensing
  // noise, 001 §4.1) override it; the chip's persistent part (which cells are weak) never depends
  // on `pass`. Pass 0 equals sample(image, seed, chip), which is what a campaign uses per chip.
  virtual FaultList sample_pass(const PartitionView& view, std::uint64_t seed, std::uint64_t chip,
                                std::uint64_t pass) const {
    (void)pass;
    return sample(view, seed, chip);
  }
  // Contract: applies the faults of sample(view, seed, chip) to `inj` (bound to view's partition),
  // with the same effect (bytes, touched()) as Injection(image, sample(view, seed, chip)). The
  // default materialises the list; a model that can hand its faults over directly (uniform)
  // overrides it.
  virtual void inject(Injection& inj, const PartitionView& view, std::uint64_t seed, std::uint64_t chip) const;
};

// A reliable memory: no faults (a partition at its nominal operating point, or one whose errors
// an ECC corrects). The default home of the decode parameters (scales).
class NoFaults final : public FaultModel {
 public:
  std::string name() const override { return "none"; }
  FaultList sample(const PartitionView&, std::uint64_t, std::uint64_t) const override { return {}; }
  std::map<std::string, std::string> params() const override { return {{"ber", "0"}}; }
};

// Which faults a (model, seed, chip) draws: bumped whenever any model's draws change, so results
// record it and a resumed campaign refuses to mix chips drawn by different samplers.
// 3 = windowed bitmap sampler with 2^(1/4) rate levels and ziggurat skips.
inline constexpr int kFaultSamplerVersion = 3;

// The fault-model registry: every model with its schema, factory and the memory technologies it
// describes (RegistryEntry::tags; "any" for technology-neutral models).
const Registry<std::unique_ptr<FaultModel>>& fault_registry();
// Contract: builds the named model; throws Error for unknown names, keys or bad values.
std::unique_ptr<FaultModel> make_fault_model(const std::string& name,
                                             const std::map<std::string, std::string>& params);

// Applies a fault list to an image and restores the original bytes on revert() / destruction.
// touched() lists each (tensor, element) changed, once, in fault-list order, so a caller can
// decode only what changed.
// Injection(image, model, seed, chip) is Injection(image, model.sample(image, seed, chip)) without
// the intermediate list where the model supports it (FaultModel::inject): the same bytes change
// and touched() is the same.
// An Injection is bound to one partition (undo records are addresses in its bytes): every fault
// of its list must name a region of that partition.
class Injection {
 public:
  Injection(MemoryImage& image, const FaultList& faults, std::uint32_t partition = 0);
  // Contract: Injection(image, PartitionView(image), model, seed, chip).
  Injection(MemoryImage& image, const FaultModel& model, std::uint64_t seed, std::uint64_t chip);
  // Contract: the faults of model.sample(view, seed, chip) applied to view's partition of `image`
  // (view must be a view of `image`).
  Injection(MemoryImage& image, const PartitionView& view, const FaultModel& model, std::uint64_t seed, std::uint64_t chip);
  ~Injection();
  Injection(const Injection&) = delete;
  Injection& operator=(const Injection&) = delete;
  // 8 bytes: a region index below 2^16 (the constructors check the image) and a 48-bit word
  // index (as BitFault). Bit-fields: read them by value.
  struct Touched {
    std::uint64_t tensor : 16;
    std::uint64_t element : 48;
  };
  std::span<const Touched> touched() const { return {touched_.data(), touched_.size()}; }
  const MemoryImage& image() const { return *image_; }
  std::uint32_t partition() const { return partition_; }
  // The number of faults applied (list entries or flipped bits), whether or not they changed a bit.
  std::size_t fault_count() const { return fault_count_; }
  void revert();

  // For FaultModel::inject. Contract: applies `faults` (as the list constructor does: a fault
  // outside the image reverts everything applied so far and throws). Calls may follow each other;
  // together they must address regions in increasing order, as one sorted list would.
  void apply(const FaultList& faults);
  // Contract: flips value bits `bits` of region t (bit index j = element * word_bits(t) + bit, as
  // UniformBitErrors numbers them), strictly increasing and < value_bits(t); the same as applying
  // the kFlip faults they name. Throws (after reverting) on an index outside the region.
  void flip_value_bits(std::uint32_t t, std::span<const std::uint64_t> bits);
  // Contract: flip_value_bits of the bits set in `words`: bit i of words[w] names value bit
  // first + 64 w + i (first a multiple of 64; for_each_nested_window's form), past every bit of an
  // earlier call on region t. Regions of 8-, 16- or 32-bit words stored without padding take them
  // a 64-bit word at a time (faults/injection.cpp), others bit by bit.
  void flip_value_words(std::uint32_t t, std::uint64_t first, std::span<const std::uint64_t> words);

  // A growable array of trivially copyable T that does not zero what it grows into (the undo and
  // touched lists are written through pointers after a bound is reserved).
  template <class T>
  class PodBuffer {
   public:
    std::size_t size() const { return size_; }
    std::size_t capacity() const { return capacity_; }
    T* data() { return data_.get(); }
    const T* data() const { return data_.get(); }
    // Contract: room for `more` entries past size(); pointers into the buffer are invalidated.
    T* reserve_more(std::size_t more) {
      if (size_ + more > capacity_) {
        const std::size_t cap = std::max(size_ + more, 2 * capacity_);
        std::unique_ptr<T[]> d(new T[cap]);
        if (size_ != 0) std::copy_n(data_.get(), size_, d.get());
        data_ = std::move(d);
        capacity_ = cap;
      }
      return data_.get() + size_;
    }
    void set_size(std::size_t n) { size_ = n; }
    void push_back(const T& v) {
      *reserve_more(1) = v;
      ++size_;
    }
    void clear() { size_ = 0; }
    void swap(PodBuffer& o) noexcept {
      data_.swap(o.data_);
      std::swap(size_, o.size_);
      std::swap(capacity_, o.capacity_);
    }

   private:
    std::unique_ptr<T[]> data_;
    std::size_t size_ = 0, capacity_ = 0;
  };

 private:
  void check_regions() const;
  MemoryImage* image_;
  std::uint32_t partition_ = 0;
  PodBuffer<Touched> touched_;
  PodBuffer<std::uint64_t> saved_bytes_;  // undo records, see injection.cpp
  // flip_value_words' segments: touched_[touched_begin, touched_end) changed, their original
  // lane_bytes each at saved_elements_[saved_begin...].
  struct Segment {
    std::size_t touched_begin, touched_end, saved_begin;
    std::uint32_t tensor, lane_bytes;
  };
  std::vector<Segment> segments_;
  PodBuffer<std::uint8_t> saved_elements_;
  std::uint64_t last_saved_ = ~std::uint64_t{0}, last_element_ = ~std::uint64_t{0};
  std::uint32_t last_tensor_ = ~std::uint32_t{0};
  std::size_t fault_count_ = 0;
  bool active_ = true;
};

}  // namespace memlapse
