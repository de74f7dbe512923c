#include <gtest/gtest.h>

#include <random>

#include "memlapse/core/error.h"
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

}  // namespace
}  // namespace memlapse
