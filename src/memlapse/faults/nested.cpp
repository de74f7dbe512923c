// Dyadic-level nested Bernoulli sampler (see nested.h for the construction and its proof sketch).
// Engine: the range is cut into windows of 2^18 bits; per window, every candidate of the levels
// above K sets its bit in a three-level bitmap (words, a summary bit per word, a top bit per 64
// words), level K's candidates set theirs when u_j <= p, and the set bits are drained in order.
// The union is thus formed without merges or per-candidate branches, at a cost proportional to
// the number of candidates (the summary levels skip empty words). It yields exactly the set the
// level-by-level merge defines (nested_hits_levels_reference, kept for the tests).
#include "memlapse/faults/nested.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <iterator>
#include <memory>

namespace memlapse {

namespace {

constexpr int kL = kMaxNestedLevel;
// Sub-stream ids: level k's candidate skips use substream(k); the exact u_j of a bit on level k
// uses substream(kExactBase + k). Distinct ids keep the two families independent.
constexpr std::uint64_t kExactBase = 0x1000;

// The rate ladder r_0 = 1 > r_1 > ... > r_L (nested.h): quarter-octave steps 2^(-k/4) down to
// r_80 = 2^-20, octave steps 2^-(k-60) above, r_L = 2^-48. Built from exact powers of two times
// three fixed constants, so it is the same on every platform.
struct Ladder {
  double r[kL + 1];
  Ladder() {
    constexpr double kQuarter[4] = {1.0, 0x1.ae89f995ad3adp-1, 0x1.6a09e667f3bcdp-1, 0x1.306fe0a31b715p-1};
    for (int k = 0; k <= kL; ++k) {
      r[k] = k <= kFineLevels ? std::ldexp(kQuarter[k % 4], -(k / 4)) : std::ldexp(1.0, -(k - kFineLevels + 20));
    }
  }
};
const Ladder& ladder() {
  static const Ladder l;
  return l;
}

// The draws of one level: a SplitMix64 sequence keyed by the level's sub-stream, draw i =
// mix64(key + i * golden) mapped to (0, 1] like CounterRng::uniform (one mix per draw instead of
// two: the key is already a mixed function of seed, chip, stream and level).
class LevelDraws {
 public:
  explicit LevelDraws(const CounterRng& sub) : key_(sub.bits(0)) {}
  double uniform(std::uint64_t i) const {
    return (static_cast<double>(mix64(key_ + i * 0x9E3779B97F4A7C15ULL) >> 11) + 1.0) * 0x1.0p-53;
  }

 private:
  std::uint64_t key_;
};

// Candidate rate of level k: q_L = r_L for the top level, q_k = (r_k - r_{k+1}) / (1 - r_{k+1})
// below it, so that S_k = S_{k+1} u C_k has rate r_{k+1} + (1 - r_{k+1}) q_k = r_k.
double candidate_rate(int k) {
  const double* r = ladder().r;
  if (k == kL) return r[kL];
  return (r[k] - r[k + 1]) / (1.0 - r[k + 1]);
}

// Positions of C_k in [0, n) in increasing order, by geometric skipping: the gap G before the
// next candidate has P(G >= g) = (1-q)^g, G = floor(log(u) / log(1-q)) for u ~ U(0,1]; the i-th
// gap uses draw i of substream k. Gaps are drawn in batches (independent logs pipeline well);
// a batch never exceeds about the expected number of candidates left, so sparse levels cost one
// log. peek() is the current candidate, or n once the level is exhausted.
class LevelCandidates {
 public:
  LevelCandidates(const CounterRng& rng, int k, std::uint64_t n)
      : rng_(rng.substream(static_cast<std::uint64_t>(k))), n_(n), q_(candidate_rate(k)) {
    every_bit_ = q_ >= 1.0;
    inv_log1mq_ = every_bit_ ? 0.0 : 1.0 / std::log1p(-q_);
    refill();
  }
  std::uint64_t peek() const { return buf_[head_]; }
  // Contract: only while peek() < n.
  void pop() {
    if (++head_ == count_) refill();
  }

 private:
  static constexpr int kBatch = 64;

