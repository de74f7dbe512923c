#pragma once
// The faults layer's AVX-512 kernels (the sampler's skip draws, the injection's word kernel) are
// used where the CPU has AVX-512F/DQ/VL, BMI2 and POPCNT and the build is GCC on x86-64; elsewhere the
// portable code runs. Both give the same bits: the tests switch the kernels off and compare.
// Example:
//   const bool was = set_simd_kernels(false);  // portable code only
//   ...
//   set_simd_kernels(was);

namespace memlapse {

// Contract: whether this build and CPU can run the AVX-512 kernels.
bool simd_kernels_available();
// Contract: whether they run now: available and not switched off.
bool simd_kernels_enabled();
// Contract: allows (default) or forbids the kernels; returns the previous setting. For tests.
bool set_simd_kernels(bool allowed);

}  // namespace memlapse

// For the kernels' translation units: GCC on x86-64 builds them (with per-function target
// attributes, so the rest of the library keeps the baseline ISA).
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define MEMLAPSE_AVX512_KERNELS 1
#define MEMLAPSE_AVX512_TARGET __attribute__((target("avx512f,avx512dq,avx512vl,bmi2,popcnt")))
#else
#define MEMLAPSE_AVX512_KERNELS 0
#define MEMLAPSE_AVX512_TARGET
#endif
