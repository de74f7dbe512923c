// Encode / decode throughput of every registered format on a 10M-value tensor (the memory image
// path: MemoryImage::add_tensor and read_tensor, so dense packing is included). Pipeline formats
// (BFP, clustering, CSR, BitMask/IdxSync, SEC-DED, Gray) decode whole tensors with correction.
#include <benchmark/benchmark.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "memlapse/image/memory_image.h"

namespace {

using memlapse::MemoryImage;
constexpr std::size_t kValues = 10'000'000;
constexpr int kCases = 19;  // cases().size(), checked in BM_Encode

const std::vector<float>& tensor() {
  static const std::vector<float> v = [] {
    std::vector<float> x(kValues);
    std::uint64_t s = 12345;
    for (auto& e : x) {
      s = s * 6364136223846793005ULL + 1442695040888963407ULL;
      e = (static_cast<float>(s >> 40) / 16777216.0f - 0.5f) * 0.2f;
    }
    return x;
  }();
  return v;
}

struct Case {
  const char* label;
  const char* name;
  std::map<std::string, std::string> params;
};
const std::vector<Case>& cases() {
  static const std::vector<Case> c = {
      {"fp32", "fp32", {}},
      {"fp16", "fp16", {}},
      {"bf16", "bf16", {}},
      {"fp16-zero", "fp16", {{"correct", "zero"}}},
      {"fixed8", "fixed", {}},
      {"normal8", "normal", {}},
      {"rquant8", "rquant", {}},
      {"rquant4-dense", "rquant", {{"bits", "4"}, {"layout", "dense"}}},
      {"fixed8-channel", "fixed", {{"range", "channel"}}},
      {"eden-int16", "eden-int16", {}},
      // Issue #3 pipeline formats (docs/formats.md "Pipeline").
      {"bfp-9x4e5m", "bfp", {}},
      {"bfp-split", "bfp", {{"bfp_layout", "split"}}},
      {"cluster4", "cluster", {{"kmeans_iterations", "10"}}},
      {"fixed8-p0.8-csr", "pipeline", {{"prune", "0.8"}, {"sparse", "csr"}}},
      {"fixed8-p0.8-bitmask", "pipeline", {{"prune", "0.8"}, {"sparse", "bitmask"}}},
      {"fixed8-p0.8-bitmask-idxsync", "pipeline", {{"prune", "0.8"}, {"sparse", "bitmask"}, {"idxsync", "true"}}},
      {"fixed8-ecc72-64-gray-mlc2", "pipeline", {{"ecc", "72-64"}, {"gray", "true"}, {"bits_per_cell", "2"}}},
      {"fixed8-ecc4kb-24", "pipeline", {{"ecc", "4kb-24"}}},
      {"maxnvm-p0.8-c4-bm-sync-ecc-gray", "maxnvm",
       {{"prune", "0.8"}, {"kmeans_iterations", "10"}, {"ecc", "72-64"}, {"ecc_on", "bitmask,sync_counters"}, {"gray", "true"},
        {"indices_bpc", "2"}, {"mask_word_bits", "24"}, {"bitmask_bpc", "3"}, {"parity_bpc", "2"}, {"sync_counters_bpc", "1"}}},
  };
  return c;
}

MemoryImage build(const Case& c) {
  MemoryImage img(memlapse::make_format(c.name, c.params));
  img.add_tensor("w", {1000, 10000}, tensor());
  return img;
}

void BM_Encode(benchmark::State& state) {
  if (cases().size() != static_cast<std::size_t>(kCases)) state.SkipWithError("kCases differs from cases().size()");
  const Case& c = cases()[static_cast<std::size_t>(state.range(0))];
  state.SetLabel(c.label);
  for (auto _ : state) {
    MemoryImage img = build(c);
    benchmark::DoNotOptimize(img.bytes().data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kValues));
}

void BM_Decode(benchmark::State& state) {
  const Case& c = cases()[static_cast<std::size_t>(state.range(0))];
  state.SetLabel(c.label);
  const MemoryImage img = build(c);
  std::vector<float> out(kValues);
  for (auto _ : state) {
    img.read_tensor(0, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kValues));
}

BENCHMARK(BM_Encode)->DenseRange(0, kCases - 1)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_Decode)->DenseRange(0, kCases - 1)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
