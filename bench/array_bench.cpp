// One design point (organization search + evaluation) of the array model: 003 Table II's STT-MRAM
// 3 MB 16-way cache at 16 nm with Algorithm 1, and a 1 MB SRAM RAM with one target.
#include <benchmark/benchmark.h>

#include "memlapse/memory/search.h"

namespace mm = memlapse::memory;

static void BM_Algorithm1SttCache3MB(benchmark::State& state) {
  mm::ArraySpec s = mm::ram_spec("stt", 16, 3 << 20, 256);
  s.cache = true;
  for (auto _ : state) benchmark::DoNotOptimize(mm::algorithm1(s));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Algorithm1SttCache3MB)->Unit(benchmark::kMillisecond);

static void BM_ReadEdpSramRam1MB(benchmark::State& state) {
  mm::ArraySpec s = mm::ram_spec("sram", 22, 1 << 20, 512);
  for (auto _ : state) benchmark::DoNotOptimize(mm::optimize(s, mm::Target::kReadEdp));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ReadEdpSramRam1MB)->Unit(benchmark::kMillisecond);
