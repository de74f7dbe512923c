// Dyadic-level nested Bernoulli sampler (see nested.h for the construction and its proof sketch).
// Engine: the range is cut into windows of 2^18 bits; per window, every candidate of the levels
// above K sets its bit in a bitmap with a summary bit per word, level K's candidates set theirs
// when u_j <= p, and the set bits are drained in order. The union is thus formed without merges or
// per-candidate branches, at a cost proportional to the number of candidates (the summary skips
// empty words). It yields exactly the set the level-by-level merge defines
// (nested_hits_levels_reference, kept for the tests). Skips are drawn from Exp(1) variates by a
// ziggurat (no log per skip).
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
// mix64(key + i * golden) (one mix per draw instead of two: the key is already a mixed function of
// seed, chip, stream and level); uniform() maps it to (0, 1] like CounterRng::uniform.
class LevelDraws {
 public:
  explicit LevelDraws(const CounterRng& sub) : key_(sub.bits(0)) {}
  std::uint64_t bits(std::uint64_t i) const { return mix64(key_ + i * 0x9E3779B97F4A7C15ULL); }
  double uniform(std::uint64_t i) const { return (static_cast<double>(bits(i) >> 11) + 1.0) * 0x1.0p-53; }

 private:
  std::uint64_t key_;
};

// Exp(1) variates by the ziggurat method (Marsaglia & Tsang 2000, "The ziggurat method for
// generating random variables", J. Stat. Softw. 5(8), their REXP with 256 layers) instead of
// -log(u): ~99% of the draws cost a table look-up, a compare and a multiply. The 64 hash bits are
// split into the layer (low 8 bits) and a 56-bit abscissa (their 32-bit version reuses the layer
// bits inside the abscissa), so the thresholds are exact to 2^-56. The rare wedge and tail draws
// take further words from a hash chain of the input, so the result is a pure function of it.
struct ExpZiggurat {
  static constexpr double kScale = 0x1p56;
  static constexpr double kR = 7.697117470131487;     // right edge of the base layer
  static constexpr double kV = 3.949659822581572e-3;  // area of each of the 256 layers
  std::uint64_t k[256];  // accept x without the density test when (h >> 8) < k[i]
  double w[256];         // x = (h >> 8) * w[i]
  double f[256];         // exp(-x_i) at the layer edges
  ExpZiggurat() {
    double de = kR, te = kR;
    const double q = kV / std::exp(-de);
    k[0] = static_cast<std::uint64_t>((de / q) * kScale);
    k[1] = 0;
    w[0] = q / kScale;
    w[255] = de / kScale;
    f[0] = 1.0;
    f[255] = std::exp(-de);
    for (int i = 254; i >= 1; --i) {
      de = -std::log(kV / de + std::exp(-de));
      k[i + 1] = static_cast<std::uint64_t>((de / te) * kScale);
      te = de;
      f[i] = std::exp(-de);
      w[i] = de / kScale;
    }
  }
};
const ExpZiggurat& ziggurat() {
  static const ExpZiggurat z;
  return z;
}

double exp1_slow(std::uint64_t h) {
  const ExpZiggurat& z = ziggurat();
  std::uint64_t s = h;
  for (;;) {
    const auto i = static_cast<std::size_t>(s & 255);
    const std::uint64_t j = s >> 8;
    if (j < z.k[i]) return static_cast<double>(j) * z.w[i];
    s = mix64(s ^ 0x5851F42D4C957F2DULL);  // an independent uniform for the tail / wedge test
    const double u = (static_cast<double>(s >> 11) + 1.0) * 0x1.0p-53;
    if (i == 0) return ExpZiggurat::kR - std::log(u);  // the tail beyond r, by memorylessness
    const double x = static_cast<double>(j) * z.w[i];
    if (z.f[i] + u * (z.f[i - 1] - z.f[i]) < std::exp(-x)) return x;
    s = mix64(s ^ 0x2545F4914F6CDD1DULL);  // rejected: a fresh point
  }
}

