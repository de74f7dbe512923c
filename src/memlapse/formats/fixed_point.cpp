#include "memlapse/formats/fixed_point.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <sstream>
#include <string>

#include "memlapse/core/error.h"

namespace memlapse {

FixedPointFormat::FixedPointFormat(const FixedPointSpec& spec) : spec_(spec) {
  if (spec.bits < 2 || spec.bits > 16) {
    throw Error("format fixed: bits = " + std::to_string(spec.bits) + " is out of range 2..16");
  }
  if (!(spec.clip >= 0.0) || !std::isfinite(spec.clip)) {
    throw Error("format fixed: clip = " + std::to_string(spec.clip) + " must be a finite value >= 0 (0 = no clipping)");
  }
}

FixedPointFormat::FixedPointFormat(int bits, bool round)
    : FixedPointFormat([&] {
        FixedPointSpec s;
        s.bits = bits;
        s.round = round;
        return s;
      }()) {}

namespace {
const char* range_name(RangeGranularity r) {
  switch (r) {
    case RangeGranularity::kTensor: return "tensor";
    case RangeGranularity::kGlobal: return "global";
    case RangeGranularity::kChannel: return "channel";
  }
  return "?";
}
std::string short_double(double v) {
  std::ostringstream o;
  o.precision(6);
  o << v;
  return o.str();
}
}  // namespace

std::string FixedPointFormat::name() const {
  std::string n = "fixed" + std::to_string(spec_.bits);
  if (spec_.range != RangeGranularity::kTensor) n += std::string("-") + range_name(spec_.range);
  if (!spec_.symmetric) n += "-asym";
  if (!spec_.is_signed) n += "-unsigned";
  if (!spec_.round) n += "-trunc";
  if (spec_.clip > 0) n += "-clip" + short_double(spec_.clip);
  if (spec_.dense) n += "-dense";
  return n;
}

std::map<std::string, std::string> FixedPointFormat::params() const {
  return {{"bits", std::to_string(spec_.bits)},
          {"round", spec_.round ? "true" : "false"},
          {"range", range_name(spec_.range)},
          {"symmetric", spec_.symmetric ? "true" : "false"},
          {"signed", spec_.is_signed ? "true" : "false"},
          {"clip", short_double(spec_.clip)},
          {"layout", spec_.dense ? "dense" : "byte"}};
}

FixedPointSpec fixed_point_spec_from(const ParamValues& v) {
  FixedPointSpec s;
  s.bits = static_cast<int>(v.get_int("bits"));
  s.round = v.get_bool("round");
  constexpr RangeGranularity kRanges[] = {RangeGranularity::kTensor, RangeGranularity::kGlobal, RangeGranularity::kChannel};
  s.range = kRanges[v.get_choice("range")];
  s.symmetric = v.get_bool("symmetric");
  s.is_signed = v.get_bool("signed");
  s.clip = v.get_double("clip");
  s.dense = v.get_choice("layout") == 1;
  return s;
}

float FixedPointFormat::clipped(float v) const {
  if (spec_.clip <= 0) return v;
  const auto c = static_cast<float>(spec_.clip);
  return v > c ? c : (v < -c ? -c : v);
}

std::int32_t FixedPointFormat::quantize(float w, double q_max) const {
  const std::int32_t k = max_code();
  if (std::isnan(w)) return 0;
  if (std::isinf(w)) return w > 0 ? k : -k;
  // w * k is exact in double (24 + 15 significant bits), so x is the correctly rounded quotient
  // w*k/q_max. Its distance to any integer or half-integer it is not equal to exceeds half an ulp,
  // so round()/trunc() of x equal those of the exact rational w / Delta (checked in the tests
  // against an exact long-double reference).
  const double x = static_cast<double>(w) * static_cast<double>(k) / q_max;
  double c = spec_.round ? std::round(x) : std::trunc(x);
  if (c > k) c = k;
  if (c < -k) c = -k;
  return static_cast<std::int32_t>(c);
}

std::int32_t FixedPointFormat::quantize_asym(float w, double q_min, double q_max) const {
  const std::int32_t k = max_code();
  if (std::isnan(w)) return 0;
  if (std::isinf(w)) return w > 0 ? k : -k;
  // 004 Eq. 3 then Eq. 1 with q_max = 1: x = (2w - q_max - q_min) * k / (q_max - q_min). The
  // numerator and denominator are exact in double for floats of similar magnitude, so one
  // correctly rounded division decides round/trunc like the exact rational.
  const double num = (2.0 * static_cast<double>(w) - q_max - q_min) * static_cast<double>(k);
  const double x = num / (q_max - q_min);
  double c = spec_.round ? std::round(x) : std::trunc(x);
  if (c > k) c = k;
  if (c < -k) c = -k;
  return static_cast<std::int32_t>(c);
}

void FixedPointFormat::store_code(std::int32_t code, std::uint8_t* bytes) const {
  const std::uint32_t mask = (std::uint32_t{1} << spec_.bits) - 1u;
  const std::int32_t stored = spec_.is_signed ? code : code + max_code();  // 004 Eq. 4: + (2^(m-1) - 1)
  const std::uint32_t pattern = static_cast<std::uint32_t>(stored) & mask;
  bytes[0] = static_cast<std::uint8_t>(pattern);
  if (spec_.bits > 8) bytes[1] = static_cast<std::uint8_t>(pattern >> 8);
}

std::int32_t FixedPointFormat::load_code(const std::uint8_t* bytes) const {
  std::uint32_t pattern = bytes[0];
  if (spec_.bits > 8) pattern |= static_cast<std::uint32_t>(bytes[1]) << 8;
  const std::uint32_t mask = (std::uint32_t{1} << spec_.bits) - 1u;
  pattern &= mask;
  if (!spec_.is_signed) return static_cast<std::int32_t>(pattern) - max_code();
  const std::uint32_t sign = std::uint32_t{1} << (spec_.bits - 1);
  // Sign-extend the low m bits: (pattern ^ sign) - sign maps [2^(m-1), 2^m) to [-2^(m-1), 0).
  return static_cast<std::int32_t>(pattern ^ sign) - static_cast<std::int32_t>(sign);
}

std::pair<double, double> FixedPointFormat::encode_range(std::span<const float> values, std::uint8_t* out) const {
  const auto w = static_cast<std::size_t>(value_bytes());
  const double k = max_code();
  double lo = std::numeric_limits<double>::infinity(), hi = -lo, amax = 0.0;
  if (spec_.has_global) {
    lo = spec_.global_min;
    hi = spec_.global_max;
    amax = std::max(std::fabs(lo), std::fabs(hi));
  } else {
    for (float v : values) {
      if (!std::isfinite(v)) continue;
      const double c = clipped(v);
      lo = std::min(lo, c);
      hi = std::max(hi, c);
      amax = std::max(amax, std::fabs(c));
    }
  }
  if (spec_.symmetric) {
    // All-zero (or all non-finite) tensor: q := k so Delta = 1 and decoding stays finite.
    const double q = amax > 0.0 ? amax : k;
    for (std::size_t i = 0; i < values.size(); ++i) store_code(quantize(clipped(values[i]), q), out + i * w);
    return {q / k, 0.0};  // Delta, 004 Eq. 1
  }
  if (!(lo < hi)) {  // constant (or empty) tensor: every value is code 0 = the constant
    const double c = std::isfinite(lo) ? lo : 0.0;
    for (std::size_t i = 0; i < values.size(); ++i) store_code(0, out + i * w);
    return {1.0, c};
  }
  for (std::size_t i = 0; i < values.size(); ++i) store_code(quantize_asym(clipped(values[i]), lo, hi), out + i * w);
  return {(hi - lo) / (2.0 * k), (hi + lo) / 2.0};  // 004 Eq. 3 inverted
}

TensorParams FixedPointFormat::encode(std::span<const float> values, std::span<std::uint8_t> out) const {
  return encode_shaped(values, {}, out);
}

TensorParams FixedPointFormat::encode_shaped(std::span<const float> values, std::span<const std::int64_t> shape,
                                             std::span<std::uint8_t> out) const {
  const auto w = static_cast<std::size_t>(value_bytes());
  MEMLAPSE_CHECK(out.size() == values.size() * w, "fixed encode: output must hold value_bytes() per value");
  MEMLAPSE_CHECK(!needs_prepare(), "fixed encode: a global range needs prepared() over all tensors first");
  TensorParams p;
  if (spec_.range == RangeGranularity::kChannel && shape.size() >= 2 && shape[0] > 0 && !values.empty()) {
    const auto channels = static_cast<std::size_t>(shape[0]);
    const std::size_t per = values.size() / channels;
    MEMLAPSE_CHECK(per * channels == values.size(), "fixed encode: shape does not match the value count");
    p.channel_elements = per;
    for (std::size_t c = 0; c < channels; ++c) {
      auto [s, o] = encode_range(values.subspan(c * per, per), out.data() + c * per * w);
      p.channel_scale.push_back(s);
      p.channel_offset.push_back(o);
    }
    return p;
  }
  std::tie(p.scale, p.offset) = encode_range(values, out.data());
  return p;
}

std::shared_ptr<const Format> FixedPointFormat::prepared(std::span<const std::span<const float>> tensors) const {
  FixedPointSpec s = spec_;
  if (s.range != RangeGranularity::kGlobal) return std::make_shared<FixedPointFormat>(s);
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const auto& t : tensors) {
    for (float v : t) {
      if (!std::isfinite(v)) continue;
      lo = std::min<double>(lo, clipped(v));
      hi = std::max<double>(hi, clipped(v));
    }
  }
  if (!(lo <= hi)) lo = hi = 0.0;
  s.has_global = true;
  s.global_min = lo;
  s.global_max = hi;
  return std::make_shared<FixedPointFormat>(s);
}