  void refill() {
    head_ = 0;
    count_ = 1;
    std::uint64_t base = next_base_;
    if (base >= n_) {
      buf_[0] = n_;
      return;
    }
    if (every_bit_) {
      const auto c = static_cast<int>(std::min<std::uint64_t>(kBatch, n_ - base));
      for (int i = 0; i < c; ++i) buf_[i] = base + static_cast<std::uint64_t>(i);
      next_base_ = base + static_cast<std::uint64_t>(c);
      count_ = c;
      return;
    }
    const double expect = q_ * static_cast<double>(n_ - base);
    const int batch = expect >= kBatch - 1 ? kBatch : 1 + static_cast<int>(expect);
    double g[kBatch];
    for (int i = 0; i < batch; ++i) g[i] = std::log(rng_.uniform(draws_ + static_cast<std::uint64_t>(i))) * inv_log1mq_;
    draws_ += static_cast<std::uint64_t>(batch);
    int c = 0;
    for (; c < batch; ++c) {
      // g >= 0, so truncation is the floor. Compare in double first so the cast below is
      // defined even for astronomically long gaps.
      const std::uint64_t remaining = n_ - base;
      if (!(g[c] < static_cast<double>(remaining))) {
        base = n_;
        break;
      }
      const std::uint64_t gi = g[c] < 0x1p63 ? static_cast<std::uint64_t>(static_cast<std::int64_t>(g[c]))
                                             : static_cast<std::uint64_t>(g[c]);
      if (gi >= remaining) {
        base = n_;
        break;
      }
      buf_[c] = base + gi;
      base += gi + 1;
      if (base >= n_) {
        ++c;
        break;
      }
    }
    next_base_ = base;
    if (c == 0) {
      buf_[0] = n_;
    } else {
      count_ = c;
    }
  }

  LevelDraws rng_;
  std::uint64_t n_;
  double q_;
  std::uint64_t next_base_ = 0;
  std::uint64_t draws_ = 0;
  bool every_bit_ = false;
  double inv_log1mq_ = 0.0;
  int head_ = 0, count_ = 1;
  std::uint64_t buf_[kBatch];
};

// The level K whose interval holds p: (r_{K+1}, r_K] for K < L, (0, r_L] for K = L.
int partial_level(double p) {
  const double* r = ladder().r;
  // First k with r_{k+1} < p, i.e. the number of k in 1..L with r_k >= p (r decreasing).
  const double* it = std::partition_point(r + 1, r + kL + 1, [p](double x) { return x >= p; });
  return static_cast<int>(it - (r + 1));
}

// Exact u_j of a bit whose level is k: uniform on that level's interval, r_{k+1} + v (r_k - r_{k+1})
// (r_{L+1} = 0), v ~ U(0,1], capped at r_k against rounding.
class LevelUniform {
 public:
  LevelUniform(const CounterRng& rng, int k)
      : rng_(rng.substream(kExactBase + static_cast<std::uint64_t>(k))),
        lo_(k == kL ? 0.0 : ladder().r[k + 1]),
        hi_(ladder().r[k]),
        width_(hi_ - lo_) {}
  double operator()(std::uint64_t j) const { return std::min(hi_, lo_ + rng_.uniform(j) * width_); }

 private:
  LevelDraws rng_;
  double lo_, hi_, width_;
};

// One window of kWindow bits as a bitmap with two summary levels (a bit per non-zero word, a
// bit per non-zero summary word), so draining costs O(set bits), not O(window).
constexpr int kWindowLog = 18;
constexpr std::uint64_t kWindow = std::uint64_t{1} << kWindowLog;
struct WindowBitmap {
  static constexpr std::size_t kWords = kWindow / 64;
  std::uint64_t top = 0;
  std::uint64_t summary[kWords / 64] = {};
  std::uint64_t words[kWords] = {};

