#include "memlapse/faults/uniform.h"

#include <bit>
#include <cmath>
#include <span>

#include "memlapse/core/error.h"
#include "memlapse/core/rng.h"
#include "memlapse/core/text.h"
#include "memlapse/faults/nested.h"

namespace memlapse {

UniformBitErrors::UniformBitErrors(double ber) : ber_(ber) {
  if (!(ber >= 0.0 && ber <= 1.0)) throw Error("fault model uniform: ber = " + format_double(ber) + " is outside [0, 1]");
}

std::map<std::string, std::string> UniformBitErrors::params() const { return {{"ber", format_double(ber_)}}; }

FaultList UniformBitErrors::sample(const PartitionView& image, std::uint64_t seed, std::uint64_t chip) const {
  FaultList out;
  const double expected = static_cast<double>(image.total_value_bits()) * ber_;
  // Mean plus six standard deviations: one allocation in all but ~1e-9 of the chips.
  if (expected > 0.0 && expected < 1e9) out.reserve(static_cast<std::size_t>(expected + 6.0 * std::sqrt(expected)) + 16);
  for (std::uint32_t t = 0; t < image.tensor_count(); ++t) {
    // Regions may differ in word width (pipeline formats); shifts instead of a 64-bit division
    // per fault when m is a power of two (8, 16, 32 bits).
    const auto m = static_cast<std::uint64_t>(image.word_bits(t));
    const bool pow2 = (m & (m - 1)) == 0;
    const int shift = std::countr_zero(m);
    // The hits arrive per window of the sampler and are converted straight into the list.
    const std::uint32_t r = image.region(t);
    for_each_nested_block(image.rng(seed, chip, t), image.value_bits(t), ber_,
                          [&](std::span<const std::uint64_t> block) {
                            if (pow2) {
                              const std::uint64_t mask = m - 1;
                              for (const std::uint64_t j : block) {
                                out.push_back(BitFault{r, j >> shift, static_cast<std::uint8_t>(j & mask), BitFault::kFlip});
                              }
                            } else {
                              for (const std::uint64_t j : block) {
                                const std::uint64_t e = j / m;
                                out.push_back(BitFault{r, e, static_cast<std::uint8_t>(j - e * m), BitFault::kFlip});
                              }
                            }
                          });
  }
  return out;
}

void UniformBitErrors::inject(Injection& inj, const PartitionView& image, std::uint64_t seed, std::uint64_t chip) const {
  for (std::uint32_t t = 0; t < image.tensor_count(); ++t) {
    const std::uint32_t r = image.region(t);
    // Dense rates hand over the sampler's window bitmaps (no list of hits); sparse ones the hits.
    if (nested_windows_are_dense(ber_)) {
      for_each_nested_window(image.rng(seed, chip, t), image.value_bits(t), ber_,
                             [&](std::uint64_t w0, std::span<const std::uint64_t> words) { inj.flip_value_words(r, w0, words); });
    } else {
      for_each_nested_block(image.rng(seed, chip, t), image.value_bits(t), ber_,
                            [&](std::span<const std::uint64_t> block) { inj.flip_value_bits(r, block); });
    }
  }
}

}  // namespace memlapse
