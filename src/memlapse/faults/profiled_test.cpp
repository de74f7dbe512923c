#include "memlapse/faults/profiled.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "memlapse/core/error.h"
#include "memlapse/faults/model_test_util.h"
#include "memlapse/faults/test_util.h"

namespace memlapse {
namespace {

// A 16 x 64 profile whose column 7 flips 0->1 with probability 0.3 (column-aligned, biased to
// 0->1 like 004's chip 2) and everything else never fails.
class ProfiledErrorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("memlapse_profiled_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "profile.json") << "{\"rows\": 16, \"cols\": 64}";
    std::vector<float> p01(16 * 64, 0.0f), p10(16 * 64, 0.0f);
    for (int r = 0; r < 16; ++r) p01[r * 64 + 7] = 0.3f;
    write("flip01.f32", p01);
    write("flip10.f32", p10);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void write(const std::string& name, const std::vector<float>& v) {
    std::ofstream out(dir_ / name, std::ios::binary);
    out.write(reinterpret_cast<const char*>(v.data()), static_cast<std::streamsize>(v.size() * 4));
  }
  std::filesystem::path dir_;
};

TEST_F(ProfiledErrorsTest, TiledProbabilitiesWithOffsetAndDirection) {
  const MemoryImage img = testing::make_test_image(8, {50000});
  std::uint64_t zeros_at_bit7 = 0;
  // Column 7 of a 64-cell row is bit 7 of the first word of every 8-word group.
  for (std::uint64_t e = 0; e < 50000; e += 8) zeros_at_bit7 += !img.get_bit(0, e, 7);
  const FaultList f = make_fault_model("profiled", {{"map", dir_.string()}})->sample(img, 1, 0);
  for (const auto& b : f) {
    ASSERT_EQ(b.bit, 7);
    ASSERT_EQ(b.element % 8, 0u);
    ASSERT_FALSE(img.get_bit(b.tensor, b.element, b.bit));  // only 0->1
  }
  EXPECT_TRUE(testing::binomial_accepts(f.size(), zeros_at_bit7, 0.3));
  // Shifting the mapping by 3 cells moves the weak column onto bit 4.
  PhysicalLayout shifted;  // the partition's placement on the profiled array
  shifted.offset_bits = 3;
  const FaultList g = make_fault_model("profiled", {{"map", dir_.string()}})->sample(PartitionView(img, 0, shifted), 1, 0);
  ASSERT_FALSE(g.empty());
  for (const auto& b : g) ASSERT_EQ(b.bit, 4);
}

TEST_F(ProfiledErrorsTest, BadProfilesNameTheFile) {
  write("flip10.f32", std::vector<float>(10, 0.0f));
  try {
    make_fault_model("profiled", {{"map", dir_.string()}});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("flip10.f32"), std::string::npos);
  }
  write("flip10.f32", std::vector<float>(16 * 64, 1.5f));
  EXPECT_THROW(make_fault_model("profiled", {{"map", dir_.string()}}), Error);
  EXPECT_THROW(make_fault_model("profiled", {}), Error);
}

}  // namespace
}  // namespace memlapse
