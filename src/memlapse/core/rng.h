#pragma once
// Counter-based randomness (STYLE.md habit 7): every random number is a pure function of
// (seed, chip, stream, index), so results never depend on thread count or visiting order.
// The mixer is the SplitMix64 finalizer (Steele, Lea, Flood 2014) applied to a key built by
// chained mixing of the four words; it passes BigCrush as a counter-based generator.
// Example:
//   CounterRng rng(seed, chip, /*stream=*/tensor);
//   double u = rng.uniform(i);      // same value for the same (seed, chip, tensor, i), always
#include <cstdint>

namespace memlapse {

constexpr std::uint64_t mix64(std::uint64_t z) {
  z += 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

class CounterRng {
 public:
  // Contract: two generators with equal (seed, chip, stream) produce identical sequences.
  constexpr CounterRng(std::uint64_t seed, std::uint64_t chip, std::uint64_t stream)
      : key_(mix64(mix64(mix64(seed) ^ chip) ^ stream)) {}

  // Contract: 64 random bits for counter i.
  constexpr std::uint64_t bits(std::uint64_t i) const { return mix64(key_ ^ mix64(i)); }
  // Contract: a double uniform on (0, 1]: never 0, so log(u) is finite.
  constexpr double uniform(std::uint64_t i) const {
    return (static_cast<double>(bits(i) >> 11) + 1.0) * 0x1.0p-53;
  }
  // Contract: a derived generator for a sub-stream (e.g. one rate level inside a tensor).
  constexpr CounterRng substream(std::uint64_t s) const { return CounterRng(key_, s); }

 private:
  constexpr CounterRng(std::uint64_t key, std::uint64_t s) : key_(mix64(key ^ mix64(s ^ 0xA5A5A5A5ULL))) {}
  std::uint64_t key_;
};

}  // namespace memlapse
