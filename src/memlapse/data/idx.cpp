#include "memlapse/data/idx.h"

#include <zlib.h>

#include <cmath>
#include <filesystem>
#include <numbers>

#include "memlapse/core/error.h"
#include "memlapse/core/rng.h"

namespace memlapse {
namespace {

// Reads the whole (possibly gzip-compressed) file; gzread reads plain files unchanged.
std::vector<std::uint8_t> read_all(const std::string& path) {
  if (!std::filesystem::exists(path)) throw Error(path + ": file not found");
  gzFile f = gzopen(path.c_str(), "rb");
  if (f == nullptr) throw Error(path + ": cannot open for reading");
  std::vector<std::uint8_t> out;
  std::vector<std::uint8_t> buf(1 << 20);
  for (;;) {
    int n = gzread(f, buf.data(), static_cast<unsigned>(buf.size()));
    if (n < 0) {
      int code = 0;
      std::string msg = gzerror(f, &code);
      gzclose(f);
      throw Error(path + ": corrupt or truncated compressed data (" + msg + ")");
    }
    if (n == 0) break;
    out.insert(out.end(), buf.begin(), buf.begin() + n);
  }
  // A truncated gzip stream reads without error in some zlib versions: check the end state.
  int code = 0;
  const char* msg = gzerror(f, &code);
  if (code != Z_OK && code != Z_STREAM_END) {
    std::string m = msg;
    gzclose(f);
    throw Error(path + ": corrupt or truncated compressed data (" + m + ")");
  }
  int rc = gzclose(f);
  if (rc == Z_BUF_ERROR) throw Error(path + ": truncated compressed data (unexpected end of gzip stream)");
  if (rc != Z_OK) throw Error(path + ": error while reading compressed data");
  return out;
}

std::uint32_t be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

}  // namespace

IdxArray read_idx(const std::string& path) {
  std::vector<std::uint8_t> raw = read_all(path);
  if (raw.size() < 4) throw Error(path + ": too short for an IDX header (" + std::to_string(raw.size()) + " bytes)");
  if (raw[0] != 0 || raw[1] != 0) {
    throw Error(path + ": wrong magic number (expected 0x0000 then type and rank, got 0x" +
                std::to_string(raw[0]) + "," + std::to_string(raw[1]) + "): not an IDX file");
  }
  if (raw[2] != 0x08) throw Error(path + ": IDX element type 0x" + std::to_string(raw[2]) + " not supported (expected 0x08, unsigned byte)");
  const std::size_t rank = raw[3];
  if (rank == 0 || rank > 4) throw Error(path + ": IDX rank " + std::to_string(rank) + " out of range 1..4");
  const std::size_t header = 4 + 4 * rank;
  if (raw.size() < header) throw Error(path + ": truncated IDX header");
  IdxArray a;
  std::size_t total = 1;
  for (std::size_t i = 0; i < rank; ++i) {
    a.dims.push_back(be32(&raw[4 + 4 * i]));
    total *= a.dims.back();
  }
  if (raw.size() - header < total) {
    throw Error(path + ": truncated: header promises " + std::to_string(total) + " bytes of data, file has " +
                std::to_string(raw.size() - header));
  }
  if (raw.size() - header > total) {
    throw Error(path + ": " + std::to_string(raw.size() - header - total) + " unexpected bytes after the data");
  }
  a.data.assign(raw.begin() + static_cast<std::ptrdiff_t>(header), raw.end());
  return a;
}

namespace {

std::string find_file(const std::string& dir, const std::string& stem) {
  for (const char* ext : {".gz", ""}) {
    std::string p = dir + "/" + stem + ext;
    if (std::filesystem::exists(p)) return p;
  }
  throw Error(dir + "/" + stem + "[.gz]: file not found (expected an MNIST-format directory)");
}

}  // namespace

Dataset load_mnist_split(const DatasetSpec& spec, Split split) {
  if (!std::filesystem::is_directory(spec.dir)) throw Error(spec.dir + ": dataset directory not found");
  const std::string prefix = split == Split::kTest ? "t10k" : "train";
  const std::string img_path = find_file(spec.dir, prefix + "-images-idx3-ubyte");
  const std::string lbl_path = find_file(spec.dir, prefix + "-labels-idx1-ubyte");
  IdxArray img = read_idx(img_path);
  IdxArray lbl = read_idx(lbl_path);
  if (img.dims.size() != 3) throw Error(img_path + ": expected a rank-3 image array, got rank " + std::to_string(img.dims.size()));
  if (lbl.dims.size() != 1) throw Error(lbl_path + ": expected a rank-1 label array, got rank " + std::to_string(lbl.dims.size()));
  if (img.dims[0] != lbl.dims[0]) {
    throw Error(img_path + " has " + std::to_string(img.dims[0]) + " images but " + lbl_path + " has " +
                std::to_string(lbl.dims[0]) + " labels");
  }
  std::size_t begin = 0, end = img.dims[0];
  if (split != Split::kTest && spec.validation > 0) {
    if (spec.validation >= end) {
      throw Error("validation split of " + std::to_string(spec.validation) + " examples is not smaller than the " +
                  std::to_string(end) + " training examples");
    }
    if (split == Split::kTrain) end -= spec.validation; else begin = end - spec.validation;
  } else if (split == Split::kValidation) {
    throw Error("a validation split was asked for but its size is 0");
  }
  if (spec.limit > 0 && spec.limit < end - begin) end = begin + spec.limit;
  Dataset d;
  d.n = end - begin;
  d.rows = img.dims[1];
  d.cols = img.dims[2];
  d.source = img_path;
  const std::size_t px = d.rows * d.cols;
  d.images.resize(d.n * px);
  d.labels.resize(d.n);
  for (std::size_t i = 0; i < d.n; ++i) {
    const std::uint8_t* src = &img.data[(begin + i) * px];
    for (std::size_t j = 0; j < px; ++j) d.images[i * px + j] = (static_cast<float>(src[j]) / 255.0f - spec.mean) / spec.std;
    d.labels[i] = lbl.data[begin + i];
    if (d.labels[i] > 9) throw Error(lbl_path + ": label " + std::to_string(d.labels[i]) + " at index " + std::to_string(begin + i) + " out of range 0..9");
  }
  return d;
}

Dataset synthetic_inputs(std::size_t n, std::size_t c, std::size_t h, std::size_t w, std::uint64_t seed) {
  if (n == 0 || c == 0 || h == 0 || w == 0) throw Error("synthetic inputs: shape and count must be positive");
  Dataset d;
  d.n = n; d.channels = c; d.rows = h; d.cols = w;
  d.source = "synthetic(seed=" + std::to_string(seed) + ")";
  d.images.resize(n * c * h * w);
  CounterRng rng(seed, 0, 0x5EED);
  for (std::size_t i = 0; i < d.images.size(); i += 2) {
    // Box-Muller on two counter uniforms.
    double u1 = rng.uniform(i), u2 = rng.uniform(i + 1);
    double r = std::sqrt(-2.0 * std::log(u1));
    d.images[i] = static_cast<float>(r * std::cos(2 * std::numbers::pi * u2));
    if (i + 1 < d.images.size()) d.images[i + 1] = static_cast<float>(r * std::sin(2 * std::numbers::pi * u2));
  }
  return d;
}

}  // namespace memlapse