// Exp(1) from 64 random bits (hot path inline, the ~1% rest out of line).
inline double exp1(const ExpZiggurat& z, std::uint64_t h) {
  const auto i = static_cast<std::size_t>(h & 255);
  const std::uint64_t j = h >> 8;
  if (j < z.k[i]) [[likely]] return static_cast<double>(j) * z.w[i];
  return exp1_slow(h);
}

// Candidate rate of level k: q_L = r_L for the top level, q_k = (r_k - r_{k+1}) / (1 - r_{k+1})
// below it, so that S_k = S_{k+1} u C_k has rate r_{k+1} + (1 - r_{k+1}) q_k = r_k.
double candidate_rate(int k) {
  const double* r = ladder().r;
  if (k == kL) return r[kL];
  return (r[k] - r[k + 1]) / (1.0 - r[k + 1]);
}

// The gap before the next candidate of a level whose rate is q: P(G >= g) = (1-q)^g, i.e.
// G = floor(E / -log(1-q)) for E ~ Exp(1) (E = -log(u) in law), from one 64-bit draw.
// scale = -1 / log1p(-q). As a double; the caller compares it with the range left before
// converting (astronomically long gaps).
inline double gap(const ExpZiggurat& z, std::uint64_t bits, double scale) { return exp1(z, bits) * scale; }

// Positions of C_k in [0, n) in increasing order, by geometric skipping (gap above); the i-th gap
// uses draw i of substream k. next() is the current candidate, or n once the level is exhausted;
// run_to(end, f) hands every candidate below `end` to f and draws the gaps one by one in a tight
// loop (the draws depend only on their counter, so consecutive ones overlap in the pipeline).
class LevelCandidates {
 public:
  LevelCandidates(const CounterRng& rng, int k, std::uint64_t n)
      : rng_(rng.substream(static_cast<std::uint64_t>(k))), n_(n) {
    const double q = candidate_rate(k);
    scale_ = q >= 1.0 ? 0.0 : -1.0 / std::log1p(-q);  // q = 1: every gap is 0, every bit a candidate
    next_ = advance(*z_, rng_, draws_, scale_, n_, 0);
  }
  std::uint64_t next() const { return next_; }
  template <class F>
  void run_to(std::uint64_t end, F&& f) {
    // The state in locals: f's stores (bitmap words) could alias the members otherwise.
    const LevelDraws rng = rng_;
    const ExpZiggurat& z = *z_;
    const std::uint64_t n = n_;
    const double scale = scale_;
    std::uint64_t draws = draws_, c = next_;
    for (; c < end; c = advance(z, rng, draws, scale, n, c + 1)) f(c);
    next_ = c;
    draws_ = draws;
  }

 private:
  // The candidate after a gap from `base` (draws the next gap), n when it falls outside.
  static std::uint64_t advance(const ExpZiggurat& z, const LevelDraws& rng, std::uint64_t& draws, double scale,
                               std::uint64_t n, std::uint64_t base) {
    if (base >= n) return n;
    const double g = gap(z, rng.bits(draws++), scale);
    const std::uint64_t remaining = n - base;
    // g >= 0, so truncation is the floor; compared in double first so the cast is defined even for
    // astronomically long gaps.
    if (!(g < static_cast<double>(remaining))) return n;
    const std::uint64_t gi = g < 0x1p63 ? static_cast<std::uint64_t>(static_cast<std::int64_t>(g)) : static_cast<std::uint64_t>(g);
    return gi >= remaining ? n : base + gi;
  }

  LevelDraws rng_;
  const ExpZiggurat* z_ = &ziggurat();
  std::uint64_t n_;
  double scale_ = 0.0;
  std::uint64_t draws_ = 0;
  std::uint64_t next_ = 0;
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

// One window of kWindow bits as a bitmap with two summary levels (a bit per non-zero word, kept
// while setting; a bit per non-zero summary word, built when draining), so draining costs
// O(set bits), not O(window).
constexpr int kWindowLog = 18;
constexpr std::uint64_t kWindow = std::uint64_t{1} << kWindowLog;
struct WindowBitmap {
  static constexpr std::size_t kWords = kWindow / 64;
  std::uint64_t summary[kWords / 64] = {};
  std::uint64_t words[kWords] = {};

