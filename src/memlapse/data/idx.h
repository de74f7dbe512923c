#pragma once
// IDX files (the MNIST format, LeCun et al.) read directly from .gz or raw, and MNIST-format
// datasets (Fashion-MNIST by default) with normalisation, deterministic subsets, a validation
// split, and seeded synthetic inputs for models without a dataset.
// Example:
//   DatasetSpec spec;                                   // Fashion-MNIST from Debian's package
//   Dataset test = load_mnist_split(spec, Split::kTest); // 10000 x 1 x 28 x 28, normalised
//   float x0 = test.images[0];
#include <cstdint>
#include <string>
#include <vector>

namespace memlapse {

// An IDX array: dims and the raw unsigned-byte payload (type 0x08 only, as MNIST uses).
struct IdxArray {
  std::vector<std::uint32_t> dims;
  std::vector<std::uint8_t> data;
};

// Contract: reads an IDX file (gzip-compressed or not, detected by its magic); throws Error
// naming the file and what was wrong (missing, not readable, bad magic, wrong type, truncated).
IdxArray read_idx(const std::string& path);

inline constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";
// Per-pixel mean and std of the Fashion-MNIST training set, for normalisation x' = (x/255-mean)/std.
inline constexpr float kFashionMnistMean = 0.2860f;
inline constexpr float kFashionMnistStd = 0.3530f;

enum class Split { kTrain, kValidation, kTest };

struct DatasetSpec {
  std::string dir = kFashionMnistDir;  // holds {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]
  std::size_t limit = 0;               // 0 = all; else the first `limit` examples of the split
  std::size_t validation = 0;          // last `validation` training examples form the validation split
  float mean = kFashionMnistMean;
  float std = kFashionMnistStd;
};

struct Dataset {
  std::size_t n = 0, channels = 1, rows = 0, cols = 0;
  std::vector<float> images;          // n * channels * rows * cols, normalised
  std::vector<std::int64_t> labels;   // n (empty for unlabelled data)
  std::string source;                 // where it came from, for results
};

// Contract: loads one split; throws Error naming the file for any I/O or format problem and
// for inconsistent image/label counts or a validation size not smaller than the training set.
Dataset load_mnist_split(const DatasetSpec& spec, Split split);

// Contract: n seeded standard-normal inputs of shape c x h x w (no labels); a pure function of
// (seed, shape, n).
Dataset synthetic_inputs(std::size_t n, std::size_t c, std::size_t h, std::size_t w, std::uint64_t seed);

}  // namespace memlapse
