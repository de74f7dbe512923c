// Pipeline formats in the memory image: round trips, SEC-DED / Gray / IdxSync fault semantics,
// decode_changes for multi-structure tensors (docs/formats.md "Pipeline").
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <random>
#include <set>

#include "memlapse/core/error.h"
#include "memlapse/image/memory_image.h"

namespace memlapse {
namespace {

std::vector<float> weights(std::size_t n, std::uint32_t seed, double zero_fraction = 0.0) {
  std::mt19937 g(seed);
  std::normal_distribution<float> d(0.0f, 0.1f);
  std::bernoulli_distribution z(zero_fraction);
  std::vector<float> v(n);
  for (auto& x : v) x = z(g) ? 0.0f : d(g);
  return v;
}

MemoryImage image_of(const std::string& fmt, const std::map<std::string, std::string>& p,
                     const std::vector<std::int64_t>& shape, const std::vector<float>& v) {
  MemoryImage img(make_format(fmt, p));
  img.add_tensor("w", shape, v);
  return img;
}

std::vector<float> decoded(const MemoryImage& img, std::uint32_t t = 0) {
  std::uint64_t count = 1;
  for (auto d : img.tensor(img.regions_of(t).first).shape) count *= static_cast<std::uint64_t>(d);
  std::vector<float> out(count);
  img.read_tensor(t, out);
  return out;
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) if (std::bit_cast<std::uint32_t>(a[i]) != std::bit_cast<std::uint32_t>(b[i])) return false;
  return true;
}

// Sparse encodings are lossless: with fixed / fp16 values (a per-tensor scale that zeros do not
// change) csr and bitmask decode to exactly the dense pruned model; ECC, Gray and bits per cell
// never change the fault-free decode.
TEST(PipelineImage, SparseEncodingsEccGrayAndCellsLeaveTheFaultFreeDecodeUnchanged) {
  for (std::uint32_t seed = 1; seed <= 4; ++seed) {
    const std::vector<std::int64_t> shape = {static_cast<std::int64_t>(3 + seed), 5, 3, static_cast<std::int64_t>(seed)};
    const std::size_t n = static_cast<std::size_t>(shape[0] * 15 * shape[3]);
    const auto v = weights(n, seed, 0.1);
    for (const char* quant : {"fixed", "fp16"}) {
      const std::map<std::string, std::string> base = {{"quant", quant}, {"prune", "0.6"}};
      const auto ref = decoded(image_of("pipeline", base, shape, v));
      for (const char* sparse : {"csr", "bitmask"}) {
        for (const char* ecc : {"none", "72-64", "4kb-24"}) {
          auto p = base;
          p["sparse"] = sparse;
          p["ecc"] = ecc;
          p["gray"] = seed % 2 ? "true" : "false";
          p["bits_per_cell"] = "2";
          p["sync_block_bytes"] = "2";
          p["idxsync"] = std::string(sparse) == "bitmask" ? "true" : "false";
          if (std::string(ecc) == "4kb-24") p["parity_bpc"] = "3";
          const auto img = image_of("pipeline", p, shape, v);
          EXPECT_TRUE(same_bits(decoded(img), ref)) << quant << " " << sparse << " " << ecc << " seed " << seed;
        }
      }
    }
  }
}

TEST(PipelineImage, FixedValuesAreTheRoundedSymmetricCodesOfThePrunedTensor) {
  const auto v = weights(300, 5);
  const auto img = image_of("pipeline", {{"bits", "6"}, {"prune", "0.5"}}, {10, 30}, v);
  auto pruned = v;
  std::vector<float> mags;
  for (float x : v) mags.push_back(std::fabs(x));
  std::sort(mags.begin(), mags.end());
  double q = 0;
  for (float x : v) q = std::max(q, std::fabs(static_cast<double>(x)));
  const auto out = decoded(img);
  for (std::size_t i = 0; i < v.size(); ++i) {
    const double expect = std::fabs(v[i]) < mags[150] ? 0.0 : std::round(v[i] / (q / 31)) * (q / 31);
    EXPECT_EQ(out[i], static_cast<float>(expect)) << i;
  }
}

TEST(PipelineImage, ClusterAndBfpRoundTripThroughTheImage) {
  const auto v = weights(2000, 6, 0.2);
  const auto cl = decoded(image_of("cluster", {{"bits", "3"}}, {2000}, v));
  std::set<float> distinct(cl.begin(), cl.end());
  EXPECT_LE(distinct.size(), 8u);
  const auto pc = decoded(image_of("maxnvm", {{"bits", "3"}, {"prune", "0.5"}}, {40, 50}, v));
  for (std::size_t i = 0; i < v.size(); ++i) if (v[i] == 0.0f) { EXPECT_EQ(pc[i], 0.0f); }
  const auto b = decoded(image_of("bfp", {}, {2000}, v));
  const auto s = decoded(image_of("bfp", {{"bfp_layout", "split"}}, {2000}, v));
  EXPECT_TRUE(same_bits(b, s));
  for (std::size_t i = 0; i < v.size(); ++i) EXPECT_LE(std::fabs(b[i]), std::fabs(v[i]));  // truncation
}

TEST(PipelineImage, RegionsAreTaggedWithStructureWidthAndBitsPerCell) {
  const auto img = image_of("maxnvm", {{"prune", "0.5"}, {"ecc", "72-64"}, {"ecc_on", "bitmask"}, {"bitmask_bpc", "2"},
                                       {"indices_bpc", "4"}}, {16, 100}, weights(1600, 1));
  std::vector<std::string> tags;
  for (std::uint32_t r = 0; r < img.tensor_count(); ++r) tags.push_back(to_string(img.tensor(r).structure));
  EXPECT_EQ(tags, (std::vector<std::string>{"indices", "codebook", "bitmask", "sync_counters", "parity"}));
  EXPECT_EQ(img.word_bits(0), 4);
  EXPECT_EQ(img.bits_per_cell(0), 4);
  EXPECT_EQ(img.tensor(0).count, 800u);  // the non-zeros
  EXPECT_EQ(img.word_bits(1), 32);
  EXPECT_EQ(img.tensor(1).count, 16u);
  EXPECT_EQ(img.bits_per_cell(2), 2);
  EXPECT_EQ(img.tensor(2).count, 200u);  // 1600 mask bits in 8-bit words
  EXPECT_EQ(img.word_bits(3), 11);       // counts up to 1024 need 11 bits (1 bit per cell)
  EXPECT_EQ(img.tensor(4).count, 25u);   // 1600 bitmask bits / 64
  EXPECT_EQ(img.parameter_count(), 1u);
}

// 001 §3.3 / §4.3: SEC-DED in the pipeline corrects every single flip and detects every double
// flip of a codeword (64 data bits of the values region + its 8 check bits).
TEST(PipelineImage, SecDedCorrectsEverySingleAndDetectsEveryDoubleFlipInACodeword) {
  const auto v = weights(16, 2);
  MemoryImage img = image_of("pipeline", {{"ecc", "72-64"}}, {16}, v);
  const auto clean = decoded(img);
  ASSERT_EQ(img.tensor_count(), 3u);  // values, parity, and the scale (partition 1)
  ASSERT_EQ(img.tensor(2).structure, Structure::kScales);
  // Codeword 0: values words 0..7 (bits 0..63) and parity word 0.
  std::vector<std::pair<std::uint32_t, std::pair<std::uint64_t, int>>> bits;
  for (int b = 0; b < 64; ++b) bits.push_back({0, {static_cast<std::uint64_t>(b / 8), b % 8}});
  for (int b = 0; b < 8; ++b) bits.push_back({1, {0, b}});
  std::vector<float> out(16);
  for (const auto& [r, a] : bits) {
    img.flip_bit(r, a.first, a.second);
    const DecodeReport rep = img.decode_tensor(0, out);
    EXPECT_TRUE(same_bits(out, clean));
    EXPECT_EQ(rep.corrected, 1u);
    EXPECT_EQ(rep.detected, 0u);
    img.flip_bit(r, a.first, a.second);
  }
  for (std::size_t i = 0; i < bits.size(); ++i) {
    for (std::size_t j = i + 1; j < bits.size(); ++j) {
      img.flip_bit(bits[i].first, bits[i].second.first, bits[i].second.second);
      img.flip_bit(bits[j].first, bits[j].second.first, bits[j].second.second);
      const DecodeReport rep = img.decode_tensor(0, out);
      ASSERT_EQ(rep.detected, 1u) << i << " " << j;
      ASSERT_EQ(rep.corrected, 0u);
      img.flip_bit(bits[i].first, bits[i].second.first, bits[i].second.second);
      img.flip_bit(bits[j].first, bits[j].second.first, bits[j].second.second);
    }
  }
}

// 001 §3.3: "Gray coding is used for ECC-protected values in MLCs to enable correction": with
// Gray-coded 2-bit cells every adjacent-level fault is one data-bit error that SEC-DED corrects;
// binary cells turn the 1 <-> 2 step into a double error.
TEST(PipelineImage, GrayCodedAdjacentLevelFaultsAreCorrectableSingleBitErrors) {
  const auto v = weights(64, 3);
  for (const char* gray : {"true", "false"}) {
    MemoryImage img = image_of("pipeline", {{"ecc", "72-64"}, {"gray", gray}, {"values_bpc", "2"}}, {64}, v);
    const auto clean = decoded(img);
    std::uint64_t detected = 0;
    std::vector<float> out(64);
    for (std::uint64_t e = 0; e < 64; ++e) {
      for (int c = 0; c < 4; ++c) {
        const int lvl = img.get_bit(0, e, 2 * c) | (img.get_bit(0, e, 2 * c + 1) << 1);
        for (int next : {lvl - 1, lvl + 1}) {
          if (next < 0 || next > 3) continue;
          img.set_bit(0, e, 2 * c, next & 1);
          img.set_bit(0, e, 2 * c + 1, (next >> 1) & 1);
          const DecodeReport rep = img.decode_tensor(0, out);
          if (std::string(gray) == "true") {
            ASSERT_TRUE(same_bits(out, clean));
            ASSERT_EQ(rep.corrected, 1u);
          }
          detected += rep.detected;
          img.set_bit(0, e, 2 * c, lvl & 1);
          img.set_bit(0, e, 2 * c + 1, (lvl >> 1) & 1);
        }
      }
    }
    if (std::string(gray) == "false") { EXPECT_GT(detected, 0u); }
  }
}

std::set<std::uint64_t> changed_after_flip(MemoryImage& img, std::uint32_t region, std::uint64_t word, int bit,
                                           const std::vector<float>& clean) {
  img.flip_bit(region, word, bit);
  const std::vector<TouchedWord> touched = {{region, word}};
  std::set<std::uint64_t> changed;
  std::vector<float> model = clean;
  for (const auto& c : img.decode_changes(std::span<const TouchedWord>(touched))) {
    model[c.element] = c.value;
    changed.insert(c.element);
  }
  std::vector<float> now(clean.size());
  img.read_tensor(0, now);
  EXPECT_TRUE(same_bits(model, now)) << "decode_changes must bring the model to the faulty decode";
  img.flip_bit(region, word, bit);  // revert
  for (const auto& c : img.decode_changes(std::span<const TouchedWord>(touched))) model[c.element] = c.value;
  EXPECT_TRUE(same_bits(model, clean)) << "after revert decode_changes must restore the clean model";
  return changed;
}

// 001 §4.2: one flipped bitmask bit mis-assigns every later value of the tensor; with IdxSync
// (001 §3.3, Fig. 4) only the values of its own 128-byte block.
TEST(PipelineImage, BitmaskFlipMisassignsEveryLaterValueUnlessIdxSyncConfinesItToItsBlock) {
  const std::size_t n = 5000;
  const auto v = weights(n, 8, 0.5);
  std::vector<std::uint64_t> nonzero;
  for (std::size_t i = 0; i < n; ++i) if (v[i] != 0.0f) nonzero.push_back(i);
  for (const char* idxsync : {"false", "true"}) {
    MemoryImage img = image_of("pipeline", {{"quant", "fp16"}, {"sparse", "bitmask"}, {"idxsync", idxsync}}, {n}, v);
    const auto clean = decoded(img);
    std::uint32_t mask_region = 1;
    ASSERT_EQ(img.tensor(mask_region).structure, Structure::kBitmask);
    const std::uint64_t flip = 1100;  // element 1100: block 1 of 1024-element blocks
    const auto changed = changed_after_flip(img, mask_region, flip / 8, static_cast<int>(flip % 8), clean);
    if (std::string(idxsync) == "false") {
      for (std::uint64_t i : nonzero) if (i > flip) { ASSERT_TRUE(changed.count(i)) << "later value " << i << " not mis-assigned"; }
    } else {
      ASSERT_FALSE(changed.empty());
      for (std::uint64_t i : changed) ASSERT_TRUE(i >= 1024 && i < 2048) << "element " << i << " outside the block";
    }
  }
}

TEST(PipelineImage, DecodeChangesCoversCodebookAndRowCounterFaults) {
  const auto v = weights(600, 9, 0.3);
  MemoryImage img = image_of("pipeline", {{"quant", "cluster"}, {"bits", "2"}, {"sparse", "csr"}}, {20, 30}, v);
  const auto clean = decoded(img);
  for (std::uint32_t r = 0; r < img.tensor_count(); ++r) {
    const auto changed = changed_after_flip(img, r, 0, img.word_bits(r) - 1, clean);
    EXPECT_FALSE(changed.empty()) << to_string(img.tensor(r).structure);
  }
}

}  // namespace
}  // namespace memlapse
