#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "memlapse/core/error.h"
#include "memlapse/core/text.h"
#include "memlapse/faults/fault_model.h"
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
  for (std::uint32_t t = 0; t < img.tensor_count(); ++t) {
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
  for (std::uint32_t t = 0; t < img.tensor_count(); ++t) {
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

TEST(Injection, DirectModelInjectionEqualsInjectingTheSampledList) {
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
          const std::string what = model->name() + " bits " + std::to_string(bits) + " p " + format_double(p);
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
