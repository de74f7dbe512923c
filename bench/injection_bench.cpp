// Fault sampling + injection on a ResNet-18-sized image (11M weights, 8-bit fixed point), for the
// nested sampler (cost ~ number of faults) against the naive one-uniform-per-bit reference.
// The registered DRAM models (000 §4) and MLC model run through the same engine (sample -> FaultList
// -> Injection -> revert), so their cost is comparable with the uniform model's. BM_NestedDirectInject
// is the uniform model through Injection(image, model, seed, chip) (no FaultList);
// BM_NestedDirectInjectPortable the same without the AVX-512 kernels.
// Items processed = stored value bits examined per chip (88M), so items/s compares directly.
//   ./injection_bench --benchmark_filter='/2$'      (the argument k means p = 10^-k; /2 is p = 1e-2)
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstring>
#include <span>
#include <map>
#include <string>

#include "memlapse/faults/fault_model.h"
#include "memlapse/faults/nested.h"
#include "memlapse/faults/simd.h"
#include "memlapse/faults/layout.h"
#include "memlapse/faults/uniform.h"

namespace memlapse {
namespace {

constexpr std::uint64_t kWeights = 11'000'000;
constexpr std::uint64_t kTensors = 11;

const MemoryImage& image() {
  static const MemoryImage img = [] {
    MemoryImage m(make_format("fixed", {{"bits", "8"}}));
    std::vector<float> v(kWeights / kTensors);
    for (std::uint64_t t = 0; t < kTensors; ++t) {
      for (std::size_t i = 0; i < v.size(); ++i) v[i] = std::sin(static_cast<float>(i * (t + 3)) * 0.001f);
      m.add_tensor(std::string("layer").append(std::to_string(t)), {static_cast<std::int64_t>(v.size())}, v);
    }
    return m;
  }();
  return img;
}

// Benchmark argument: the bit error rate is 10^-arg.
double rate(const benchmark::State& s) { return std::pow(10.0, -static_cast<double>(s.range(0))); }

void report(benchmark::State& s, std::uint64_t faults) {
  s.SetItemsProcessed(static_cast<std::int64_t>(s.iterations() * image().total_value_bits()));
  s.counters["faults/chip"] = benchmark::Counter(static_cast<double>(faults) / static_cast<double>(s.iterations()));
  s.counters["p"] = rate(s);
}

void BM_NestedSampleAndInject(benchmark::State& s) {
  MemoryImage img = image();
  const UniformBitErrors model(rate(s));
  std::uint64_t chip = 0, faults = 0;
  for (auto _ : s) {
    const FaultList f = model.sample(img, 1, chip++);
    Injection inj(img, f);
    benchmark::DoNotOptimize(img.bytes().data());
    faults += f.size();
  }
  report(s, faults);
}

// The same chip through Injection(image, model, seed, chip): the uniform model hands the sampler's
// hits straight to the injection, without the FaultList.
void BM_NestedDirectInject(benchmark::State& s) {
  MemoryImage img = image();
  const UniformBitErrors model(rate(s));
  std::uint64_t chip = 0, faults = 0;
  for (auto _ : s) {
    Injection inj(img, model, 1, chip++);
    benchmark::DoNotOptimize(img.bytes().data());
    faults += inj.touched().size();
  }
  report(s, faults);
  s.counters["touched/chip"] = s.counters["faults/chip"];
  s.counters.erase("faults/chip");
}

// The same with the AVX-512 kernels switched off (faults/simd.h): the portable code's speed, on a
// machine that has them.
void BM_NestedDirectInjectPortable(benchmark::State& s) {
  const bool was = set_simd_kernels(false);
  BM_NestedDirectInject(s);
  set_simd_kernels(was);
}

void BM_NestedSampleOnly(benchmark::State& s) {
  const MemoryImage& img = image();
  const UniformBitErrors model(rate(s));
  std::uint64_t chip = 0, faults = 0;
  for (auto _ : s) {
    const FaultList f = model.sample(img, 1, chip++);
    benchmark::DoNotOptimize(f.data());
    faults += f.size();
  }
  report(s, faults);
}

// The naive pass: one uniform per bit (nested_hits_reference), then the same FaultList + Injection.
void BM_NaivePerBitSampleAndInject(benchmark::State& s) {
  MemoryImage img = image();
  const double p = rate(s);
  const auto m = static_cast<std::uint64_t>(img.format().value_bits());
  std::uint64_t chip = 0, faults = 0;
  for (auto _ : s) {
    FaultList f;
    for (std::uint32_t t = 0; t < img.tensor_count(); ++t) {
      for (std::uint64_t j : nested_hits_reference(CounterRng(1, chip, t), img.value_bits(t), p)) {
        f.push_back(BitFault{t, j / m, static_cast<std::uint8_t>(j % m), BitFault::kFlip});
      }
    }
    ++chip;
    Injection inj(img, f);
    benchmark::DoNotOptimize(img.bytes().data());
    faults += f.size();
  }
  report(s, faults);
}

// The yardstick of issue 4's target ("near one pass over the image"): read and rewrite every byte
// of the image once (XOR with a byte that changes per iteration, so it cannot be hoisted), 64 bits
// at a time. No randomness, no records: the memory traffic any dense pass costs.
void BM_OnePassOverImage(benchmark::State& s) {
  MemoryImage img = image();
  std::span<std::uint8_t> bytes = img.mutable_bytes();
  std::uint64_t k = 0;
  for (auto _ : s) {
    const std::uint64_t x = 0x0101010101010101ULL * (++k & 0xFF);
    std::size_t i = 0;
    for (; i + 8 <= bytes.size(); i += 8) {
      std::uint64_t w;
      std::memcpy(&w, bytes.data() + i, 8);
      w ^= x;
      std::memcpy(bytes.data() + i, &w, 8);
    }
    for (; i < bytes.size(); ++i) bytes[i] ^= static_cast<std::uint8_t>(x);
    benchmark::DoNotOptimize(bytes.data());
  }
  s.SetItemsProcessed(static_cast<std::int64_t>(s.iterations() * image().total_value_bits()));
}

// The registered models at the same per-bit rate p (weak cells failing with F = 0.5, so P = 2p;
// model1 concentrates the weak cells on 25% of the bitlines).
std::map<std::string, std::string> model_params(const std::string& name, double p) {
  const std::string two_p = format_double(2 * p);
  if (name == "dram-model0") return {{"P", two_p}, {"F_A", "0.5"}};
  if (name == "dram-model1") return {{"P_B", two_p}, {"F_B", "0.5"}, {"weak_bitlines", "0.25"}};
  if (name == "dram-model3") return {{"P", two_p}, {"F_V1", "0.75"}, {"F_V0", "0.25"}};
  return {{"ber", format_double(p)}};
}

void BM_ModelSampleAndInject(benchmark::State& s, const std::string& name) {
  MemoryImage img = image();
  const auto model = make_fault_model(name, model_params(name, rate(s)));
  std::uint64_t chip = 0, faults = 0;
  for (auto _ : s) {
    const FaultList f = model->sample(img, 1, chip++);
    Injection inj(img, f);
    benchmark::DoNotOptimize(img.bytes().data());
    faults += f.size();
  }
  report(s, faults);
}

// MLC at its own rates (2 bits/cell, sigma widened to 0.05 so ~1e-2 of the cells fail).
void BM_MlcSampleAndInject(benchmark::State& s) {
  MemoryImage img = image();
  const auto model = make_fault_model("mlc-ctt", {{"bits_per_cell", "2"}, {"sigma", "0.05"}, {"sigma_unprog", "0.05"}});
  std::uint64_t chip = 0, faults = 0;
  for (auto _ : s) {
    const FaultList f = model->sample(img, 1, chip++);
    Injection inj(img, f);
    benchmark::DoNotOptimize(img.bytes().data());
    faults += f.size();
  }
  report(s, faults);
}

BENCHMARK_CAPTURE(BM_ModelSampleAndInject, dram_model0, std::string("dram-model0"))->Arg(6)->Arg(4)->Arg(2)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_ModelSampleAndInject, dram_model1, std::string("dram-model1"))->Arg(6)->Arg(4)->Arg(2)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_ModelSampleAndInject, dram_model3, std::string("dram-model3"))->Arg(6)->Arg(4)->Arg(2)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MlcSampleAndInject)->Arg(0)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_NestedSampleAndInject)->Arg(6)->Arg(4)->Arg(2)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_NestedDirectInject)->Arg(6)->Arg(4)->Arg(2)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_NestedDirectInjectPortable)->Arg(6)->Arg(4)->Arg(2)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_NestedSampleOnly)->Arg(6)->Arg(4)->Arg(2)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_OnePassOverImage)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_NaivePerBitSampleAndInject)->Arg(6)->Arg(4)->Arg(2)->Arg(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace memlapse
