#pragma once
// Nested Bernoulli sampling over n bits with cost proportional to the number of hits.
// 004 §3: bit j fails at rate p iff u_j <= p, with u_j ~ U(0,1) fixed per chip, so the set at
// p' <= p is a subset of the set at p. We never materialise u_j: bits are generated level by
// level on dyadic rate levels r_k = 2^-k (k = kMaxLevel .. 0) by geometric skipping, each level
// adding the bits whose u_j falls in (2^-(k+1), 2^-k]; within the last level the exact u_j is
// drawn from a counter of (level, bit). Every bit is hit independently with probability exactly
// p, so the count is Binomial(n, p).
// Example:
//   for_each_nested_hit(CounterRng(seed, chip, tensor), n_bits, 1e-3, [&](std::uint64_t j) {...});
#include <cstdint>
#include <functional>
#include <vector>

#include "memlapse/core/rng.h"

namespace memlapse {

inline constexpr int kMaxNestedLevel = 48;  // rates below 2^-48 (3.6e-15) are treated as 0

// Contract: calls hit(j) once for each bit j in [0, n) whose u_j <= p, in increasing j order.
// p is clamped to [0, 1]. Pure function of (rng, n, p); nested in p.
void for_each_nested_hit(const CounterRng& rng, std::uint64_t n, double p,
                         const std::function<void(std::uint64_t)>& hit);

// Reference implementation: one uniform per bit (u_j = ref_uniform(rng, j)), O(n). Used by tests
// and the benchmark; NOT bit-identical to the fast sampler (different u_j), only equal in law.
std::vector<std::uint64_t> nested_hits_reference(const CounterRng& rng, std::uint64_t n, double p);

}  // namespace memlapse
