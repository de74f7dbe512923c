#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <random>

#include "memlapse/core/error.h"
#include "memlapse/core/text.h"
#include "memlapse/faults/fault_model.h"
#include "memlapse/faults/simd.h"
#include "memlapse/faults/uniform.h"

namespace memlapse {
namespace {

MemoryImage make_image(int bits) {
  MemoryImage img(make_format("fixed", {{"bits", std::to_string(bits)}}));
  for (int t = 0; t < 3; ++t) {
    std::vector<float> v(static_cast<std::size_t>(100 + 50 * t));
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = std::sin(static_cast<float>(i * (t + 1)));
    img.add_tensor(std::string("t").append(std::to_string(t)), {static_cast<std::int64_t>(v.size())}, v);
  }
  return img;
}

// A sorted, unique fault list with a mix of kinds.
FaultList random_faults(const MemoryImage& img, double rate, std::uint64_t seed) {
  FaultList f = UniformBitErrors(rate).sample(img, seed, 0);
  std::mt19937 gen(static_cast<unsigned>(seed));
  for (auto& b : f) b.kind = static_cast<BitFault::Kind>(gen() % 3);
  return f;
}

class InjectionWidths : public ::testing::TestWithParam<int> {};

TEST_P(InjectionWidths, RevertRestoresEveryByteExactly) {
  MemoryImage img = make_image(GetParam());
  const std::vector<std::uint8_t> original(img.bytes().begin(), img.bytes().end());
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    const FaultList f = random_faults(img, 0.05 * static_cast<double>(seed), seed);
    {
      Injection inj(img, f);
      EXPECT_NE(std::vector<std::uint8_t>(img.bytes().begin(), img.bytes().end()), original);
      inj.revert();
      EXPECT_EQ(std::vector<std::uint8_t>(img.bytes().begin(), img.bytes().end()), original);
      inj.revert();  // idempotent
      EXPECT_EQ(std::vector<std::uint8_t>(img.bytes().begin(), img.bytes().end()), original);
    }
    { Injection inj(img, f); }  // the destructor reverts too
    EXPECT_EQ(std::vector<std::uint8_t>(img.bytes().begin(), img.bytes().end()), original);
  }
}

TEST_P(InjectionWidths, FaultyBitsReadTheirFaultValueAndOthersAreUnchanged) {
  MemoryImage img = make_image(GetParam());
  const MemoryImage clean = img;
  const FaultList f = random_faults(img, 0.1, 7);
  Injection inj(img, f);
  std::size_t next = 0;
  for (std::uint32_t t = 0; t < PartitionView(img).tensor_count(); ++t) {
    for (std::uint64_t e = 0; e < img.tensor(t).count; ++e) {
      for (int bit = 0; bit < img.format().value_bits(); ++bit) {
        const bool before = clean.get_bit(t, e, bit);
        bool want = before;
        if (next < f.size() && f[next].tensor == t && f[next].element == e && f[next].bit == bit) {
          want = f[next].kind == BitFault::kFlip ? !before : f[next].kind == BitFault::kStuckAt1;
          ++next;
        }
        ASSERT_EQ(img.get_bit(t, e, bit), want) << t << " " << e << " " << bit;
      }
    }
  }
  EXPECT_EQ(next, f.size());
}

TEST_P(InjectionWidths, TouchedListsEachChangedElementOnceInOrder) {
  MemoryImage img = make_image(GetParam());
  const MemoryImage clean = img;
  const FaultList f = random_faults(img, 0.03, 3);
  Injection inj(img, f);
  std::vector<std::pair<std::uint32_t, std::uint64_t>> changed;
  const auto w = static_cast<std::uint64_t>(img.format().value_bytes());
  for (std::uint32_t t = 0; t < PartitionView(img).tensor_count(); ++t) {
    for (std::uint64_t e = 0; e < img.tensor(t).count; ++e) {
      const std::uint64_t off = img.tensor(t).byte_offset + e * w;
      if (!std::equal(img.bytes().begin() + static_cast<std::ptrdiff_t>(off),
                      img.bytes().begin() + static_cast<std::ptrdiff_t>(off + w),
                      clean.bytes().begin() + static_cast<std::ptrdiff_t>(off))) {
        changed.emplace_back(t, e);
      }
    }
  }
  ASSERT_EQ(inj.touched().size(), changed.size());
  for (std::size_t i = 0; i < changed.size(); ++i) {
    EXPECT_EQ(inj.touched()[i].tensor, changed[i].first);
    EXPECT_EQ(inj.touched()[i].element, changed[i].second);
  }
}

INSTANTIATE_TEST_SUITE_P(Widths, InjectionWidths, ::testing::Values(3, 8, 12, 16));

TEST(Injection, StuckAtForcesTheBitAndMatchingStuckAtChangesNothing) {
  MemoryImage img(make_format("fixed", {{"bits", "8"}}));
  img.add_tensor("w", {2}, std::vector<float>{1.0f, -1.0f});  // codes 127 (0x7F) and -127 (0x81)
  const FaultList f = {{0, 0, 0, BitFault::kStuckAt1},   // already 1: no change
                       {0, 0, 7, BitFault::kStuckAt1},   // 0x7F -> 0xFF
                       {0, 1, 0, BitFault::kStuckAt0},   // 0x81 -> 0x80
                       {0, 1, 1, BitFault::kStuckAt0}};  // already 0
  Injection inj(img, f);
  EXPECT_EQ(img.bytes()[0], 0xFF);
  EXPECT_EQ(img.bytes()[1], 0x80);
  EXPECT_FLOAT_EQ(img.read(0, 0), -1.0f / 127);
  EXPECT_FLOAT_EQ(img.read(0, 1), -128.0f / 127);
  ASSERT_EQ(inj.touched().size(), 2u);
  const FaultList noop = {{0, 0, 0, BitFault::kStuckAt1}};
  inj.revert();
  Injection nothing(img, noop);
  EXPECT_TRUE(nothing.touched().empty());
  EXPECT_EQ(img.bytes()[0], 0x7F);
}

TEST(Injection, OutOfRangeFaultThrowsAndLeavesImageUntouched) {
  MemoryImage img = make_image(8);
  const std::vector<std::uint8_t> original(img.bytes().begin(), img.bytes().end());
  const FaultList bad = {{0, 0, 1, BitFault::kFlip}, {0, 5, 8, BitFault::kFlip}};
  EXPECT_THROW((Injection(img, bad)), InternalError);
  const FaultList bad_element = {{0, 0, 1, BitFault::kFlip}, {2, 200, 0, BitFault::kFlip}};
  EXPECT_THROW((Injection(img, bad_element)), InternalError);
  EXPECT_EQ(std::vector<std::uint8_t>(img.bytes().begin(), img.bytes().end()), original);
}

// Injection(image, model, seed, chip) against Injection(image, model.sample(image, seed, chip)):
// the same bytes after injection, the same touched() list, the original back after revert. The
// images span several of the sampler's windows (2^18 bits) per region and mix word widths; the
// uniform model takes its direct path, the DRAM model the default (list) one.
MemoryImage make_large_image(int bits) {
  MemoryImage img(bits == 32 ? make_format("fp32", {}) : make_format("fixed", {{"bits", std::to_string(bits)}}));
  for (const std::size_t n : {std::size_t{1}, std::size_t{70001}, std::size_t{33}, std::size_t{40000}}) {
    std::vector<float> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = std::sin(static_cast<float>(i) * 0.37f);
    img.add_tensor(std::string("t").append(std::to_string(img.tensor_count())), {static_cast<std::int64_t>(n)}, v);
  }
  return img;
}

// Runs f with the AVX-512 kernels on (where this CPU has them) and off.
template <class F>
void with_and_without_simd(F&& f) {
  const bool was = set_simd_kernels(true);
  f("simd " + std::string(simd_kernels_enabled() ? "on" : "unavailable"));
  set_simd_kernels(false);
  f(std::string("simd off"));
  set_simd_kernels(was);
}

TEST(Injection, DirectModelInjectionEqualsInjectingTheSampledList) {
  with_and_without_simd([](const std::string& mode) {
  for (const int bits : {3, 8, 12, 16, 32}) {
    const MemoryImage clean = make_large_image(bits);
    for (const double p : {1e-5, 3e-3, 0.01, 0.3, 0.9, 1.0}) {
      const UniformBitErrors uniform(p);
      const auto dram = make_fault_model("dram-model0", {{"P", format_double(std::min(1.0, 2 * p))}, {"F_A", "0.5"}});
      for (const FaultModel* model : {static_cast<const FaultModel*>(&uniform), static_cast<const FaultModel*>(dram.get())}) {
        for (std::uint64_t chip : {0u, 5u}) {
          MemoryImage a = clean, b = clean;
          const FaultList list = model->sample(a, 11, chip);
          Injection ia(a, list);
          Injection ib(b, *model, 11, chip);
          const std::string what = mode + " " + model->name() + " bits " + std::to_string(bits) + " p " + format_double(p);
          ASSERT_EQ(ia.fault_count(), list.size()) << what;
          ASSERT_EQ(ib.fault_count(), list.size()) << what;  // the campaign's faults/chip column
          ASSERT_TRUE(std::equal(a.bytes().begin(), a.bytes().end(), b.bytes().begin(), b.bytes().end())) << what;
          ASSERT_EQ(ia.touched().size(), ib.touched().size()) << what;
          for (std::size_t i = 0; i < ia.touched().size(); ++i) {
            ASSERT_EQ(ia.touched()[i].tensor, ib.touched()[i].tensor) << what << " " << i;
            ASSERT_EQ(ia.touched()[i].element, ib.touched()[i].element) << what << " " << i;
          }
          if (p >= 3e-3) {
            EXPECT_FALSE(ib.touched().empty()) << what;
          }
          ib.revert();
          EXPECT_TRUE(std::equal(b.bytes().begin(), b.bytes().end(), clean.bytes().begin(), clean.bytes().end())) << what;
        }
      }
    }
  }
  });
}

// Random 64-bit masks of density ~q over value bits [first, first + 64 * words) of region t, the
// bits at or past the region's end cleared.
std::vector<std::uint64_t> random_words(const MemoryImage& img, std::uint32_t t, std::uint64_t first, std::size_t words,
                                        double q, unsigned seed) {
  std::mt19937_64 gen(seed);
  std::bernoulli_distribution on(q);
  std::vector<std::uint64_t> out(words, 0);
  for (std::size_t w = 0; w < words; ++w) {
    for (int i = 0; i < 64; ++i) {
      if (first + 64 * w + static_cast<std::uint64_t>(i) < img.value_bits(t) && on(gen)) out[w] |= std::uint64_t{1} << i;
    }
  }
  return out;
}

// flip_value_words against flip_value_bits with the same bits, per region: bytes, touched(),
// fault_count() and the revert. Regions end mid-word (the per-bit tail) and the 3- and 12-bit
// images take the per-bit path throughout; the rest take the word kernels, with and without SIMD.
TEST(Injection, FlipValueWordsEqualsFlipValueBits) {
  with_and_without_simd([](const std::string& mode) {
    for (const int bits : {3, 8, 12, 16, 32}) {
      const MemoryImage clean = make_large_image(bits);
      for (const double q : {0.002, 0.05, 0.6}) {
        MemoryImage a = clean, b = clean;
        Injection ia(a, FaultList{}), ib(b, FaultList{});
        std::size_t flips = 0;
        for (std::uint32_t t = 0; t < PartitionView(clean).tensor_count(); ++t) {
          // Two calls per region: [0, 64 * k) and the rest (ending past the region's last bit).
          const std::uint64_t nwords = (clean.value_bits(t) + 63) / 64, k = nwords / 3;
          for (const auto& [first_word, count] : {std::pair{std::uint64_t{0}, k}, std::pair{k, nwords - k}}) {
            const auto words = random_words(clean, t, 64 * first_word, static_cast<std::size_t>(count), q, 17 + t);
            std::vector<std::uint64_t> list;
            for (std::size_t w = 0; w < words.size(); ++w) {
              for (std::uint64_t x = words[w]; x != 0; x &= x - 1) list.push_back(64 * (first_word + w) + std::countr_zero(x));
            }
            flips += list.size();
            ia.flip_value_words(t, 64 * first_word, words);
            ib.flip_value_bits(t, list);
          }
        }
        const std::string what = mode + " bits " + std::to_string(bits) + " q " + format_double(q);
        ASSERT_GT(flips, 0u) << what;
        EXPECT_EQ(ia.fault_count(), flips) << what;
        EXPECT_EQ(ib.fault_count(), flips) << what;
        ASSERT_TRUE(std::equal(a.bytes().begin(), a.bytes().end(), b.bytes().begin(), b.bytes().end())) << what;
        ASSERT_EQ(ia.touched().size(), ib.touched().size()) << what;
        for (std::size_t i = 0; i < ia.touched().size(); ++i) {
          ASSERT_EQ(ia.touched()[i].tensor, ib.touched()[i].tensor) << what << " " << i;
          ASSERT_EQ(ia.touched()[i].element, ib.touched()[i].element) << what << " " << i;
        }
        ia.revert();
        EXPECT_TRUE(std::equal(a.bytes().begin(), a.bytes().end(), clean.bytes().begin(), clean.bytes().end())) << what;
      }
    }
  });
}

TEST(Injection, FlipValueWordsRejectsBitsOutsideTheRegionOrOutOfOrder) {
  const MemoryImage clean = make_large_image(8);
  MemoryImage img = clean;
  auto unchanged = [&] { return std::equal(img.bytes().begin(), img.bytes().end(), clean.bytes().begin(), clean.bytes().end()); };
  {
    // Region 1 has 70001 8-bit words = 560008 bits: bit 560008 is the first outside.
    Injection inj(img, FaultList{});
    inj.flip_value_words(1, 0, std::vector<std::uint64_t>{0xF0F0});
    std::vector<std::uint64_t> past(2, 0);
    past[1] = std::uint64_t{1} << 8;  // words from bit 559936 (= 64 * 8749): bit 560008 is word 1, bit 8
    EXPECT_THROW(inj.flip_value_words(1, 559936, past), InternalError);
    EXPECT_TRUE(unchanged());
  }
  {
    Injection inj(img, FaultList{});
    EXPECT_THROW(inj.flip_value_words(1, 32, std::vector<std::uint64_t>{1}), InternalError);  // not a multiple of 64
    inj.flip_value_words(1, 6400, std::vector<std::uint64_t>{1});
    EXPECT_THROW(inj.flip_value_words(1, 0, std::vector<std::uint64_t>{1}), InternalError);  // before an earlier call
    EXPECT_TRUE(unchanged());
  }
}

TEST(Injection, ImagesWithMoreTensorsThanTouchedCanNameAreRejected) {
  MemoryImage img(make_format("fixed", {{"bits", "8"}}));
  const std::vector<float> one = {0.5f};
  for (std::uint32_t t = 0; t <= 65536; ++t) img.add_tensor(std::string("t").append(std::to_string(t)), {1}, one);
  try {
    Injection inj(img, FaultList{});
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("65537 in partition 0"), std::string::npos) << e.what();
  }
}

TEST(Injection, FlipValueBitsOutsideTheRegionThrowsAndRevertsEverything) {
  MemoryImage img = make_image(8);
  const std::vector<std::uint8_t> original(img.bytes().begin(), img.bytes().end());
  Injection inj(img, FaultList{});
  const std::vector<std::uint64_t> ok = {0, 9, 17}, bad = {3, 100 * 8};
  inj.flip_value_bits(0, ok);
  EXPECT_EQ(inj.touched().size(), 3u);
  EXPECT_THROW(inj.flip_value_bits(0, bad), InternalError);
  EXPECT_EQ(std::vector<std::uint8_t>(img.bytes().begin(), img.bytes().end()), original);
}

}  // namespace
}  // namespace memlapse
