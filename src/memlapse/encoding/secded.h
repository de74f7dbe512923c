#pragma once
// Hamming SEC-DED over a configurable data block (001 §3.3, §4.3): single error correct, double
// error detect. A block of d data bits gets r Hamming check bits, 2^r >= d + r + 1, plus one
// overall parity bit: (72,64) for d = 64 (r = 7); d = 32768 (a 4 KB block) needs r = 16, i.e.
// 17 check bits, stored in a 24-bit (3-byte) word: 001's "24 parity bits per 4 KB".
// Codeword positions 1..d+r: check bit i sits at position 2^i, data bits fill the other positions
// in order; the overall parity covers data and check bits. Check word layout: bits 0..r-1 = the
// Hamming bits, bit r = overall parity.
// Example:
//   SecDed code(64);                       // (72,64)
//   std::uint64_t chk = code.encode(data); // data: 8 bytes, data bit j = bit j%8 of byte j/8
//   SecDedResult r = code.decode(data, chk);   // corrects one flip anywhere, detects two
#include <cstdint>
#include <span>
#include <vector>

namespace memlapse {

enum class SecDedResult { kClean, kCorrected, kDetected };

class SecDed {
 public:
  // Contract: 1 <= data_bits <= 2^20, else Error naming the value.
  explicit SecDed(int data_bits);
  int data_bits() const { return d_; }
  // Contract: r + 1, the stored check bits per block.
  int check_bits() const { return r_ + 1; }
  // Contract: the check word of `data` (ceil(d/8) bytes; bits beyond d ignored).
  std::uint64_t encode(std::span<const std::uint8_t> data) const;
  // Contract: corrects a single flipped bit of data or check word in place and returns kCorrected;
  // kDetected for any double flip (data unchanged); kClean when the codeword is intact.
  SecDedResult decode(std::span<std::uint8_t> data, std::uint64_t& check) const;

 private:
  std::uint32_t syndrome_of_data(std::span<const std::uint8_t> data) const;
  int d_, r_;
  std::vector<std::uint32_t> position_;  // codeword position of data bit j
};

// Gray code of a k-bit cell level (001 §3.3): adjacent levels differ in exactly one bit, so a
// level-to-level fault in an MLC is a single bit error that SEC-DED corrects.
constexpr std::uint32_t gray_encode(std::uint32_t v) { return v ^ (v >> 1); }
constexpr std::uint32_t gray_decode(std::uint32_t g) {
  for (std::uint32_t s = 1; s < 32; s <<= 1) g ^= g >> s;
  return g;
}
static_assert(gray_decode(gray_encode(0b1011u)) == 0b1011u && gray_encode(3) == 2 && gray_encode(4) == 6);

}  // namespace memlapse
