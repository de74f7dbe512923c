#include "memlapse/formats/float_formats.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

#include "memlapse/core/error.h"

namespace memlapse {

std::uint16_t float_to_fp16(float f) {
  const auto x = std::bit_cast<std::uint32_t>(f);
  const auto sign = static_cast<std::uint16_t>((x >> 16) & 0x8000u);
  const std::uint32_t exp = (x >> 23) & 0xFFu;
  std::uint32_t man = x & 0x7FFFFFu;
  if (exp == 0xFFu) {  // inf or NaN: keep the top payload bits; a NaN must stay a NaN
    std::uint32_t m = man >> 13;
    if (man != 0 && m == 0) m = 0x200u;
    return static_cast<std::uint16_t>(sign | 0x7C00u | m);
  }
  const int e = static_cast<int>(exp) - 127 + 15;
  if (e >= 31) return static_cast<std::uint16_t>(sign | 0x7C00u);  // overflow to inf
  if (e <= 0) {                                                   // subnormal half (or zero)
    if (e < -10) return sign;                                     // below half the smallest subnormal
    man |= 0x800000u;
    const int shift = 14 - e;  // value in units of 2^-24 is man24 * 2^(e-14)
    std::uint32_t h = man >> shift;
    const std::uint32_t rem = man & ((1u << shift) - 1u), half = 1u << (shift - 1);
    if (rem > half || (rem == half && (h & 1u))) ++h;  // may carry into the smallest normal: correct
    return static_cast<std::uint16_t>(sign | h);
  }
  std::uint32_t h = (static_cast<std::uint32_t>(e) << 10) | (man >> 13);
  const std::uint32_t rem = man & 0x1FFFu;
  if (rem > 0x1000u || (rem == 0x1000u && (h & 1u))) ++h;  // a carry into exponent 31 is inf: correct
  return static_cast<std::uint16_t>(sign | h);
}

float fp16_to_float(std::uint16_t h) {
  const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
  const std::uint32_t exp = (h >> 10) & 0x1Fu, man = h & 0x3FFu;
  if (exp == 0) {
    const float v = std::ldexp(static_cast<float>(man), -24);  // exact
    return std::bit_cast<float>(std::bit_cast<std::uint32_t>(v) | sign);
  }
  if (exp == 31) return std::bit_cast<float>(sign | 0x7F800000u | (man << 13));
  return std::bit_cast<float>(sign | ((exp - 15 + 127) << 23) | (man << 13));
}

std::uint16_t float_to_bf16(float f) {
  const auto x = std::bit_cast<std::uint32_t>(f);
  if ((x & 0x7F800000u) == 0x7F800000u && (x & 0x7FFFFFu) != 0) {  // NaN stays NaN
    auto b = static_cast<std::uint16_t>(x >> 16);
    if ((b & 0x7Fu) == 0) b = static_cast<std::uint16_t>(b | 0x40u);
    return b;
  }
  const std::uint32_t rounded = x + 0x7FFFu + ((x >> 16) & 1u);  // ties to even; overflow gives inf
  return static_cast<std::uint16_t>(rounded >> 16);
}

float bf16_to_float(std::uint16_t b) { return std::bit_cast<float>(static_cast<std::uint32_t>(b) << 16); }

FloatFormat::FloatFormat(FloatKind kind, Correction correction, BoundCheck check)
    : kind_(kind), correction_(correction), check_(check) {}

std::string FloatFormat::name() const {
  std::string n = kind_ == FloatKind::kFp32 ? "fp32" : (kind_ == FloatKind::kFp16 ? "fp16" : "bf16");
  if (correction_ == Correction::kZero) n += "-zero";
  if (correction_ == Correction::kSaturate) n += "-sat";
  if (correction_ != Correction::kNone && check_ == BoundCheck::kExponent) n += "-exp";
  return n;
}

std::map<std::string, std::string> FloatFormat::params() const {
  return {{"correct", correction_ == Correction::kNone ? "none" : (correction_ == Correction::kZero ? "zero" : "saturate")},
          {"check", check_ == BoundCheck::kValue ? "value" : "exponent"}};
}

namespace {
inline std::uint32_t load_le(const std::uint8_t* b, int n) {
  std::uint32_t u = 0;
  for (int i = 0; i < n; ++i) u |= static_cast<std::uint32_t>(b[i]) << (8 * i);
  return u;
}
}  // namespace

float FloatFormat::raw_value(const std::uint8_t* bytes) const {
  switch (kind_) {
    case FloatKind::kFp32: return std::bit_cast<float>(load_le(bytes, 4));
    case FloatKind::kFp16: return fp16_to_float(static_cast<std::uint16_t>(load_le(bytes, 2)));
    case FloatKind::kBf16: return bf16_to_float(static_cast<std::uint16_t>(load_le(bytes, 2)));
  }
  return 0.0f;
}

int FloatFormat::exponent_field(const std::uint8_t* bytes) const {
  switch (kind_) {
    case FloatKind::kFp32: return static_cast<int>((load_le(bytes, 4) >> 23) & 0xFFu);
    case FloatKind::kFp16: return static_cast<int>((load_le(bytes, 2) >> 10) & 0x1Fu);
    case FloatKind::kBf16: return static_cast<int>((load_le(bytes, 2) >> 7) & 0xFFu);
  }
  return 0;
}

TensorParams FloatFormat::encode(std::span<const float> values, std::span<std::uint8_t> out) const {
  const auto w = static_cast<std::size_t>(value_bytes());
  MEMLAPSE_CHECK(out.size() == values.size() * w, "float encode: output must hold value_bytes() per value");
  TensorParams p;
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  int max_exp = 0;
  for (std::size_t i = 0; i < values.size(); ++i) {
    std::uint32_t u = 0;
    switch (kind_) {
      case FloatKind::kFp32: u = std::bit_cast<std::uint32_t>(values[i]); break;
      case FloatKind::kFp16: u = float_to_fp16(values[i]); break;
      case FloatKind::kBf16: u = float_to_bf16(values[i]); break;
    }
    std::uint8_t* b = out.data() + i * w;
    for (std::size_t k = 0; k < w; ++k) b[k] = static_cast<std::uint8_t>(u >> (8 * k));
    const float stored = raw_value(b);
    if (std::isfinite(stored)) {  // bounds of the fault-free stored values (000 §3.2)
      lo = std::min<double>(lo, stored);
      hi = std::max<double>(hi, stored);
      max_exp = std::max(max_exp, exponent_field(b));
    }
  }
  p.lo = lo <= hi ? lo : 0.0;
  p.hi = lo <= hi ? hi : 0.0;
  p.max_exponent = max_exp;
  return p;
}

bool FloatFormat::implausible(const std::uint8_t* bytes, const TensorParams& p) const {
  if (correction_ == Correction::kNone) return false;
  if (check_ == BoundCheck::kExponent) return exponent_field(bytes) > p.max_exponent;
  const float v = raw_value(bytes);
  return std::isnan(v) || v < p.lo || v > p.hi;
}

float FloatFormat::decode_one(const std::uint8_t* bytes, const TensorParams& p) const {
  const float v = raw_value(bytes);
  if (!implausible(bytes, p)) return v;
  if (correction_ == Correction::kZero || std::isnan(v)) return 0.0f;
  return static_cast<float>(std::clamp<double>(v, p.lo, p.hi));  // saturate
}

}  // namespace memlapse
