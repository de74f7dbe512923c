// The value stream of the pipeline (docs/formats.md "Pipeline: value stream"): fixed-point
// codes, fp16 bits, cluster indices + codebook (001 §3.1.2) or BFP groups (002 §V-C).
#include <algorithm>
#include <bit>
#include <cmath>

#include "memlapse/core/error.h"
#include "memlapse/formats/bits.h"
#include "memlapse/formats/compression.h"
#include "memlapse/formats/float_formats.h"
#include "memlapse/formats/pipeline.h"

namespace memlapse {
namespace {

RegionLayout layout(const PipelineSpec& spec, Structure s, int word_bits, std::uint64_t count) {
  return RegionLayout{s, word_bits, count, spec.bpc_of(s), -1};
}

std::vector<std::uint8_t> pack(std::span<const std::uint64_t> words, int word_bits) {
  std::vector<std::uint8_t> out((words.size() * static_cast<std::uint64_t>(word_bits) + 7) / 8, 0);
  for (std::size_t i = 0; i < words.size(); ++i) write_bits(out, i * static_cast<std::uint64_t>(word_bits), word_bits, words[i]);
  return out;
}

}  // namespace

ValueStream encode_value_stream(const PipelineSpec& spec, std::span<const float> values, bool pin_zero) {
  ValueStream vs;
  const std::uint64_t n = values.size();
  std::vector<std::uint64_t> words;
  switch (spec.quant) {
    case Quant::kFixed: {
      // Symmetric signed per-tensor fixed point (004 §4.1 Eq. 1), rounded half away from zero.
      const double k = static_cast<double>((1 << (spec.bits - 1)) - 1);
      double q = 0.0;
      for (float x : values) if (std::isfinite(x)) q = std::max(q, std::fabs(static_cast<double>(x)));
      vs.scale = q > 0.0 ? q / k : 1.0;
      const std::uint64_t mask = (std::uint64_t{1} << spec.bits) - 1;
      words.resize(n);
      for (std::uint64_t i = 0; i < n; ++i) {
        const double x = std::isnan(values[i]) ? 0.0 : static_cast<double>(values[i]) / vs.scale;
        const double c = std::clamp(std::round(x), -k, k);
        words[i] = static_cast<std::uint64_t>(static_cast<std::int64_t>(c)) & mask;
      }
      vs.regions.push_back(layout(spec, Structure::kValues, spec.bits, n));
      vs.bits.push_back(pack(words, spec.bits));
      break;
    }
    case Quant::kFp16: {
      words.resize(n);
      for (std::uint64_t i = 0; i < n; ++i) words[i] = float_to_fp16(values[i]);
      vs.regions.push_back(layout(spec, Structure::kValues, 16, n));
      vs.bits.push_back(pack(words, 16));
      break;
    }
    case Quant::kCluster: {
      const int k = 1 << spec.bits;
      std::vector<float> learn;
      if (pin_zero) {
        for (float x : values) if (x != 0.0f) learn.push_back(x);
      } else {
        learn.assign(values.begin(), values.end());
      }
      const Clustering c = kmeans_cluster(learn, pin_zero ? k - 1 : k,
                                          KMeansOptions{spec.seed, spec.kmeans_iterations, 65536});
      std::vector<float> book;
      if (pin_zero) book.push_back(0.0f);
      book.insert(book.end(), c.centroids.begin(), c.centroids.end());
      words.resize(n);
      for (std::uint64_t i = 0; i < n; ++i) {
        if (pin_zero && values[i] == 0.0f) { words[i] = 0; continue; }
        const std::uint32_t a = nearest_centroid(c.centroids, values[i]);
        words[i] = a + (pin_zero ? 1u : 0u);
      }
      std::vector<std::uint64_t> book_words(book.size());
      for (std::size_t j = 0; j < book.size(); ++j) book_words[j] = std::bit_cast<std::uint32_t>(book[j]);
      vs.regions.push_back(layout(spec, Structure::kIndices, spec.bits, n));
      vs.bits.push_back(pack(words, spec.bits));
      vs.regions.push_back(layout(spec, Structure::kCodebook, 32, book.size()));
      vs.bits.push_back(pack(book_words, 32));
      break;
    }
    case Quant::kBfp: {
      const BfpSpec& b = spec.bfp;
      vs.tensor_exponent = bfp_tensor_exponent(values);
      const auto g = static_cast<std::uint64_t>(b.group);
      const std::uint64_t groups = (n + g - 1) / g;
      std::vector<std::uint64_t> exps(groups);
      std::vector<std::uint64_t> codes(n);
      for (std::uint64_t j = 0; j < groups; ++j) {
        const std::uint64_t lo = j * g, len = std::min(g, n - lo);
        const BfpGroupCode gc = bfp_encode_group(b, vs.tensor_exponent, values.subspan(lo, len));
        exps[j] = gc.exponent_field;
        for (std::uint64_t i = 0; i < len; ++i) codes[lo + i] = gc.codes[i];
      }
      if (spec.bfp_packed) {
        // Group word: exponent in bits 0..e-1, value i's code at bits e + i(1+f) (002's 58 bits).
        words.assign(groups, 0);
        for (std::uint64_t j = 0; j < groups; ++j) {
          std::uint64_t w = exps[j];
          for (std::uint64_t i = 0; i < g && j * g + i < n; ++i) {
            w |= codes[j * g + i] << (static_cast<std::uint64_t>(b.exponent_bits) + i * static_cast<std::uint64_t>(b.code_bits()));
          }
          words[j] = w;
        }
        vs.regions.push_back(layout(spec, Structure::kValues, b.group_bits(), groups));
        vs.bits.push_back(pack(words, b.group_bits()));
      } else {
        vs.regions.push_back(layout(spec, Structure::kValues, b.code_bits(), n));
        vs.bits.push_back(pack(codes, b.code_bits()));
        vs.regions.push_back(layout(spec, Structure::kExponents, b.exponent_bits, groups));
        vs.bits.push_back(pack(exps, b.exponent_bits));
      }
      break;
    }
  }
  return vs;
}

std::vector<float> decode_value_stream(const PipelineSpec& spec, const PipelineMeta& meta,
                                       std::span<const std::span<const std::uint8_t>> regions, std::uint64_t count) {
  std::vector<float> out(count);
  MEMLAPSE_CHECK(!regions.empty(), "decode_value_stream: no regions");
  const std::span<const std::uint8_t> v = regions[0];
  switch (spec.quant) {
    case Quant::kFixed: {
      const int m = spec.bits;
      for (std::uint64_t i = 0; i < count; ++i) {
        std::uint64_t w = read_bits(v, i * static_cast<std::uint64_t>(m), m);
        const std::int64_t c = (w >> (m - 1)) & 1u ? static_cast<std::int64_t>(w) - (std::int64_t{1} << m) : static_cast<std::int64_t>(w);
        out[i] = static_cast<float>(static_cast<double>(c) * meta.scale);
      }
      break;
    }
    case Quant::kFp16:
      for (std::uint64_t i = 0; i < count; ++i) out[i] = fp16_to_float(static_cast<std::uint16_t>(read_bits(v, i * 16, 16)));
      break;
    case Quant::kCluster: {
      MEMLAPSE_CHECK(regions.size() >= 2, "cluster stream needs a codebook");
      const std::uint64_t k = std::uint64_t{1} << spec.bits;
      std::vector<float> book(k);
      for (std::uint64_t j = 0; j < k; ++j) book[j] = std::bit_cast<float>(static_cast<std::uint32_t>(read_bits(regions[1], j * 32, 32)));
      for (std::uint64_t i = 0; i < count; ++i) out[i] = book[read_bits(v, i * static_cast<std::uint64_t>(spec.bits), spec.bits)];
      break;
    }
    case Quant::kBfp: {
      const BfpSpec& b = spec.bfp;
      const auto g = static_cast<std::uint64_t>(b.group);
      const auto cb = static_cast<std::uint64_t>(b.code_bits());
      const auto eb = static_cast<std::uint64_t>(b.exponent_bits);
      for (std::uint64_t i = 0; i < count; ++i) {
        const std::uint64_t j = i / g, r = i % g;
        std::uint64_t field = 0, code = 0;
        if (spec.bfp_packed) {
          const std::uint64_t base = j * static_cast<std::uint64_t>(b.group_bits());
          field = read_bits(v, base, b.exponent_bits);
          code = read_bits(v, base + eb + r * cb, b.code_bits());
        } else {
          MEMLAPSE_CHECK(regions.size() >= 2, "split BFP needs an exponents region");
          field = read_bits(regions[1], j * eb, b.exponent_bits);
          code = read_bits(v, i * cb, b.code_bits());
        }
        out[i] = bfp_decode_value(b, meta.tensor_exponent, static_cast<std::uint32_t>(field), static_cast<std::uint32_t>(code));
      }
      break;
    }
  }
  return out;
}

}  // namespace memlapse
