#include "memlapse/encoding/secded.h"

#include <bit>
#include <string>

#include "memlapse/core/error.h"

namespace memlapse {

SecDed::SecDed(int data_bits) : d_(data_bits), r_(0) {
  if (data_bits < 1 || data_bits > (1 << 20)) {
    throw Error("ecc: data block of " + std::to_string(data_bits) + " bits is out of range 1..1048576");
  }
  while ((1LL << r_) < static_cast<long long>(d_) + r_ + 1) ++r_;
  position_.reserve(static_cast<std::size_t>(d_));
  for (std::uint32_t pos = 1; position_.size() < static_cast<std::size_t>(d_); ++pos) {
    if (!std::has_single_bit(pos)) position_.push_back(pos);
  }
}

std::uint32_t SecDed::syndrome_of_data(std::span<const std::uint8_t> data) const {
  MEMLAPSE_CHECK(data.size() * 8 >= static_cast<std::size_t>(d_), "secded: data block too short");
  std::uint32_t s = 0;
  for (int j = 0; j < d_; ++j) {
    if ((data[static_cast<std::size_t>(j) >> 3] >> (j & 7)) & 1u) s ^= position_[static_cast<std::size_t>(j)];
  }
  return s;
}

namespace {
int data_parity(std::span<const std::uint8_t> data, int d) {
  int p = 0;
  for (int j = 0; j < d; ++j) p ^= (data[static_cast<std::size_t>(j) >> 3] >> (j & 7)) & 1;
  return p;
}
}  // namespace

std::uint64_t SecDed::encode(std::span<const std::uint8_t> data) const {
  const std::uint64_t hamming = syndrome_of_data(data);
  const int overall = data_parity(data, d_) ^ (std::popcount(hamming) & 1);
  return hamming | (static_cast<std::uint64_t>(overall) << r_);
}

SecDedResult SecDed::decode(std::span<std::uint8_t> data, std::uint64_t& check) const {
  const std::uint64_t mask = (std::uint64_t{1} << r_) - 1;
  const auto stored = static_cast<std::uint32_t>(check & mask);
  const std::uint32_t s = syndrome_of_data(data) ^ stored;
  const int parity = data_parity(data, d_) ^ (std::popcount(check & ((mask << 1) | 1)) & 1);
  if (s == 0 && parity == 0) return SecDedResult::kClean;
  if (parity == 0) return SecDedResult::kDetected;  // even number of flips, non-zero syndrome
  if (s == 0) {                                      // the overall parity bit itself
    check ^= std::uint64_t{1} << r_;
    return SecDedResult::kCorrected;
  }
  if (std::has_single_bit(s)) {  // a Hamming check bit
    check ^= s;
    return SecDedResult::kCorrected;
  }
  // A data position: invert the position -> data index map (positions skip powers of two).
  const std::uint32_t j = s - static_cast<std::uint32_t>(std::bit_width(s)) - 1;
  if (j >= static_cast<std::uint32_t>(d_)) return SecDedResult::kDetected;  // points outside the block
  data[j >> 3] = static_cast<std::uint8_t>(data[j >> 3] ^ (1u << (j & 7)));
  return SecDedResult::kCorrected;
}

}  // namespace memlapse
