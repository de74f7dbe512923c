#include "memlapse/formats/bfp.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace memlapse {
namespace {

// floor(log2 |x|) of a finite non-zero float (frexp: x = m 2^ex, 0.5 <= |m| < 1).
int exponent_of(float x) {
  int ex = 0;
  std::frexp(x, &ex);
  return ex - 1;
}

int field_base(const BfpSpec& spec, int tensor_exponent) { return tensor_exponent - ((1 << spec.exponent_bits) - 1); }

}  // namespace

int bfp_tensor_exponent(std::span<const float> values) {
  int top = -126;
  bool any = false;
  for (float x : values) {
    if (x == 0.0f || !std::isfinite(x)) continue;
    const int e = exponent_of(x);
    top = any ? std::max(top, e) : e;
    any = true;
  }
  return top;
}

BfpGroupCode bfp_encode_group(const BfpSpec& spec, int tensor_exponent, std::span<const float> group) {
  BfpGroupCode out;
  out.codes.resize(group.size());
  int eg = 0;
  bool any = false;
  for (float x : group) {
    if (x == 0.0f || !std::isfinite(x)) continue;
    eg = any ? std::max(eg, exponent_of(x)) : exponent_of(x);
    any = true;
  }
  const int max_field = (1 << spec.exponent_bits) - 1;
  const int base = field_base(spec, tensor_exponent);
  const int field = any ? std::clamp(eg - base, 0, max_field) : 0;
  out.exponent_field = static_cast<std::uint32_t>(field);
  const double q = std::ldexp(1.0, base + field + 1 - spec.mantissa_bits);
  const double max_m = static_cast<double>((1u << spec.mantissa_bits) - 1u);
  for (std::size_t i = 0; i < group.size(); ++i) {
    const float x = group[i];
    double a = std::isfinite(x) ? std::fabs(static_cast<double>(x)) / q : (std::isnan(x) ? 0.0 : max_m);
    a = spec.round_nearest ? std::floor(a + 0.5) : std::floor(a);
    const auto m = static_cast<std::uint32_t>(std::min(a, max_m));
    const std::uint32_t sign = (std::signbit(x) && m != 0) ? 1u : 0u;
    out.codes[i] = m | (sign << spec.mantissa_bits);
  }
  return out;
}

BfpGroupCode bfp_encode_group_reference(const BfpSpec& spec, int tensor_exponent, std::span<const float> group) {
  // |x| = sig * 2^(be - 150) for normals (sig has the implicit bit), sig * 2^-149 for subnormals.
  struct Parts { std::uint64_t sig; int scale; int log2; bool special, neg; };
  auto parts = [](float x) {
    const auto u = std::bit_cast<std::uint32_t>(x);
    const int be = static_cast<int>((u >> 23) & 0xFF);
    const std::uint64_t frac = u & 0x7FFFFF;
    Parts p{0, 0, 0, be == 255, (u >> 31) != 0};
    if (be == 0) { p.sig = frac; p.scale = -149; }
    else { p.sig = frac | 0x800000; p.scale = be - 150; }
    p.log2 = p.sig == 0 ? 0 : (63 - std::countl_zero(p.sig)) + p.scale;
    return p;
  };
  BfpGroupCode out;
  out.codes.resize(group.size());
  bool any = false;
  int eg = 0;
  for (float x : group) {
    const Parts p = parts(x);
    if (p.special || p.sig == 0) continue;
    eg = any ? std::max(eg, p.log2) : p.log2;
    any = true;
  }
  const int max_field = (1 << spec.exponent_bits) - 1;
  const int base = tensor_exponent - max_field;
  int field = any ? eg - base : 0;
  field = field < 0 ? 0 : (field > max_field ? max_field : field);
  out.exponent_field = static_cast<std::uint32_t>(field);
  const int qexp = base + field + 1 - spec.mantissa_bits;  // quantum 2^qexp
  const std::uint64_t max_m = (std::uint64_t{1} << spec.mantissa_bits) - 1;
  for (std::size_t i = 0; i < group.size(); ++i) {
    const Parts p = parts(group[i]);
    std::uint64_t m = 0;
    if (p.special) {
      m = (std::bit_cast<std::uint32_t>(group[i]) & 0x7FFFFF) != 0 ? 0 : max_m;  // NaN -> 0, inf -> max
    } else {
      const int shift = qexp - p.scale;  // m = sig / 2^shift
      if (shift <= 0) {
        m = -shift >= 40 ? max_m + 1 : p.sig << -shift;
      } else if (shift < 64) {
        m = p.sig >> shift;
        if (spec.round_nearest && ((p.sig >> (shift - 1)) & 1u)) ++m;  // the half bit: halves away from zero
      }
    }
    m = std::min(m, max_m);
    const std::uint64_t sign = (p.neg && m != 0) ? 1u : 0u;
    out.codes[i] = static_cast<std::uint32_t>(m | (sign << spec.mantissa_bits));
  }
  return out;
}

float bfp_decode_value(const BfpSpec& spec, int tensor_exponent, std::uint32_t field, std::uint32_t code) {
  const std::uint32_t m = code & ((1u << spec.mantissa_bits) - 1u);
  const bool neg = ((code >> spec.mantissa_bits) & 1u) != 0;
  const double v = std::ldexp(static_cast<double>(m),
                              field_base(spec, tensor_exponent) + static_cast<int>(field) + 1 - spec.mantissa_bits);
  return static_cast<float>(neg ? -v : v);
}

}  // namespace memlapse
