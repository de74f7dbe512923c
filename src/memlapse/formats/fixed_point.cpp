#include "memlapse/formats/fixed_point.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "memlapse/core/error.h"

namespace memlapse {

FixedPointFormat::FixedPointFormat(int bits, bool round) : bits_(bits), round_(round) {
  if (bits < 2 || bits > 16) {
    throw Error("format fixed: bits = " + std::to_string(bits) + " is out of range 2..16");
  }
}

std::string FixedPointFormat::name() const {
  return "fixed" + std::to_string(bits_) + (round_ ? "" : "-trunc");
}

std::map<std::string, std::string> FixedPointFormat::params() const {
  return {{"bits", std::to_string(bits_)}, {"round", round_ ? "true" : "false"}};
}

std::int32_t FixedPointFormat::quantize(float w, double q_max) const {
  const std::int32_t k = max_code();
  if (std::isnan(w)) return 0;
  if (std::isinf(w)) return w > 0 ? k : -k;
  // w * k is exact in double (24 + 15 significant bits), so x is the correctly rounded quotient
  // w*k/q_max. Its distance to any integer or half-integer it is not equal to exceeds half an ulp
  // (both operands are floats scaled by k), so round()/trunc() of x equal those of the exact
  // rational w / Delta. fixed_point_test checks this against an exact long-double reference.
  const double x = static_cast<double>(w) * static_cast<double>(k) / q_max;
  double c = round_ ? std::round(x) : std::trunc(x);
  if (c > k) c = k;
  if (c < -k) c = -k;
  return static_cast<std::int32_t>(c);
}

void FixedPointFormat::store_code(std::int32_t code, std::uint8_t* bytes) const {
  const std::uint32_t mask = (std::uint32_t{1} << bits_) - 1u;
  const std::uint32_t pattern = static_cast<std::uint32_t>(code) & mask;
  bytes[0] = static_cast<std::uint8_t>(pattern);
  if (bits_ > 8) bytes[1] = static_cast<std::uint8_t>(pattern >> 8);
}

std::int32_t FixedPointFormat::load_code(const std::uint8_t* bytes) const {
  std::uint32_t pattern = bytes[0];
  if (bits_ > 8) pattern |= static_cast<std::uint32_t>(bytes[1]) << 8;
  const std::uint32_t mask = (std::uint32_t{1} << bits_) - 1u;
  const std::uint32_t sign = std::uint32_t{1} << (bits_ - 1);
  pattern &= mask;
  // Sign-extend the low m bits: (pattern ^ sign) - sign maps [2^(m-1), 2^m) to [-2^(m-1), 0).
  return static_cast<std::int32_t>(pattern ^ sign) - static_cast<std::int32_t>(sign);
}

TensorParams FixedPointFormat::encode(std::span<const float> values, std::span<std::uint8_t> out) const {
  const auto w = static_cast<std::size_t>(value_bytes());
  MEMLAPSE_CHECK(out.size() == values.size() * w, "fixed encode: output must hold value_bytes() per value");
  double q_max = 0.0;
  for (float v : values) {
    if (std::isfinite(v)) q_max = std::max(q_max, std::fabs(static_cast<double>(v)));
  }
  // All-zero (or all non-finite) tensor: Delta := 1 so that decoding stays finite and total.
  const double q = q_max > 0.0 ? q_max : static_cast<double>(max_code());
  for (std::size_t i = 0; i < values.size(); ++i) store_code(quantize(values[i], q), out.data() + i * w);
  TensorParams p;
  p.scale = q / static_cast<double>(max_code());  // Delta, 004 Eq. 1
  return p;
}

float FixedPointFormat::decode_one(const std::uint8_t* bytes, const TensorParams& p) const {
  return static_cast<float>(p.scale * static_cast<double>(load_code(bytes)));
}

void FixedPointFormat::decode(std::span<const std::uint8_t> in, const TensorParams& p, std::span<float> out) const {
  const auto w = static_cast<std::size_t>(value_bytes());
  MEMLAPSE_CHECK(in.size() == out.size() * w, "fixed decode: input bytes do not match the output count");
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = decode_one(in.data() + i * w, p);
}

}  // namespace memlapse
