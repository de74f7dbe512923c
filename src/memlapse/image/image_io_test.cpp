// Images on disk: byte layout of fixed point, sidecar round trips, input-file errors.
#include "memlapse/image/image_io.h"

#include <gtest/gtest.h>

#include <cmath>
#include <bit>
#include <cstdio>
#include <unistd.h>
#include <filesystem>
#include <fstream>

#include "memlapse/core/error.h"

namespace memlapse {
namespace {

std::string tmp(const std::string& leaf) {
  return (std::filesystem::temp_directory_path() / ("memlapse_image_io_" + std::to_string(::getpid()) + "_" + leaf)).string();
}

std::vector<float> values(std::size_t n) {
  std::vector<float> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = std::sin(0.37f * static_cast<float>(i)) * (i % 7 == 0 ? 2.0f : 0.3f) + 0.1f;
  return v;
}

class ImageFiles : public ::testing::TestWithParam<std::map<std::string, std::string>> {};

TEST_P(ImageFiles, DecodeOfWrittenImageEqualsImageRead) {
  auto p = GetParam();
  const std::string name = p["name"];
  p.erase("name");
  MemoryImage img(make_format(name, p));
  const auto a = values(60), b = values(21);
  const std::vector<std::span<const float>> all = {a, b};
  img.prepare(all);
  img.add_tensor("a", {6, 10}, a);
  img.add_tensor("b", {21}, b);
  img.flip_bit(0, 3, img.word_bits(0) - 1);  // a fault survives the round trip through files
  const std::string path = tmp(name + std::to_string(p.size()) + ".img");
  write_image_files(path, img);
  const auto back = decode_image_files(path, path + ".json");
  ASSERT_EQ(back.size(), 81u);
  for (std::uint64_t e = 0; e < 60; ++e) ASSERT_EQ(std::bit_cast<std::uint32_t>(back[e]), std::bit_cast<std::uint32_t>(img.read(0, e)));
  for (std::uint64_t e = 0; e < 21; ++e) ASSERT_EQ(std::bit_cast<std::uint32_t>(back[60 + e]), std::bit_cast<std::uint32_t>(img.read(1, e)));
  std::filesystem::remove(path);
  std::filesystem::remove(path + ".json");
}

INSTANTIATE_TEST_SUITE_P(
    Formats, ImageFiles,
    ::testing::Values(std::map<std::string, std::string>{{"name", "fp32"}}, std::map<std::string, std::string>{{"name", "fp16"}, {"correct", "zero"}},
                      std::map<std::string, std::string>{{"name", "bf16"}}, std::map<std::string, std::string>{{"name", "rquant"}},
                      std::map<std::string, std::string>{{"name", "normal"}, {"bits", "4"}, {"layout", "dense"}},
                      std::map<std::string, std::string>{{"name", "fixed"}, {"range", "global"}, {"bits", "12"}},
                      std::map<std::string, std::string>{{"name", "fixed"}, {"range", "channel"}, {"symmetric", "false"}},
                      std::map<std::string, std::string>{{"name", "eden-int16"}}));

// The documented layout: value i in bytes [i*w, (i+1)*w), little-endian, the stored integer code
// (two's complement for signed, offset c + 2^(m-1) - 1 for unsigned).
TEST(ImageLayout, FixedPointBytesAreTheLittleEndianCodes) {
  MemoryImage s(make_format("fixed", {{"bits", "12"}, {"round", "true"}}));
  s.add_tensor("w", {3}, std::vector<float>{2047.0f, -1.0f, 300.0f});  // Delta = 1
  const std::vector<std::uint8_t> signed_bytes = {0xFF, 0x07, 0xFF, 0x0F, 0x2C, 0x01};
  EXPECT_TRUE(std::equal(signed_bytes.begin(), signed_bytes.end(), s.bytes().begin()));
  MemoryImage u(make_format("rquant", {{"bits", "8"}}));
  u.add_tensor("w", {3}, std::vector<float>{-1.0f, 0.0f, 1.0f});  // codes -127, 0, 127 -> 0, 127, 254
  const std::vector<std::uint8_t> unsigned_bytes = {0x00, 0x7F, 0xFE};
  EXPECT_TRUE(std::equal(unsigned_bytes.begin(), unsigned_bytes.end(), u.bytes().begin()));
  EXPECT_EQ(image_sidecar(u)["regions"][0]["params"]["offset"].get<double>(), 0.0);
}

TEST(ImageFilesErrors, F32FileSizeMustBeAMultipleOfFour) {
  const std::string path = tmp("bad.f32");
  { std::ofstream(path, std::ios::binary) << "abcdefg"; }
  try {
    read_f32_file(path);
    FAIL();
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(path), std::string::npos);
    EXPECT_NE(msg.find("7 bytes is not a multiple of 4"), std::string::npos) << msg;
  }
  std::filesystem::remove(path);
  EXPECT_THROW(read_f32_file(tmp("missing.f32")), Error);
}

TEST(ImageFilesErrors, SidecarThatDoesNotMatchTheImageIsAnError) {
  MemoryImage img(make_format("fixed", {}));
  img.add_tensor("w", {4}, values(4));
  auto j = image_sidecar(img);
  std::vector<std::uint8_t> short_bytes(img.bytes().begin(), img.bytes().end() - 1);
  EXPECT_THROW(decode_image(short_bytes, j, "x.json"), Error);
  j.erase("regions");
  EXPECT_THROW(decode_image(img.bytes(), j, "x.json"), Error);
}

}  // namespace
}  // namespace memlapse

namespace memlapse {
namespace {

TEST(ImageFiles, PipelineImagesDecodeFromTheSidecarAlone) {
  std::vector<float> v(600);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = (i % 3 == 0) ? 0.0f : std::sin(0.37f * static_cast<float>(i));
  MemoryImage img(make_format("maxnvm", {{"prune", "0.5"}, {"ecc", "72-64"}, {"gray", "true"}, {"indices_bpc", "2"}}));
  img.add_tensor("a", {20, 30}, v);
  img.add_tensor("b", {7}, std::span<const float>(v).subspan(0, 7));
  std::vector<float> expect(607);
  img.read_tensor(0, std::span<float>(expect).subspan(0, 600));
  img.read_tensor(1, std::span<float>(expect).subspan(600, 7));
  const auto back = decode_image(img.bytes(), image_sidecar(img), "test");
  ASSERT_EQ(back.size(), expect.size());
  for (std::size_t i = 0; i < back.size(); ++i) EXPECT_EQ(back[i], expect[i]) << i;
}

}  // namespace
}  // namespace memlapse
