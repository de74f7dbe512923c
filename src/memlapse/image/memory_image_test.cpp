#include "memlapse/image/memory_image.h"

#include <gtest/gtest.h>

#include <cmath>

#include "memlapse/core/error.h"

namespace memlapse {
namespace {

std::vector<float> ramp(std::size_t n, float step) {
  std::vector<float> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = (static_cast<float>(i) - static_cast<float>(n) / 2) * step;
  return v;
}

class MemoryImageFormats : public ::testing::TestWithParam<std::map<std::string, std::string>> {
 protected:
  std::shared_ptr<const Format> make() const {
    auto p = GetParam();
    const std::string name = p["name"];
    p.erase("name");
    return make_format(name, p);
  }
};

TEST_P(MemoryImageFormats, TensorsArePackedBackToBack) {
  MemoryImage img(make());
  const auto w = static_cast<std::uint64_t>(img.format().value_bytes());
  const auto a = img.add_tensor("a", {2, 3}, ramp(6, 0.1f));
  const auto b = img.add_tensor("b", {4}, ramp(4, 0.3f));
  const auto c = img.add_tensor("empty", {0, 5}, {});
  // Three values regions in partition 0; fixed point adds one scales region per tensor after them,
  // in partition 1 (fault-free unless placed otherwise).
  EXPECT_EQ(img.regions_in(0), (std::vector<std::uint32_t>{0, 1, 2}));
  const bool scaled = img.format().scale_words(img.tensor(a).params).words.size() > 0;
  EXPECT_EQ(img.tensor_count(), scaled ? 6u : 3u);
  if (scaled) {
    for (std::uint32_t r = 3; r < 6; ++r) {
      EXPECT_EQ(img.tensor(r).structure, Structure::kScales);
      EXPECT_EQ(img.tensor(r).partition, kDefaultScalesPartition);
      EXPECT_EQ(img.tensor(r).tensor, r - 3);
      EXPECT_EQ(img.scales_region(r - 3), static_cast<std::int64_t>(r));
    }
  }
  EXPECT_EQ(img.tensor(a).byte_offset, 0u);
  EXPECT_EQ(img.tensor(b).byte_offset, 6 * w);
  EXPECT_EQ(img.tensor(c).byte_offset, 10 * w);
  EXPECT_EQ(img.tensor(b).count, 4u);
  EXPECT_EQ(img.bytes().size(), 10 * w);
  EXPECT_EQ(img.tensor_bytes(b).size(), 4 * w);
  EXPECT_EQ(img.tensor_bytes(b).data(), img.bytes().data() + 6 * w);
  const auto m = static_cast<std::uint64_t>(img.format().value_bits());
  EXPECT_EQ(img.value_bits(a), 6 * m);
  EXPECT_EQ(img.value_bits(c), 0u);
  EXPECT_EQ(img.value_bits(0) + img.value_bits(1) + img.value_bits(2), 10 * m);
  EXPECT_EQ(img.tensor(a).shape, (std::vector<std::int64_t>{2, 3}));
}

TEST_P(MemoryImageFormats, BitAddressingMatchesLittleEndianBytes) {
  MemoryImage img(make());
  img.add_tensor("a", {5}, ramp(5, 0.2f));
  const auto t = img.add_tensor("b", {7}, ramp(7, 0.05f));
  const int m = img.format().value_bits();
  const auto w = static_cast<std::uint64_t>(img.format().value_bytes());
  for (std::uint64_t e = 0; e < 7; ++e) {
    for (int bit = 0; bit < m; ++bit) {
      const std::uint64_t off = img.tensor(t).byte_offset + e * w + static_cast<std::uint64_t>(bit / 8);
      const auto mask = static_cast<std::uint8_t>(1u << (bit % 8));
      const std::vector<std::uint8_t> before(img.bytes().begin(), img.bytes().end());
      const bool v = img.get_bit(t, e, bit);
      EXPECT_EQ(v, (before[off] & mask) != 0);
      img.flip_bit(t, e, bit);
      EXPECT_EQ(img.get_bit(t, e, bit), !v);
      for (std::size_t i = 0; i < before.size(); ++i) {
        ASSERT_EQ(img.bytes()[i], i == off ? (before[i] ^ mask) : before[i]) << "byte " << i;
      }
      img.set_bit(t, e, bit, true);
      EXPECT_TRUE(img.get_bit(t, e, bit));
      img.set_bit(t, e, bit, false);
      EXPECT_FALSE(img.get_bit(t, e, bit));
      img.set_bit(t, e, bit, v);
      ASSERT_TRUE(std::equal(before.begin(), before.end(), img.bytes().begin()));
    }
  }
}

TEST_P(MemoryImageFormats, ReadEqualsFormatDecode) {
  MemoryImage img(make());
  img.add_tensor("a", {3}, ramp(3, 1.0f));
  const auto t = img.add_tensor("b", {3, 3}, ramp(9, 0.07f));
  const auto w = static_cast<std::size_t>(img.format().value_bytes());
  img.flip_bit(t, 4, img.format().value_bits() - 1);
  std::vector<float> all(9), ref(9);
  img.read_tensor(t, all);
  img.format().decode(img.tensor_bytes(t), img.tensor(t).params, ref);
  for (std::uint64_t e = 0; e < 9; ++e) {
    EXPECT_EQ(img.read(t, e), img.format().decode_one(img.tensor_bytes(t).data() + e * w, img.tensor(t).params));
    EXPECT_EQ(all[e], img.read(t, e));
    EXPECT_EQ(ref[e], all[e]);
  }
}

INSTANTIATE_TEST_SUITE_P(Formats, MemoryImageFormats,
                         ::testing::Values(std::map<std::string, std::string>{{"name", "fp32"}},
                                           std::map<std::string, std::string>{{"name", "fixed"}, {"bits", "8"}},
                                           std::map<std::string, std::string>{{"name", "fixed"}, {"bits", "3"}},
                                           std::map<std::string, std::string>{{"name", "fixed"}, {"bits", "12"}}));

TEST(MemoryImage, EncodesWithPerTensorScale) {
  MemoryImage img(make_format("fixed", {{"bits", "8"}}));
  const auto a = img.add_tensor("a", {2}, std::vector<float>{1.0f, -0.5f});
  const auto b = img.add_tensor("b", {2}, std::vector<float>{10.0f, 2.0f});
  EXPECT_DOUBLE_EQ(img.tensor(a).params.scale, 1.0 / 127);
  EXPECT_DOUBLE_EQ(img.tensor(b).params.scale, 10.0 / 127);
  EXPECT_FLOAT_EQ(img.read(a, 0), 1.0f);
  EXPECT_FLOAT_EQ(img.read(b, 0), 10.0f);
}

TEST(MemoryImage, UnusedHighBitsStayZero) {
  MemoryImage img(make_format("fixed", {{"bits", "12"}}));
  const auto t = img.add_tensor("w", {64}, ramp(64, -0.3f));
  for (std::uint64_t e = 0; e < 64; ++e) EXPECT_EQ(img.tensor_bytes(t)[2 * e + 1] & 0xF0, 0) << e;
}

TEST(MemoryImage, ShapeMismatchIsAnErrorNamingTheTensor) {
  MemoryImage img(make_format("fp32", {}));
  try {
    img.add_tensor("fc1.weight", {3, 4}, ramp(11, 1.0f));
    FAIL() << "accepted a wrong shape";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("fc1.weight"), std::string::npos) << msg;
    EXPECT_NE(msg.find("3x4"), std::string::npos) << msg;
    EXPECT_NE(msg.find("11"), std::string::npos) << msg;
  }
  EXPECT_THROW(img.add_tensor("neg", {-1, -2}, ramp(2, 1.0f)), Error);
  EXPECT_EQ(img.tensor_count(), 0u);
  EXPECT_TRUE(img.bytes().empty());
}

TEST(MemoryImageDense, ValueIOccupiesBitsIMTimesMOfItsRegion) {
  for (int m : {2, 3, 5, 7, 12}) {
    MemoryImage dense(make_format("fixed", {{"bits", std::to_string(m)}, {"layout", "dense"}}));
    MemoryImage aligned(make_format("fixed", {{"bits", std::to_string(m)}}));
    const auto v = ramp(37, 0.013f);
    dense.add_tensor("a", {37}, v);
    aligned.add_tensor("a", {37}, v);
    const auto t = dense.add_tensor("b", {5}, ramp(5, 0.2f));
    EXPECT_EQ(dense.tensor(0).byte_offset, 0u);
    EXPECT_EQ(dense.tensor(t).byte_offset, (37u * static_cast<unsigned>(m) + 7) / 8) << "regions start on bytes";
    EXPECT_EQ(dense.tensor_bytes(0).size(), (37u * static_cast<unsigned>(m) + 7) / 8);
    for (std::uint64_t e = 0; e < 37; ++e) {
      EXPECT_EQ(dense.read(0, e), aligned.read(0, e));
      for (int bit = 0; bit < m; ++bit) {
        const std::uint64_t pos = e * static_cast<std::uint64_t>(m) + static_cast<std::uint64_t>(bit);
        ASSERT_EQ(dense.physical_bit(0, e, bit), pos);
        ASSERT_EQ(dense.get_bit(0, e, bit), ((dense.bytes()[pos / 8] >> (pos % 8)) & 1u) != 0);
        ASSERT_EQ(dense.get_bit(0, e, bit), aligned.get_bit(0, e, bit)) << "same code, other layout";
      }
    }
    dense.flip_bit(0, 4, m - 1);
    aligned.flip_bit(0, 4, m - 1);
    std::vector<float> a(37), b(37);
    dense.read_tensor(0, a);
    aligned.read_tensor(0, b);
    EXPECT_EQ(a, b);
  }
}

TEST(MemoryImagePrepare, GlobalRangeNeedsPrepareAndUsesAllTensors) {
  MemoryImage img(make_format("fixed", {{"range", "global"}, {"round", "false"}}));
  const std::vector<float> a = {0.5f, -0.1f}, b = {2.0f, 1.0f};
  EXPECT_THROW(img.add_tensor("a", {2}, a), Error);
  const std::vector<std::span<const float>> all = {a, b};
  img.prepare(all);
  img.add_tensor("a", {2}, a);
  img.add_tensor("b", {2}, b);
  EXPECT_DOUBLE_EQ(img.tensor(0).params.scale, 2.0 / 127);
  EXPECT_DOUBLE_EQ(img.tensor(1).params.scale, 2.0 / 127);
  EXPECT_THROW(img.prepare(all), Error) << "prepare after add_tensor";
}

TEST(MemoryImage, BitsPerCellMustDivideTheWord) {
  MemoryImage img(make_format("fixed", {{"bits", "6"}}));
  img.add_tensor("w", {3}, ramp(3, 0.1f));
  EXPECT_EQ(img.bits_per_cell(0), 1);
  img.set_bits_per_cell(0, 3);
  EXPECT_EQ(img.bits_per_cell(0), 3);
  try {
    img.set_bits_per_cell(0, 4);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("does not divide the 6-bit word"), std::string::npos) << e.what();
  }
  EXPECT_THROW(img.set_bits_per_cell(0, 5), Error);
  EXPECT_THROW(img.set_bits_per_cell(0, 0), Error);
  EXPECT_EQ(img.tensor(0).structure, Structure::kValues);
  EXPECT_EQ(structure_from_string("bitmask"), Structure::kBitmask);
  EXPECT_THROW(structure_from_string("mask"), Error);
}

TEST(MemoryImage, DecodeChangesGivesTheTouchedElementsDecodedValues) {
  MemoryImage img(make_format("fixed", {{"bits", "8"}}));
  img.add_tensor("a", {4}, ramp(4, 0.1f));
  img.add_tensor("b", {4}, ramp(4, 0.3f));
  img.flip_bit(1, 2, 7);
  const std::vector<TouchedWord> touched = {{1, 2}};
  const auto c = img.decode_changes(std::span<const TouchedWord>(touched));
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].tensor, 1u);
  EXPECT_EQ(c[0].element, 2u);
  EXPECT_EQ(c[0].value, img.read(1, 2));
}

}  // namespace
}  // namespace memlapse
