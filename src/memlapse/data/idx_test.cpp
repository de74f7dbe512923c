#include "memlapse/data/idx.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>

#include "memlapse/core/error.h"

namespace memlapse {
namespace {

namespace fs = std::filesystem;

std::vector<std::uint8_t> idx_bytes(std::vector<std::uint32_t> dims, std::size_t payload, std::uint8_t fill = 7) {
  std::vector<std::uint8_t> b = {0, 0, 0x08, static_cast<std::uint8_t>(dims.size())};
  for (auto d : dims) for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<std::uint8_t>(d >> s));
  for (std::size_t i = 0; i < payload; ++i) b.push_back(static_cast<std::uint8_t>((fill + i) % 10));
  return b;
}

void write_gz(const fs::path& p, const std::vector<std::uint8_t>& b) {
  gzFile f = gzopen(p.c_str(), "wb");
  gzwrite(f, b.data(), static_cast<unsigned>(b.size()));
  gzclose(f);
}

void write_raw(const fs::path& p, const std::vector<std::uint8_t>& b) {
  std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

class IdxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("memlapse_idx_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
                                        "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  // A tiny MNIST-format directory: 5 train and 3 test images of 2x3 pixels.
  void make_dataset() {
    write_gz(dir_ / "train-images-idx3-ubyte.gz", idx_bytes({5, 2, 3}, 30, 255));
    write_gz(dir_ / "train-labels-idx1-ubyte.gz", idx_bytes({5}, 5, 0));
    write_raw(dir_ / "t10k-images-idx3-ubyte", idx_bytes({3, 2, 3}, 18));
    write_gz(dir_ / "t10k-labels-idx1-ubyte.gz", idx_bytes({3}, 3, 1));
  }
  std::string expect_error(const std::function<void()>& f) {
    try { f(); } catch (const Error& e) { return e.what(); }
    ADD_FAILURE() << "no Error thrown";
    return "";
  }
  fs::path dir_;
};

TEST_F(IdxTest, ReadsGzipAndRawIdentically) {
  auto b = idx_bytes({4, 2}, 8);
  write_gz(dir_ / "a.gz", b);
  write_raw(dir_ / "a", b);
  IdxArray g = read_idx((dir_ / "a.gz").string()), r = read_idx((dir_ / "a").string());
  EXPECT_EQ(g.dims, (std::vector<std::uint32_t>{4, 2}));
  EXPECT_EQ(g.data, r.data);
  EXPECT_EQ(g.data[3], (7 + 3) % 10);
}

TEST_F(IdxTest, MissingFileNamesThePath) {
  auto msg = expect_error([&] { read_idx((dir_ / "nope.gz").string()); });
  EXPECT_NE(msg.find("nope.gz"), std::string::npos);
  EXPECT_NE(msg.find("not found"), std::string::npos);
}

TEST_F(IdxTest, WrongMagicIsRejected) {
  auto b = idx_bytes({4}, 4);
  b[0] = 0x1f;  // not an IDX header
  write_raw(dir_ / "bad", b);
  auto msg = expect_error([&] { read_idx((dir_ / "bad").string()); });
  EXPECT_NE(msg.find("magic"), std::string::npos);
  EXPECT_NE(msg.find("bad"), std::string::npos);
}

TEST_F(IdxTest, WrongElementTypeIsRejected) {
  auto b = idx_bytes({4}, 4);
  b[2] = 0x0D;  // float
  write_raw(dir_ / "f", b);
  EXPECT_NE(expect_error([&] { read_idx((dir_ / "f").string()); }).find("type"), std::string::npos);
}

TEST_F(IdxTest, TruncatedPayloadIsRejected) {
  auto b = idx_bytes({10, 10}, 50);  // promises 100 bytes
  write_gz(dir_ / "t.gz", b);
  auto msg = expect_error([&] { read_idx((dir_ / "t.gz").string()); });
  EXPECT_NE(msg.find("truncated"), std::string::npos);
}

TEST_F(IdxTest, TruncatedGzipStreamIsRejected) {
  write_gz(dir_ / "full.gz", idx_bytes({1000}, 1000));
  std::ifstream in(dir_ / "full.gz", std::ios::binary);
  std::vector<char> all((std::istreambuf_iterator<char>(in)), {});
  all.resize(all.size() / 2);
  std::ofstream(dir_ / "half.gz", std::ios::binary).write(all.data(), static_cast<std::streamsize>(all.size()));
  auto msg = expect_error([&] { read_idx((dir_ / "half.gz").string()); });
  EXPECT_NE(msg.find("half.gz"), std::string::npos);
}

TEST_F(IdxTest, TrailingBytesAreRejected) {
  auto b = idx_bytes({2}, 3);
  write_raw(dir_ / "x", b);
  EXPECT_NE(expect_error([&] { read_idx((dir_ / "x").string()); }).find("unexpected"), std::string::npos);
}

TEST_F(IdxTest, LoadsSplitsNormalisesAndLimits) {
  make_dataset();
  DatasetSpec spec;
  spec.dir = dir_.string();
  spec.mean = 0.5f;
  spec.std = 0.25f;
  Dataset tr = load_mnist_split(spec, Split::kTrain);
  EXPECT_EQ(tr.n, 5u);
  EXPECT_EQ(tr.rows, 2u);
  EXPECT_EQ(tr.cols, 3u);
  // pixel 0 of image 0 is (255+0)%10 = 5 -> (5/255 - 0.5)/0.25
  EXPECT_FLOAT_EQ(tr.images[0], (5.0f / 255.0f - 0.5f) / 0.25f);
  EXPECT_EQ(tr.labels, (std::vector<std::int64_t>{0, 1, 2, 3, 4}));
  spec.validation = 2;
  Dataset a = load_mnist_split(spec, Split::kTrain), v = load_mnist_split(spec, Split::kValidation);
  EXPECT_EQ(a.n, 3u);
  EXPECT_EQ(v.labels, (std::vector<std::int64_t>{3, 4}));
  spec.validation = 0;
  spec.limit = 2;
  Dataset te = load_mnist_split(spec, Split::kTest);
  EXPECT_EQ(te.labels, (std::vector<std::int64_t>{1, 2}));
}

TEST_F(IdxTest, InconsistentCountsAreRejected) {
  make_dataset();
  write_gz(dir_ / "train-labels-idx1-ubyte.gz", idx_bytes({4}, 4, 0));
  DatasetSpec spec;
  spec.dir = dir_.string();
  auto msg = expect_error([&] { load_mnist_split(spec, Split::kTrain); });
  EXPECT_NE(msg.find("labels"), std::string::npos);
}

TEST_F(IdxTest, ValidationNotSmallerThanTrainingIsRejected) {
  make_dataset();
  DatasetSpec spec;
  spec.dir = dir_.string();
  spec.validation = 5;
  EXPECT_THROW(load_mnist_split(spec, Split::kTrain), Error);
}

TEST_F(IdxTest, MissingDirectoryIsNamed) {
  DatasetSpec spec;
  spec.dir = (dir_ / "absent").string();
  EXPECT_NE(expect_error([&] { load_mnist_split(spec, Split::kTest); }).find("absent"), std::string::npos);
}

TEST(SyntheticInputs, AreSeededAndRoughlyStandardNormal) {
  Dataset a = synthetic_inputs(100, 3, 8, 8, 42), b = synthetic_inputs(100, 3, 8, 8, 42), c = synthetic_inputs(100, 3, 8, 8, 43);
  EXPECT_EQ(a.images, b.images);
  EXPECT_NE(a.images, c.images);
  double s = 0, s2 = 0;
  for (float x : a.images) { s += x; s2 += double(x) * x; }
  double n = static_cast<double>(a.images.size()), mean = s / n, var = s2 / n - mean * mean;
  // 19200 samples: the mean's std is 0.0072, so |mean| < 0.04 is a > 5 sigma bound.
  EXPECT_LT(std::abs(mean), 0.04);
  EXPECT_NEAR(var, 1.0, 0.06);
}

TEST(FashionMnist, RealFilesLoadWhenInstalled) {
  if (!fs::exists(std::string(kFashionMnistDir) + "/t10k-images-idx3-ubyte.gz")) GTEST_SKIP() << "dataset-fashion-mnist not installed";
  Dataset te = load_mnist_split(DatasetSpec{}, Split::kTest);
  EXPECT_EQ(te.n, 10000u);
  EXPECT_EQ(te.rows, 28u);
  std::vector<int> counts(10, 0);
  for (auto l : te.labels) counts[static_cast<std::size_t>(l)]++;
  for (int c : counts) EXPECT_EQ(c, 1000);  // Fashion-MNIST's test set is balanced
}

}  // namespace
}  // namespace memlapse
