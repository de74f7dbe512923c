#pragma once
// Dense bit streams: the storage of every pipeline region (docs/formats.md "Pipeline"). Bit i of a
// stream is bit i % 8 (0 = LSB) of byte i / 8; an n-bit field at bit p holds its bit 0 at p.
// Example:
//   BitWriter w;  w.put(0b101, 3);  w.put(7, 4);        // 7 bits: 1,0,1,1,1,1,0
//   std::uint64_t x = read_bits(w.bytes(), 3, 4);       // 7
#include <cstdint>
#include <span>
#include <vector>

namespace memlapse {

// Contract: the n-bit field (0 <= n <= 64) at bit `pos`; bits past the end of `bytes` read as 0.
inline std::uint64_t read_bits(std::span<const std::uint8_t> bytes, std::uint64_t pos, int n) {
  std::uint64_t v = 0;
  int got = 0;
  while (got < n) {
    const std::uint64_t byte = pos >> 3;
    const int shift = static_cast<int>(pos & 7);
    const int take = (8 - shift) < (n - got) ? (8 - shift) : (n - got);
    if (byte < bytes.size()) {
      const std::uint64_t chunk = (static_cast<std::uint64_t>(bytes[byte]) >> shift) & ((1u << take) - 1u);
      v |= chunk << got;
    }
    got += take;
    pos += static_cast<std::uint64_t>(take);
  }
  return v;
}

// Contract: writes the low n bits of v at bit `pos` (bytes must be long enough).
inline void write_bits(std::span<std::uint8_t> bytes, std::uint64_t pos, int n, std::uint64_t v) {
  for (int i = 0; i < n; ++i, ++pos) {
    const auto m = static_cast<std::uint8_t>(1u << (pos & 7));
    if ((v >> i) & 1u) bytes[pos >> 3] = static_cast<std::uint8_t>(bytes[pos >> 3] | m);
    else bytes[pos >> 3] = static_cast<std::uint8_t>(bytes[pos >> 3] & ~m);
  }
}

class BitWriter {
 public:
  // Contract: appends the low n bits (0..64) of v.
  void put(std::uint64_t v, int n) {
    bytes_.resize((bits_ + static_cast<std::uint64_t>(n) + 7) / 8, 0);
    write_bits(bytes_, bits_, n, v);
    bits_ += static_cast<std::uint64_t>(n);
  }
  std::uint64_t bit_count() const { return bits_; }
  const std::vector<std::uint8_t>& bytes() const { return bytes_; }
  std::vector<std::uint8_t> take() { return std::move(bytes_); }

 private:
  std::vector<std::uint8_t> bytes_;
  std::uint64_t bits_ = 0;
};

// Contract: the number of bits needed to write v in binary (0 for v = 0).
constexpr int bits_for(std::uint64_t v) {
  int n = 0;
  while (v != 0) { ++n; v >>= 1; }
  return n;
}
static_assert(bits_for(0) == 0 && bits_for(1) == 1 && bits_for(1024) == 11 && bits_for(255) == 8);

}  // namespace memlapse