  // Contract: sets bit `off` when `on`; returns 1 iff that bit was newly set.
  std::uint64_t set_if(std::uint64_t off, bool on) {
    const std::uint64_t w = off >> 6, b = off & 63, m = static_cast<std::uint64_t>(on);
    const std::uint64_t added = m & ~(words[w] >> b);
    words[w] |= m << b;
    summary[w >> 6] |= m << (w & 63);
    top |= m << (w >> 6);
    return added & 1;
  }
  // Contract: writes base + each set bit's offset, increasing, to out; leaves the bitmap empty.
  // May write kSlack entries past the last one (scratch the caller provides): each word's first
  // four bits are stored unconditionally, so sparse words cost no mispredicted branches.
  static constexpr std::size_t kSlack = 1;
  std::uint64_t* drain(std::uint64_t base, std::uint64_t* out) {
    for (std::uint64_t t = top; t != 0; t &= t - 1) {
      const auto s = static_cast<std::size_t>(std::countr_zero(t));
      for (std::uint64_t sm = summary[s]; sm != 0; sm &= sm - 1) {
        const std::size_t w = s * 64 + static_cast<std::size_t>(std::countr_zero(sm));
        const std::uint64_t wb = base + w * 64;
        std::uint64_t x = words[w];
        words[w] = 0;
        for (int i = 0; i < 4; ++i) {  // ctz(0) = 64 once x is empty: rewritten, not kept
          *out = wb + static_cast<std::uint64_t>(std::countr_zero(x));
          out += x != 0;
          x &= x - 1;
        }
        for (; x != 0; x &= x - 1) *out++ = wb + static_cast<std::uint64_t>(std::countr_zero(x));
      }
      summary[s] = 0;
    }
    top = 0;
    return out;
  }
};

// The sampler. Sink: `std::uint64_t* take(std::size_t c)` gives room for the next c hits (in
// increasing order) plus WindowBitmap::kSlack scratch entries, `void done(std::size_t c)` says
// the c hits are written.
template <class Sink>
void nested_hits_impl(const CounterRng& rng, std::uint64_t n, double p, Sink& sink) {
  if (n == 0 || !(p > 0.0)) return;  // also NaN
  if (p >= 1.0) {
    for (std::uint64_t w0 = 0; w0 < n; w0 += kWindow) {
      const auto c = static_cast<std::size_t>(std::min(kWindow, n - w0));
      std::uint64_t* o = sink.take(c);
      for (std::size_t i = 0; i < c; ++i) o[i] = w0 + i;
      sink.done(c);
    }
    return;
  }
  const int K = partial_level(p);
  // Levels above K: S_{K+1}, every bit whose u_j <= 2^-(K+1) < p, all of them hits.
  std::vector<LevelCandidates> upper;
  upper.reserve(static_cast<std::size_t>(kL - K));
  for (int k = kL; k > K; --k) {
    upper.emplace_back(rng, k, n);
    if (upper.back().peek() >= n) upper.pop_back();
  }
  // Level K: a candidate outside S_{K+1} has its level-K u_j, a hit iff u_j <= p.
  const LevelUniform level_u(rng, K);
  LevelCandidates lk(rng, K, n);
  const auto bm = std::make_unique<WindowBitmap>();
  for (std::uint64_t w0 = 0; w0 < n; w0 += kWindow) {
    // Jump over windows without candidates (sparse rates over huge ranges).
    std::uint64_t first = lk.peek();
    for (const LevelCandidates& lv : upper) first = std::min(first, lv.peek());
    if (first >= n) break;
    w0 = std::max(w0, first & ~(kWindow - 1));
    const std::uint64_t w1 = n - w0 > kWindow ? w0 + kWindow : n;
    std::uint64_t count = 0;
    for (std::size_t i = 0; i < upper.size();) {
      LevelCandidates& lv = upper[i];
      for (std::uint64_t c = lv.peek(); c < w1; c = lv.peek()) {
        count += bm->set_if(c - w0, true);
        lv.pop();
      }
      if (lv.peek() >= n) {
        upper[i] = upper.back();
        upper.pop_back();
      } else {
        ++i;
      }
    }
    // Order of `upper` does not matter: a union. The u_j draw of a candidate already in
    // S_{K+1} is wasted (rate ~2^-(K+1)) but keeps the loop free of data-dependent branches.
    for (std::uint64_t c = lk.peek(); c < w1; c = lk.peek()) {
      count += bm->set_if(c - w0, level_u(c) <= p);
      lk.pop();
    }
    if (count == 0) continue;
    const auto c = static_cast<std::size_t>(count);
    bm->drain(w0, sink.take(c));
    sink.done(c);
  }
}

struct VectorSink {
  std::vector<std::uint64_t>& out;
  std::size_t at = 0;
  std::uint64_t* take(std::size_t c) {
    at = out.size();
    out.resize(at + c + WindowBitmap::kSlack);
    return out.data() + at;
  }
  void done(std::size_t c) { out.resize(at + c); }
};

template <class F>
struct BlockSink {
  F& f;
  std::vector<std::uint64_t> buf;
  std::uint64_t* take(std::size_t c) {
    buf.resize(c + WindowBitmap::kSlack);
    return buf.data();
  }
  void done(std::size_t c) { f(std::span<const std::uint64_t>(buf.data(), c)); }
};

// out = a u b (both sorted, unique).
void merge_union(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b,
                 std::vector<std::uint64_t>& out) {
  out.clear();
  std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
}

}  // namespace

void for_each_nested_hit(const CounterRng& rng, std::uint64_t n, double p,
                         const std::function<void(std::uint64_t)>& hit) {
  auto f = [&hit](std::span<const std::uint64_t> block) {
    for (const std::uint64_t j : block) hit(j);
  };
  BlockSink<decltype(f)> sink{f, {}};
  nested_hits_impl(rng, n, p, sink);
}

void for_each_nested_block(const CounterRng& rng, std::uint64_t n, double p,
                           const std::function<void(std::span<const std::uint64_t>)>& block) {
  BlockSink<const std::function<void(std::span<const std::uint64_t>)>> sink{block, {}};
  nested_hits_impl(rng, n, p, sink);
}

void append_nested_hits(const CounterRng& rng, std::uint64_t n, double p, std::vector<std::uint64_t>& out) {
  if (n > 0 && p > 0.0) {
    // Mean plus six standard deviations: one allocation in all but ~1e-9 of the calls.
    const double mean = static_cast<double>(n) * std::min(p, 1.0);
    const double want = mean + 6.0 * std::sqrt(mean) + 16.0;
    // Geometric growth, so callers appending many ranges to one vector stay linear.
    const std::size_t need = out.size() + (want < 1e9 ? static_cast<std::size_t>(want) : 0);
    if (need > out.capacity()) out.reserve(std::max(need, 2 * out.capacity()));
  }
  VectorSink sink{out};
  nested_hits_impl(rng, n, p, sink);
}

// The construction spelled out the simple way (the engine before the window bitmap): each level's
// candidates from one skip per call, unions by merging, level K checked against S_{K+1} by search.
std::vector<std::uint64_t> nested_hits_levels_reference(const CounterRng& rng, std::uint64_t n, double p) {
  std::vector<std::uint64_t> out;
  if (n == 0 || !(p > 0.0)) return out;
  if (p >= 1.0) {
    for (std::uint64_t j = 0; j < n; ++j) out.push_back(j);
    return out;
  }
  auto candidates = [&](int k) {
    std::vector<std::uint64_t> c;
    const LevelDraws r(rng.substream(static_cast<std::uint64_t>(k)));
    const double q = candidate_rate(k);
    if (q >= 1.0) {
      for (std::uint64_t j = 0; j < n; ++j) c.push_back(j);
      return c;
    }
    const double inv = 1.0 / std::log1p(-q);
    std::uint64_t base = 0;
    for (std::uint64_t d = 0; base < n; ++d) {
      const double g = std::log(r.uniform(d)) * inv;
      if (!(g < static_cast<double>(n - base))) break;
      const auto gi = static_cast<std::uint64_t>(g);
      if (gi >= n - base) break;
      c.push_back(base + gi);
      base += gi + 1;
    }
    return c;
  };
  const int K = partial_level(p);
  std::vector<std::uint64_t> s, merged;
  for (int k = kL; k > K; --k) {
    merge_union(s, candidates(k), merged);
    s.swap(merged);
  }
  const LevelUniform level_u(rng, K);
  std::vector<std::uint64_t> level;
  for (const std::uint64_t c : candidates(K)) {
    if (!std::binary_search(s.begin(), s.end(), c) && level_u(c) <= p) level.push_back(c);
  }
  merge_union(s, level, out);
  return out;
}

std::vector<std::uint64_t> nested_hits_reference(const CounterRng& rng, std::uint64_t n, double p) {
  std::vector<std::uint64_t> out;
  for (std::uint64_t j = 0; j < n; ++j) {
    if (rng.uniform(j) <= p) out.push_back(j);
  }
  return out;
}

}  // namespace memlapse
