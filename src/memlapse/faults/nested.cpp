// Dyadic-level nested Bernoulli sampler (see nested.h for the construction and its proof sketch).
#include "memlapse/faults/nested.h"

#include <cmath>

namespace memlapse {

namespace {

constexpr int kL = kMaxNestedLevel;
// Sub-stream ids: level k's candidate skips use substream(k); the exact u_j of a bit on level k
// uses substream(kExactBase + k). Distinct ids keep the two families independent.
constexpr std::uint64_t kExactBase = 0x1000;

// Candidate rate of level k: q_L = 2^-L for the top level, q_k = 1/(2^(k+1) - 1) below it, so
// that S_k = S_{k+1} u C_k has rate r_{k+1} + (1 - r_{k+1}) q_k = 2^-k exactly.
double candidate_rate(int k) {
  if (k == kL) return std::ldexp(1.0, -kL);
  return 1.0 / (std::ldexp(1.0, k + 1) - 1.0);
}

// Positions of C_k in [0, n) in increasing order, by geometric skipping: the gap G before the
// next candidate has P(G >= g) = (1-q)^g, G = floor(log(u) / log(1-q)) for u ~ U(0,1].
class LevelCandidates {
 public:
  LevelCandidates(const CounterRng& rng, int k, std::uint64_t n)
      : rng_(rng.substream(static_cast<std::uint64_t>(k))), n_(n) {
    const double q = candidate_rate(k);
    every_bit_ = q >= 1.0;
    inv_log1mq_ = every_bit_ ? 0.0 : 1.0 / std::log1p(-q);
  }
  // Contract: the next candidate position, or n when the level is exhausted.
  std::uint64_t next() {
    const std::uint64_t base = next_base_;
    if (base >= n_) return n_;
    if (every_bit_) {
      next_base_ = base + 1;
      return base;
    }
    // g >= 0, so truncation is the floor; gaps are independent of each other, so successive
    // logs overlap in the pipeline and only the running sum is serial.
    const double g = std::log(rng_.uniform(draws_++)) * inv_log1mq_;
    const std::uint64_t remaining = n_ - base;
    // Compare in double first so the cast below is defined even for astronomically long gaps.
    if (!(g < static_cast<double>(remaining))) return next_base_ = n_;
    const std::uint64_t gi = g < 0x1p63 ? static_cast<std::uint64_t>(static_cast<std::int64_t>(g))
                                        : static_cast<std::uint64_t>(g);
    if (gi >= remaining) return next_base_ = n_;
    next_base_ = base + gi + 1;
    return base + gi;
  }

 private:
  CounterRng rng_;
  std::uint64_t n_;
  std::uint64_t next_base_ = 0;
  std::uint64_t draws_ = 0;
  bool every_bit_ = false;
  double inv_log1mq_ = 0.0;
};

// The level K whose interval holds p: (2^-(K+1), 2^-K] for K < L, (0, 2^-L] for K = L.
int partial_level(double p) {
  int e = 0;
  const double f = std::frexp(p, &e);  // p = f * 2^e, f in [0.5, 1)
  const int k = (f == 0.5) ? 1 - e : -e;
  return k > kL ? kL : k;
}

// Exact u_j of a bit whose level is k: uniform on that level's interval, (2^-(k+1), 2^-k] as
// (1 + v) 2^-(k+1) and (0, 2^-L] as v 2^-L, v ~ U(0,1]. Scaling by a power of two is exact.
class LevelUniform {
 public:
  LevelUniform(const CounterRng& rng, int k)
      : rng_(rng.substream(kExactBase + static_cast<std::uint64_t>(k))),
        offset_(k == kL ? 0.0 : 1.0),
        scale_(std::ldexp(1.0, k == kL ? -kL : -(k + 1))) {}
  double operator()(std::uint64_t j) const { return (offset_ + rng_.uniform(j)) * scale_; }

 private:
  CounterRng rng_;
  double offset_, scale_;
};

// out = a u b (both sorted, unique).
void merge_union(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b,
                 std::vector<std::uint64_t>& out) {
  out.clear();
  out.reserve(a.size() + b.size());
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i] < b[j]) {
      out.push_back(a[i++]);
    } else if (b[j] < a[i]) {
      out.push_back(b[j++]);
    } else {
      out.push_back(a[i++]);
      ++j;
    }
  }
  out.insert(out.end(), a.begin() + static_cast<std::ptrdiff_t>(i), a.end());
  out.insert(out.end(), b.begin() + static_cast<std::ptrdiff_t>(j), b.end());
}

// The sampler, generic in the hit callback so the vector entry point avoids std::function.
template <class Hit>
void nested_hits_impl(const CounterRng& rng, std::uint64_t n, double p, Hit&& hit) {
  if (n == 0 || !(p > 0.0)) return;  // also NaN
  if (p >= 1.0) {
    for (std::uint64_t j = 0; j < n; ++j) hit(j);
    return;
  }
  const int K = partial_level(p);
  // S_{K+1}: every bit whose u_j <= 2^-(K+1) < p, all of them hits.
  std::vector<std::uint64_t> s, level, merged;
  for (int k = kL; k > K; --k) {
    level.clear();
    LevelCandidates gen(rng, k, n);
    for (std::uint64_t j = gen.next(); j < n; j = gen.next()) level.push_back(j);
    if (level.empty()) continue;
    merge_union(s, level, merged);
    s.swap(merged);
  }
  // Level K, streamed: a candidate outside S_{K+1} has its level-K u_j, a hit iff u_j <= p.
  const LevelUniform level_u(rng, K);
  LevelCandidates gen(rng, K, n);
  std::uint64_t c = gen.next();
  std::size_t i = 0;
  while (i < s.size() || c < n) {
    if (i < s.size() && s[i] <= c) {
      if (s[i] == c) c = gen.next();
      hit(s[i++]);
    } else {
      if (level_u(c) <= p) hit(c);
      c = gen.next();
    }
  }
}

}  // namespace

void for_each_nested_hit(const CounterRng& rng, std::uint64_t n, double p,
                         const std::function<void(std::uint64_t)>& hit) {
  nested_hits_impl(rng, n, p, hit);
}

void append_nested_hits(const CounterRng& rng, std::uint64_t n, double p, std::vector<std::uint64_t>& out) {
  nested_hits_impl(rng, n, p, [&out](std::uint64_t j) { out.push_back(j); });
}

std::vector<std::uint64_t> nested_hits_reference(const CounterRng& rng, std::uint64_t n, double p) {
  std::vector<std::uint64_t> out;
  for (std::uint64_t j = 0; j < n; ++j) {
    if (rng.uniform(j) <= p) out.push_back(j);
  }
  return out;
}

}  // namespace memlapse