  // Contract: sets bit `off` when `on` (as few instructions as possible: the window's hit count
  // is taken when draining, the top summary level is built there from the 64 summary words).
  void set_if(std::uint64_t off, bool on) {
    const std::uint64_t w = off >> 6, m = static_cast<std::uint64_t>(on);
    words[w] |= m << (off & 63);
    summary[w >> 6] |= m << (w & 63);
  }
  // Contract: writes base + each set bit's offset, increasing, to out; leaves the bitmap empty.
  // May write kSlack entries past the last one (scratch the caller provides): each word's first
  // four bits are stored unconditionally, so sparse words cost no mispredicted branches.
  static constexpr std::size_t kSlack = 1;
  std::uint64_t* drain(std::uint64_t base, std::uint64_t* out) {
    std::uint64_t top = 0;
    for (std::size_t s = 0; s < kWords / 64; ++s) top |= static_cast<std::uint64_t>(summary[s] != 0) << s;
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
    return out;
  }
};

// The sampler. Sink: `std::uint64_t* take(std::size_t c)` gives room for at most c next hits (in
// increasing order) plus WindowBitmap::kSlack scratch entries, `void done(std::size_t c)` says
// c hits are written (possibly none: a window's bound counts the candidates set).
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
    if (upper.back().next() >= n) upper.pop_back();
  }
  // Level K: a candidate outside S_{K+1} has its level-K u_j, a hit iff u_j <= p.
  const LevelUniform level_u(rng, K);
  LevelCandidates lk(rng, K, n);
  const auto bm = std::make_unique<WindowBitmap>();
  for (std::uint64_t w0 = 0; w0 < n; w0 += kWindow) {
    // Jump over windows without candidates (sparse rates over huge ranges).
    std::uint64_t first = lk.next();
    for (const LevelCandidates& lv : upper) first = std::min(first, lv.next());
    if (first >= n) break;
    w0 = std::max(w0, first & ~(kWindow - 1));
    const std::uint64_t w1 = n - w0 > kWindow ? w0 + kWindow : n;
    std::uint64_t count = 0;  // candidates set: a bound on the window's hits
    for (std::size_t i = 0; i < upper.size();) {
      LevelCandidates& lv = upper[i];
      lv.run_to(w1, [&](std::uint64_t c) {
        bm->set_if(c - w0, true);
        ++count;
      });
      if (lv.next() >= n) {
        upper[i] = upper.back();
        upper.pop_back();
      } else {
        ++i;
      }
    }
    // Order of `upper` does not matter: a union. The u_j draw of a candidate already in
    // S_{K+1} is wasted (rate ~2^-(K+1)) but keeps the loop free of data-dependent branches.
    lk.run_to(w1, [&](std::uint64_t c) {
      const bool hit = level_u(c) <= p;
      bm->set_if(c - w0, hit);
      count += hit;
    });
    if (count == 0) continue;
    std::uint64_t* const out = sink.take(static_cast<std::size_t>(count));
    const auto c = static_cast<std::size_t>(bm->drain(w0, out) - out);
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
  void done(std::size_t c) {
    if (c != 0) f(std::span<const std::uint64_t>(buf.data(), c));
  }
};

// out = a u b (both sorted, unique).
void merge_union(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b,
                 std::vector<std::uint64_t>& out) {
  out.clear();
  std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
}

}  // namespace

double exp1_from_bits(std::uint64_t bits) { return exp1(ziggurat(), bits); }

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
    const double scale = -1.0 / std::log1p(-q);
    std::uint64_t base = 0;
    for (std::uint64_t d = 0; base < n; ++d) {
      const double g = gap(ziggurat(), r.bits(d), scale);
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
