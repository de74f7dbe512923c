#pragma once
// Fault models act on a MemoryImage. A chip is (seed, chip index); its faults are a pure
// function of (seed, chip, tensor, bit index) through CounterRng, so they never depend on the
// thread count. Models are registered by name with a schema in faults/builtin.cpp.
// Example:
//   auto m = make_fault_model("uniform", {{"ber", "1e-3"}});
//   FaultList f = m->sample(image, /*seed=*/1, /*chip=*/0);
//   Injection inj(image, f);   // applies; inj.revert() (or its destructor) restores the bytes
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "memlapse/core/schema.h"
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

class FaultModel {
 public:
  virtual ~FaultModel() = default;
  // Contract: a stable name for results, e.g. "uniform".
  virtual std::string name() const = 0;
  // Contract: the faults of chip `chip` under `seed` for this image; sorted, unique; cost
  // proportional to the number of faults, not the number of bits.
  virtual FaultList sample(const MemoryImage& image, std::uint64_t seed, std::uint64_t chip) const = 0;
  // Contract: the resolved parameters (written beside results): the operating point and the
  // physical parameters it implies (e.g. the bit error rate a voltage gives).
  virtual std::map<std::string, std::string> params() const = 0;
  // Contract: the faults seen on evaluation pass `pass` of chip `chip`. Models whose faults are
  // re-drawn on every read (000 §4: a weak cell fails with probability F on each read; MLC sensing
  // noise, 001 §4.1) override it; the chip's persistent part (which cells are weak) never depends
  // on `pass`. Pass 0 equals sample(image, seed, chip), which is what a campaign uses per chip.
  virtual FaultList sample_pass(const MemoryImage& image, std::uint64_t seed, std::uint64_t chip,
                                std::uint64_t pass) const {
    (void)pass;
    return sample(image, seed, chip);
  }
};

const std::vector<RegistryEntry>& fault_registry();
// Contract: builds the named model; throws Error for unknown names, keys or bad values.
std::unique_ptr<FaultModel> make_fault_model(const std::string& name,
                                             const std::map<std::string, std::string>& params);

// Applies a fault list to an image and restores the original bytes on revert() / destruction.
// touched() lists each (tensor, element) changed, once, in fault-list order, so a caller can
// decode only what changed.
class Injection {
 public:
  Injection(MemoryImage& image, const FaultList& faults);
  ~Injection();
  Injection(const Injection&) = delete;
  Injection& operator=(const Injection&) = delete;
  struct Touched { std::uint32_t tensor; std::uint64_t element; };
  const std::vector<Touched>& touched() const { return touched_; }
  void revert();

 private:
  MemoryImage* image_;
  std::vector<Touched> touched_;
  std::vector<std::uint64_t> saved_bytes_;  // byte offset << 8 | original byte
  bool active_ = true;
};

}  // namespace memlapse