ScaleWords FixedPointFormat::scale_words(const TensorParams& p) const {
  ScaleWords out;
  std::vector<std::uint64_t>& w = out.words;
  auto put = [&](double scale, double offset) {
    w.push_back(std::bit_cast<std::uint64_t>(scale));
    if (!spec_.symmetric) w.push_back(std::bit_cast<std::uint64_t>(offset));
  };
  if (p.channel_elements == 0) {
    put(p.scale, p.offset);
  } else {
    for (std::size_t c = 0; c < p.channel_scale.size(); ++c) put(p.channel_scale[c], p.channel_offset[c]);
  }
  return out;
}

void FixedPointFormat::set_scale_words(std::span<const std::uint64_t> words, TensorParams& p) const {
  const std::size_t per = spec_.symmetric ? 1 : 2;
  auto get = [&](std::size_t range, double& scale, double& offset) {
    scale = std::bit_cast<double>(words[range * per]);
    if (!spec_.symmetric) offset = std::bit_cast<double>(words[range * per + 1]);
  };
  if (p.channel_elements == 0) {
    MEMLAPSE_CHECK(words.size() == per, "fixed: scale word count does not match the tensor");
    get(0, p.scale, p.offset);
    return;
  }
  MEMLAPSE_CHECK(words.size() == per * p.channel_scale.size(), "fixed: scale word count does not match the channels");
  for (std::size_t c = 0; c < p.channel_scale.size(); ++c) get(c, p.channel_scale[c], p.channel_offset[c]);
}

float FixedPointFormat::decode_one(const std::uint8_t* bytes, const TensorParams& p) const {
  return static_cast<float>(p.offset + p.scale * static_cast<double>(load_code(bytes)));
}

float FixedPointFormat::decode_at(const std::uint8_t* bytes, std::uint64_t e, const TensorParams& p) const {
  if (p.channel_elements == 0) return decode_one(bytes, p);
  const auto c = static_cast<std::size_t>(e / p.channel_elements);
  return static_cast<float>(p.channel_offset[c] + p.channel_scale[c] * static_cast<double>(load_code(bytes)));
}

void FixedPointFormat::decode(std::span<const std::uint8_t> in, const TensorParams& p, std::span<float> out) const {
  const auto w = static_cast<std::size_t>(value_bytes());
  MEMLAPSE_CHECK(in.size() == out.size() * w, "fixed decode: input bytes do not match the output count");
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = decode_at(in.data() + i * w, i, p);
}

}  // namespace memlapse
