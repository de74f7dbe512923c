// Encoding pipeline: structures of one tensor, SEC-DED parity regions, Gray-coded cells
// (docs/formats.md "Pipeline"; 001 §3.1-§3.3, 002 §V-C).
#include "memlapse/formats/pipeline.h"

#include <algorithm>
#include <bit>

#include "memlapse/core/error.h"
#include "memlapse/encoding/secded.h"
#include "memlapse/formats/bits.h"
#include "memlapse/formats/compression.h"
#include "memlapse/formats/sparse.h"

namespace memlapse {
namespace {

// An automatic field width: enough bits for max_value, widened to a multiple of the cell size.
int auto_width(std::uint64_t max_value, int bpc) {
  const int w = std::max(1, bits_for(max_value));
  return (w + bpc - 1) / bpc * bpc;
}

std::vector<std::uint8_t> pack_fields(std::span<const std::uint32_t> v, int bits) {
  std::vector<std::uint8_t> out((v.size() * static_cast<std::uint64_t>(bits) + 7) / 8, 0);
  for (std::size_t i = 0; i < v.size(); ++i) write_bits(out, i * static_cast<std::uint64_t>(bits), bits, v[i]);
  return out;
}

// SEC-DED blocks of a region: data bits [b*d, (b+1)*d), the tail zero-padded (docs/formats.md).
std::uint64_t ecc_blocks(std::uint64_t bits, int d) { return (bits + static_cast<std::uint64_t>(d) - 1) / static_cast<std::uint64_t>(d); }

void extract_block(std::span<const std::uint8_t> region, std::uint64_t bit_count, std::uint64_t first, int d,
                   std::vector<std::uint8_t>& block) {
  block.assign(static_cast<std::size_t>((d + 7) / 8), 0);
  const std::uint64_t len = std::min<std::uint64_t>(static_cast<std::uint64_t>(d), bit_count - first);
  if (first % 8 == 0) {
    const std::uint64_t whole = len / 8;
    std::copy_n(region.begin() + static_cast<std::ptrdiff_t>(first / 8), whole, block.begin());
    if (len % 8) block[whole] = static_cast<std::uint8_t>(region[first / 8 + whole] & ((1u << (len % 8)) - 1u));
    return;
  }
  for (std::uint64_t i = 0; i < len; i += 32) {
    const int n = static_cast<int>(std::min<std::uint64_t>(32, len - i));
    write_bits(block, i, n, read_bits(region, first + i, n));
  }
}

}  // namespace

TensorParams PipelineFormat::encode(std::span<const float>, std::span<std::uint8_t>) const {
  MEMLAPSE_CHECK(false, "format " + name() + " stores several structures per tensor; encode through MemoryImage");
  return {};
}

float PipelineFormat::decode_one(const std::uint8_t*, const TensorParams&) const {
  MEMLAPSE_CHECK(false, "format " + name() + " decodes whole tensors; read through MemoryImage");
  return 0.0f;
}

void gray_cells(std::span<std::uint8_t> bits, std::uint64_t bit_count, int k, bool to_levels) {
  if (k <= 1) return;  // a 1-bit cell is its own Gray code
  const auto kk = static_cast<std::uint64_t>(k);
  for (std::uint64_t p = 0; p + kk <= bit_count; p += kk) {
    const auto v = static_cast<std::uint32_t>(read_bits(bits, p, k));
    write_bits(bits, p, k, to_levels ? gray_decode(v) : gray_encode(v));
  }
}

PipelineTensor PipelineFormat::encode_tensor(std::span<const float> values, std::span<const std::int64_t> shape) const {
  const PipelineSpec& s = spec_;
  PipelineTensor out;
  PipelineMeta& meta = out.meta;
  meta.shape.assign(shape.begin(), shape.end());
  meta.n = values.size();
  meta.rows = shape.size() >= 2 && shape[0] > 0 ? static_cast<std::uint64_t>(shape[0]) : 1;
  meta.cols = meta.rows > 0 ? meta.n / meta.rows : 0;
  MEMLAPSE_CHECK(meta.rows * meta.cols == meta.n, "pipeline: shape does not match the values");

  // 1. Prune weights (rank >= 2); biases and other rank <= 1 tensors are kept (001 §3.1.2).
  std::vector<float> w(values.begin(), values.end());
  if (s.prune > 0.0 && shape.size() >= 2) prune_by_magnitude(w, s.prune);

  // 2. The value stream: all elements, or the non-zeros in element (row-major) order.
  std::vector<bool> nonzero(meta.n);
  for (std::uint64_t i = 0; i < meta.n; ++i) nonzero[i] = w[i] != 0.0f;
  std::vector<float> stream;
  if (s.sparse == SparseKind::kNone) {
    stream = w;
  } else {
    for (std::uint64_t i = 0; i < meta.n; ++i) if (nonzero[i]) stream.push_back(w[i]);
  }
  meta.stored = stream.size();
  const bool pin_zero = s.sparse == SparseKind::kNone && s.prune > 0.0;
  ValueStream vs = encode_value_stream(s, stream, pin_zero);
  meta.scale = vs.scale;
  meta.tensor_exponent = vs.tensor_exponent;
  for (std::size_t i = 0; i < vs.regions.size(); ++i) {
    meta.regions.push_back(vs.regions[i]);
    out.bits.push_back(std::move(vs.bits[i]));
  }

  // 3. Sparse index structures.
  auto add = [&](Structure st, int word_bits, std::uint64_t count, std::vector<std::uint8_t> bits) {
    meta.regions.push_back(RegionLayout{st, word_bits, count, s.bpc_of(st), -1});
    bits.resize((count * static_cast<std::uint64_t>(word_bits) + 7) / 8, 0);
    out.bits.push_back(std::move(bits));
  };
  if (s.sparse == SparseKind::kBitmask) {
    const std::uint64_t block = s.idxsync ? 8ULL * static_cast<std::uint64_t>(s.sync_block_bytes) : 0;
    BitmaskIndex bm = bitmask_encode(nonzero, block);
    const auto mw = static_cast<std::uint64_t>(s.mask_word_bits);
    add(Structure::kBitmask, s.mask_word_bits, (meta.n + mw - 1) / mw, std::move(bm.mask));
    if (s.idxsync) {
      const int cw = auto_width(block, s.bpc_of(Structure::kSyncCounters));
      add(Structure::kSyncCounters, cw, bm.sync_counts.size(), pack_fields(bm.sync_counts, cw));
    }
  } else if (s.sparse == SparseKind::kCsr) {
    CsrIndex csr = csr_encode(nonzero, meta.rows, meta.cols);
    const std::uint32_t max_count = csr.row_counts.empty() ? 0 : *std::max_element(csr.row_counts.begin(), csr.row_counts.end());
    const std::uint32_t max_rel = csr.rel_columns.empty() ? 0 : *std::max_element(csr.rel_columns.begin(), csr.rel_columns.end());
    const int rw = auto_width(max_count, s.bpc_of(Structure::kRowCounters));
    const int cw = auto_width(max_rel, s.bpc_of(Structure::kColumnIndices));
    add(Structure::kRowCounters, rw, csr.row_counts.size(), pack_fields(csr.row_counts, rw));
    add(Structure::kColumnIndices, cw, csr.rel_columns.size(), pack_fields(csr.rel_columns, cw));
  }

  // 4. SEC-DED: one parity region per protected region, one check word per d-bit data block.
  if (s.ecc != EccKind::kNone) {
    const SecDed code(s.ecc_data_bits());
    const int d = s.ecc_data_bits();
    const std::size_t data_regions = meta.regions.size();
    std::vector<std::uint8_t> block;
    for (std::size_t r = 0; r < data_regions; ++r) {
      const RegionLayout L = meta.regions[r];
      if (!s.ecc_on[static_cast<int>(L.structure)] || L.count == 0) continue;
      const std::uint64_t nb = ecc_blocks(L.bit_count(), d);
      std::vector<std::uint32_t> checks(nb);
      for (std::uint64_t b = 0; b < nb; ++b) {
        extract_block(out.bits[r], L.bit_count(), b * static_cast<std::uint64_t>(d), d, block);
        checks[b] = static_cast<std::uint32_t>(code.encode(block));
      }
      add(Structure::kParity, s.ecc_word_bits(), nb, pack_fields(checks, s.ecc_word_bits()));
      meta.regions.back().protects = static_cast<int>(r);
    }
  }

  // 5. Gray-code the cells of every region (data and parity alike).
  if (s.gray) {
    for (std::size_t r = 0; r < meta.regions.size(); ++r) {
      gray_cells(out.bits[r], meta.regions[r].bit_count(), meta.regions[r].bits_per_cell, true);
    }
  }
  return out;
}

DecodeReport PipelineFormat::decode_tensor(const PipelineMeta& meta, std::span<const std::span<const std::uint8_t>> stored,
                                           std::span<float> out) const {
  const PipelineSpec& s = spec_;
  MEMLAPSE_CHECK(stored.size() == meta.regions.size(), "decode_tensor: one span per region");
  MEMLAPSE_CHECK(out.size() == meta.n, "decode_tensor: output size differs from the tensor");
  DecodeReport rep;
  // Working copies only where the stored bits must change (Gray, ECC correction).
  std::vector<std::vector<std::uint8_t>> work(stored.size());
  std::vector<std::span<const std::uint8_t>> view(stored.begin(), stored.end());
  auto writable = [&](std::size_t r) -> std::span<std::uint8_t> {
    if (work[r].empty()) {
      work[r].assign(stored[r].begin(), stored[r].end());
      view[r] = work[r];
    }
    return work[r];
  };
  for (std::size_t r = 0; r < meta.regions.size(); ++r) {
    MEMLAPSE_CHECK(stored[r].size() * 8 >= meta.regions[r].bit_count(), "decode_tensor: region bits too short");
    if (s.gray && meta.regions[r].bits_per_cell > 1) gray_cells(writable(r), meta.regions[r].bit_count(), meta.regions[r].bits_per_cell, false);
  }
  if (s.ecc != EccKind::kNone) {
    const SecDed code(s.ecc_data_bits());
    const int d = s.ecc_data_bits();
    std::vector<std::uint8_t> block;
    for (std::size_t p = 0; p < meta.regions.size(); ++p) {
      const RegionLayout& P = meta.regions[p];
      if (P.structure != Structure::kParity || P.protects < 0) continue;
      const auto r = static_cast<std::size_t>(P.protects);
      const RegionLayout& L = meta.regions[r];
      for (std::uint64_t b = 0; b < P.count; ++b) {
        const std::uint64_t first = b * static_cast<std::uint64_t>(d);
        extract_block(view[r], L.bit_count(), first, d, block);
        std::uint64_t check = read_bits(view[p], b * static_cast<std::uint64_t>(P.word_bits), P.word_bits);
        check &= (std::uint64_t{1} << code.check_bits()) - 1;  // bits above the check bits are unused
        const SecDedResult res = code.decode(block, check);
        if (res == SecDedResult::kDetected) ++rep.detected;
        if (res != SecDedResult::kCorrected) continue;
        ++rep.corrected;
        // Write back the corrected data bits (a flip in the padding or the check word changes none).
        const std::uint64_t len = std::min<std::uint64_t>(static_cast<std::uint64_t>(d), L.bit_count() - first);
        const std::span<std::uint8_t> dst = writable(r);
        for (std::uint64_t i = 0; i < len; i += 32) {
          const int nb = static_cast<int>(std::min<std::uint64_t>(32, len - i));
          const std::uint64_t now = read_bits(block, i, nb);
          if (now != read_bits(dst, first + i, nb)) write_bits(dst, first + i, nb, now);
        }
      }
    }
  }
  // Value stream regions come first: values/indices, then codebook or exponents.
  std::size_t nv = 1;
  if (meta.regions.size() > 1 && (meta.regions[1].structure == Structure::kCodebook || meta.regions[1].structure == Structure::kExponents)) nv = 2;
  const std::vector<float> vals = decode_value_stream(s, meta, std::span(view).subspan(0, nv), meta.stored);
  auto region_of = [&](Structure st) -> std::size_t {
    for (std::size_t r = 0; r < meta.regions.size(); ++r) if (meta.regions[r].structure == st) return r;
    MEMLAPSE_CHECK(false, std::string("decode_tensor: no ") + to_string(st) + " region");
    return 0;
  };
  auto field = [&](Structure st) {
    const std::size_t r = region_of(st);
    return FieldView{view[r], meta.regions[r].word_bits, meta.regions[r].count};
  };
  std::vector<std::int64_t> pos;
  if (s.sparse == SparseKind::kNone) {
    for (std::uint64_t i = 0; i < meta.n; ++i) out[i] = vals[i];
    return rep;
  }
  if (s.sparse == SparseKind::kBitmask) {
    const std::uint64_t block = 8ULL * static_cast<std::uint64_t>(s.sync_block_bytes);
    FieldView sync{};
    if (s.idxsync) sync = field(Structure::kSyncCounters);
    pos = bitmask_decode(view[region_of(Structure::kBitmask)], meta.n, s.idxsync ? &sync : nullptr, block, &rep.resynced);
  } else {
    pos = csr_decode(field(Structure::kRowCounters), field(Structure::kColumnIndices), meta.rows, meta.cols);
  }
  for (std::uint64_t i = 0; i < meta.n; ++i) {
    const std::int64_t p = pos[i];
    out[i] = p < 0 || static_cast<std::uint64_t>(p) >= vals.size() ? 0.0f : vals[static_cast<std::size_t>(p)];
  }
  return rep;
}

ScaleWords PipelineFormat::meta_scale_words(const PipelineMeta& meta) const {
  ScaleWords out;
  if (spec_.quant == Quant::kFixed) {
    out.words.push_back(std::bit_cast<std::uint64_t>(meta.scale));
  } else if (spec_.quant == Quant::kBfp) {
    out.word_bits = 16;  // E_top in [-149, 127] (subnormal maxima included)
    out.words.push_back(static_cast<std::uint64_t>(static_cast<std::uint16_t>(static_cast<std::int16_t>(meta.tensor_exponent))));
  }
  return out;
}

void PipelineFormat::set_meta_scale_words(std::span<const std::uint64_t> words, PipelineMeta& meta) const {
  if (spec_.quant == Quant::kFixed) {
    MEMLAPSE_CHECK(words.size() == 1, "pipeline: one scale word expected");
    meta.scale = std::bit_cast<double>(words[0]);
  } else if (spec_.quant == Quant::kBfp) {
    MEMLAPSE_CHECK(words.size() == 1, "pipeline: one tensor-exponent word expected");
    meta.tensor_exponent = static_cast<std::int16_t>(static_cast<std::uint16_t>(words[0]));
  }
}

}  // namespace memlapse
