// Partitions: the default placement reproduces the pre-partition faults of every model bit for bit;
// each partition is sampled independently; scales are a structure of their own.
#include "memlapse/faults/partition.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <bit>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "memlapse/core/error.h"
#include "memlapse/core/rng.h"
#include "memlapse/faults/fault_model.h"
#include "memlapse/faults/model_test_util.h"
#include "memlapse/faults/test_util.h"

namespace memlapse {
namespace {

struct Golden {
  const char* image;
  std::size_t model;
  std::uint64_t chip, faults, list_hash, pass1_hash, bytes_hash, touched;
};

// The golden values come from the program below, compiled against commit bc9f37b (the last
// commit before partitions) with the same images and models, except that the two parameters
// which are now properties of the memory (dram-model1's row_bits/banks/rows_per_bank/
// interleave/offset_bits, profiled's offset_bits) were fault-model parameters then.
constexpr Golden kGolden[] = {
#include "memlapse/faults/testdata/prepartition_faults.inc"
};

std::vector<float> values(std::uint64_t n, std::uint64_t salt) {
  CounterRng r(12345, salt, 7);
  std::vector<float> v(n);
  for (std::uint64_t i = 0; i < n; ++i) v[i] = static_cast<float>(2.0 * r.uniform(i) - 1.0);
  return v;
}

MemoryImage golden_image(const std::string& which) {
  std::shared_ptr<const Format> f;
  if (which == "fixed8") f = make_format("fixed", {{"bits", "8"}});
  else if (which == "fp32") f = make_format("fp32", {});
  else if (which == "fixed4dense") f = make_format("fixed", {{"bits", "4"}, {"layout", "dense"}});
  else if (which == "rquant8chan") f = make_format("rquant", {{"bits", "8"}, {"range", "channel"}});
  else f = make_format("maxnvm", {{"prune", "0.5"}});
  MemoryImage img(f);
  const std::vector<std::vector<float>> vs = {values(256 * 192, 1), values(256, 2), values(10 * 256, 3), values(7, 4)};
  const std::vector<std::vector<std::int64_t>> shapes = {{256, 192}, {256}, {10, 256}, {7}};
  std::vector<std::span<const float>> all;
  for (const auto& v : vs) all.emplace_back(v);
  img.prepare(all);
  for (std::size_t i = 0; i < vs.size(); ++i) img.add_tensor("t" + std::to_string(i), shapes[i], vs[i]);
  return img;
}

std::uint64_t fnv(std::uint64_t h, std::uint64_t x) {
  for (int i = 0; i < 8; ++i) {
    h ^= (x >> (8 * i)) & 0xff;
    h *= 1099511628211ULL;
  }
  return h;
}

std::uint64_t hash_faults(const FaultList& f) {
  std::uint64_t h = 1469598103934665603ULL;
  for (const auto& b : f) {
    h = fnv(h, b.tensor);
    h = fnv(h, b.element);
    h = fnv(h, b.bit);
    h = fnv(h, b.kind);
  }
  return h;
}

std::uint64_t hash_bytes(std::span<const std::uint8_t> b) {
  std::uint64_t h = 1469598103934665603ULL;
  for (auto c : b) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

class PrePartitionGolden : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("memlapse_partition_golden_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "profile.json") << "{\"rows\": 16, \"cols\": 64}";
    std::vector<float> p01(16 * 64), p10(16 * 64);
    for (int i = 0; i < 16 * 64; ++i) {
      p01[static_cast<std::size_t>(i)] = (i % 7 == 0) ? 0.2f : 0.001f;
      p10[static_cast<std::size_t>(i)] = (i % 13 == 0) ? 0.1f : 0.0005f;
    }
    std::ofstream(dir_ / "flip01.f32", std::ios::binary).write(reinterpret_cast<const char*>(p01.data()), 16 * 64 * 4);
    std::ofstream(dir_ / "flip10.f32", std::ios::binary).write(reinterpret_cast<const char*>(p10.data()), 16 * 64 * 4);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(PrePartitionGolden, DefaultPlacementReproducesEveryModelBitForBit) {
  using P = std::map<std::string, std::string>;
  PhysicalLayout odd;  // the layout dram-model1's case 6 named as fault parameters before
  odd.row_bits = 4096;
  odd.banks = 4;
  odd.interleave_rows = false;
  odd.offset_bits = 100;
  odd.rows_per_bank = 3;
  PhysicalLayout shifted;
  shifted.offset_bits = 4096;
  const std::vector<std::tuple<std::string, P, PhysicalLayout>> models = {
      {"uniform", {{"ber", "1e-3"}}, {}},
      {"uniform", {{"ber", "1e-2"}}, {}},
      {"uniform", {{"ber", "1e-3"}, {"ber_01", "3e-3"}, {"stuck_at_1", "1e-4"}, {"protected_bits", "7"}}, {}},
      {"sram", {{"voltage", "0.85"}}, {}},
      {"dram-model0", {}, {}},
      {"dram-model1", {{"vdd_delta", "-0.25"}}, {}},
      {"dram-model1", {{"P_B", "0.01,0.02"}, {"F_B", "0.5"}}, odd},
      {"dram-model2", {{"weak_wordlines", "0.5"}}, {}},
      {"dram-model3", {{"trcd_delta", "-2"}}, {}},
      {"mlc-ctt", {{"bits_per_cell", "3"}}, {}},
      {"mlc-rram", {{"bits_per_cell", "4"}}, {}},
      {"edram", {{"lifetime_us", "5"}, {"temperature_c", "85"}}, {}},
      {"edram", {{"mode", "noise"}, {"noise_fraction", "0.01"}}, {}},
      {"profiled", {{"map", dir_.string()}}, shifted},
  };
  std::map<std::string, MemoryImage> images;
  std::size_t checked = 0;
  for (const Golden& g : kGolden) {
    auto it = images.find(g.image);
    if (it == images.end()) it = images.emplace(g.image, golden_image(g.image)).first;
    MemoryImage& img = it->second;
    const auto& [name, params, layout] = models.at(g.model);
    const auto m = make_fault_model(name, params);
    const PartitionView view(img, 0, layout);
    const FaultList f = m->sample(view, 7, g.chip);
    const std::string where = std::string(g.image) + " model " + std::to_string(g.model) + " chip " + std::to_string(g.chip);
    EXPECT_EQ(f.size(), g.faults) << where;
    EXPECT_EQ(hash_faults(f), g.list_hash) << where;
    EXPECT_EQ(hash_faults(m->sample_pass(view, 7, g.chip, 1)), g.pass1_hash) << where;
    const std::uint64_t clean = hash_bytes(img.bytes());
    {
      Injection inj(img, view, *m, 7, g.chip);
      EXPECT_EQ(hash_bytes(img.bytes()), g.bytes_hash) << where;
      EXPECT_EQ(inj.touched().size(), g.touched) << where;
    }
    EXPECT_EQ(hash_bytes(img.bytes()), clean) << where;
    ++checked;
  }
  EXPECT_EQ(checked, 5u * 14u * 3u);
}

// Four tensors in two partitions of a fixed8 image (regions 0, 1 in partition 0; 2, 3 in 1).
MemoryImage two_partition_image() {
  MemoryImage img = testing::make_test_image(8, {20000, 3000, 15000, 500});
  std::vector<std::uint32_t> where(img.tensor_count());
  for (std::uint32_t r = 0; r < img.tensor_count(); ++r) {
    const TensorSlot& s = img.tensor(r);
    where[r] = s.structure == Structure::kScales ? 2 : (s.tensor < 2 ? 0 : 1);
  }
  img.place(where);
  return img;
}

TEST(Partitions, FaultsStayInTheirPartitionAndCountsAreBinomial) {
  MemoryImage img = two_partition_image();
  const PartitionView p0(img, 0, {}), p1(img, 1, {});
  EXPECT_EQ(p0.tensor_count(), 2u);
  EXPECT_EQ(p1.tensor_count(), 2u);
  EXPECT_EQ(p0.total_value_bits(), 8u * 23000u);
  EXPECT_EQ(p1.total_value_bits(), 8u * 15500u);
  const auto a = make_fault_model("uniform", {{"ber", "1e-2"}});
  const auto b = make_fault_model("uniform", {{"ber", "1e-3"}});
  std::uint64_t n0 = 0, n1 = 0;
  for (std::uint64_t chip = 0; chip < 20; ++chip) {
    for (const BitFault& f : a->sample(p0, 1, chip)) {
      ASSERT_EQ(img.tensor(f.tensor).partition, 0u);
      ++n0;
    }
    for (const BitFault& f : b->sample(p1, 1, chip)) {
      ASSERT_EQ(img.tensor(f.tensor).partition, 1u);
      ++n1;
    }
  }
  EXPECT_TRUE(testing::binomial_accepts(n0, 20u * 8u * 23000u, 1e-2)) << n0;
  EXPECT_TRUE(testing::binomial_accepts(n1, 20u * 8u * 15500u, 1e-3)) << n1;
}

TEST(Partitions, AnInjectionRefusesFaultsOutsideItsPartition) {
  MemoryImage img = two_partition_image();
  const FaultList f = {BitFault{2, 5, 3, BitFault::kFlip}};  // region 2 is in partition 1
  EXPECT_THROW(Injection(img, f, 0), InternalError);
  Injection ok(img, f, 1);
  EXPECT_EQ(ok.touched().size(), 1u);
}

TEST(Partitions, EachPartitionDrawsItsOwnFaultsAndMovingATensorLeavesOthersAlone) {
  // Same content in partitions 0 and 1 of two images: different faults (the partition is part of
  // the key); moving tensor 1 from partition 0 to partition 1 changes nothing in partition 2.
  MemoryImage a = testing::make_test_image(8, {4000, 4000, 3000});
  MemoryImage b = testing::make_test_image(8, {4000, 4000, 3000});
  std::vector<std::uint32_t> wa(a.tensor_count()), wb(b.tensor_count());
  for (std::uint32_t r = 0; r < a.tensor_count(); ++r) {
    const TensorSlot& s = a.tensor(r);
    const std::uint32_t scales = 3;
    wa[r] = s.structure == Structure::kScales ? scales : (s.tensor == 2 ? 2 : 0);
    wb[r] = s.structure == Structure::kScales ? scales : (s.tensor == 2 ? 2 : s.tensor == 1 ? 1 : 0);
  }
  a.place(wa);
  b.place(wb);
  for (const char* model : {"uniform", "dram-model0"}) {
    const auto m = make_fault_model(model, model == std::string("uniform") ? std::map<std::string, std::string>{{"ber", "1e-2"}}
                                                                            : std::map<std::string, std::string>{});
    for (std::uint64_t chip = 0; chip < 4; ++chip) {
      EXPECT_EQ(m->sample(PartitionView(a, 2, {}), 9, chip), m->sample(PartitionView(b, 2, {}), 9, chip)) << model;
    }
  }
  // Tensor 0 alone in partition 0 of b, tensor 1 alone in partition 1: their uniform faults differ
  // though both are region-0-of-their-partition with equal sizes.
  const auto u = make_fault_model("uniform", {{"ber", "1e-2"}});
  const FaultList f0 = u->sample(PartitionView(b, 0, {}), 9, 0), f1 = u->sample(PartitionView(b, 1, {}), 9, 0);
  ASSERT_FALSE(f0.empty());
  std::size_t same = 0;
  for (std::size_t i = 0; i < std::min(f0.size(), f1.size()); ++i) same += f0[i].element == f1[i].element && f0[i].bit == f1[i].bit;
  EXPECT_LT(same, f0.size() / 10);
}

TEST(Scales, AreARegionOfTheirOwnAndAFaultThereChangesTheWholeTensor) {
  MemoryImage img(make_format("rquant", {{"bits", "8"}}));
  std::vector<float> v(100);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = 0.01f * static_cast<float>(i) - 0.3f;
  const std::uint32_t t = img.add_tensor("w", {100}, v);
  ASSERT_EQ(img.tensor_count(), 2u);
  const std::int64_t s = img.scales_region(t);
  ASSERT_EQ(s, 1);
  EXPECT_EQ(img.tensor(1).structure, Structure::kScales);
  EXPECT_EQ(img.tensor(1).count, 2u);  // asymmetric: scale and offset
  EXPECT_EQ(img.tensor(1).partition, kDefaultScalesPartition);
  EXPECT_EQ(img.tensor(1).word_bits, 64);
  std::vector<float> clean(100);
  img.read_tensor(t, clean);
  // The default view (partition 0) does not see the scales.
  EXPECT_EQ(PartitionView(img).tensor_count(), 1u);
  // Flip the scale's sign bit (bit 63 of word 0): every value changes, then comes back.
  const FaultList f = {BitFault{1, 0, 63, BitFault::kFlip}};
  std::vector<ElementChange> changed;
  {
    Injection inj(img, f, kDefaultScalesPartition);
    changed = img.decode_changes(inj.touched());
    ASSERT_EQ(changed.size(), 100u);
    std::size_t differ = 0;
    for (const auto& c : changed) differ += c.value != clean[c.element];
    EXPECT_GE(differ, 98u);  // all but the values whose code is 0 (value = offset)
    inj.revert();
    const auto back = img.decode_changes(inj.touched());
    ASSERT_EQ(back.size(), 100u);
    for (const auto& c : back) EXPECT_EQ(c.value, clean[c.element]);
  }
  std::vector<float> after(100);
  img.read_tensor(t, after);
  EXPECT_EQ(after, clean);
}

}  // namespace
}  // namespace memlapse
