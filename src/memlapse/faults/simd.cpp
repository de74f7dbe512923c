#include "memlapse/faults/simd.h"

#include <atomic>

namespace memlapse {

namespace {

std::atomic<bool> g_allowed{true};

bool cpu_has_kernels() {
#if MEMLAPSE_AVX512_KERNELS
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
         __builtin_cpu_supports("bmi2") &&
         __builtin_cpu_supports("popcnt");
#else
  return false;
#endif
}

}  // namespace

bool simd_kernels_available() {
  static const bool has = cpu_has_kernels();
  return has;
}

bool simd_kernels_enabled() { return g_allowed.load(std::memory_order_relaxed) && simd_kernels_available(); }

bool set_simd_kernels(bool allowed) { return g_allowed.exchange(allowed); }

}  // namespace memlapse
