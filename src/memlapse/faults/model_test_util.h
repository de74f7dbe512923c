#pragma once
// Test-only helpers shared by the fault-model tests: small images with known content.
#include <string>
#include <vector>

#include "memlapse/faults/partition.h"
#include "memlapse/image/memory_image.h"

namespace memlapse::testing {

// bits = 32 stores fp32; otherwise fixed point of that width.
inline MemoryImage make_test_image(int bits, std::vector<std::uint64_t> sizes) {
  MemoryImage img(bits == 32 ? make_format("fp32", {}) : make_format("fixed", {{"bits", std::to_string(bits)}}));
  int t = 0;
  for (auto n : sizes) {
    std::vector<float> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<float>((i * 37) % 101) / 50.0f - 1.0f;
    img.add_tensor(std::string("t").append(std::to_string(t++)), {static_cast<std::int64_t>(n)}, v);
  }
  return img;
}

// Number of stored bits equal to `value` over the image.
inline std::uint64_t count_stored(const MemoryImage& img, bool value) {
  std::uint64_t n = 0;
  for (std::uint32_t t = 0; t < PartitionView(img).tensor_count(); ++t)
    for (std::uint64_t e = 0; e < img.tensor(t).count; ++e)
      for (int b = 0; b < img.word_bits(t); ++b) n += img.get_bit(t, e, b) == value;
  return n;
}

}  // namespace memlapse::testing
