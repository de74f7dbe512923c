// Fault sampling + injection on a ResNet-18-sized image (11M weights, 8-bit fixed point), for the
// nested sampler (cost ~ number of faults) against the naive one-uniform-per-bit reference.
// Items processed = stored value bits examined per chip (88M), so items/s compares directly.
//   ./injection_bench --benchmark_filter='/2$'      (the argument k means p = 10^-k; /2 is p = 1e-2)
#include <benchmark/benchmark.h>

#include <cmath>

#include "memlapse/faults/fault_model.h"
#include "memlapse/faults/nested.h"
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

BENCHMARK(BM_NestedSampleAndInject)->Arg(6)->Arg(4)->Arg(2)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_NestedSampleOnly)->Arg(6)->Arg(4)->Arg(2)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_NaivePerBitSampleAndInject)->Arg(6)->Arg(4)->Arg(2)->Arg(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace memlapse
