// Dyadic-level nested Bernoulli sampler (see nested.h for the construction and its proof sketch).
// Engine: the range is cut into windows of 2^18 bits; per window, every candidate of the levels
// above K sets its bit in a bitmap with a summary bit per word, level K's candidates set theirs
// when u_j <= p, and the set bits are drained in order. The union is thus formed without merges or
// per-candidate branches, at a cost proportional to the number of candidates (the summary skips
// empty words). It yields exactly the set the level-by-level merge defines
// (nested_hits_levels_reference, kept for the tests). Skips are drawn from Exp(1) variates by a
// ziggurat (no log per skip), 16 at a time (with AVX-512 where the CPU has it, faults/simd.h).
// Dense rates (r_K >= 2^-8) keep no summary and may hand the window's bitmap over whole
// (for_each_nested_window) instead of listing its bits.
#include "memlapse/faults/nested.h"

#include "memlapse/core/error.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <iterator>
#include <memory>

#include "memlapse/faults/simd.h"
#if MEMLAPSE_AVX512_KERNELS
#include <immintrin.h>
#endif

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
  std::uint64_t key() const { return key_; }
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

// Integer gaps of draws d0 .. d0 + kGapBatch - 1 of a level: trunc(min(Exp(1) * scale, 2^62)), the
// Exp(1) from the draw's 64 bits (exp1). Two builds: plain C++ (the reference, exp1 draw by draw)
// and AVX-512 (the ziggurat's fast step 8 draws per instruction, the ~1% it rejects redone by exp1;
// chosen at run time, faults/simd.h); both use the same IEEE operations in the same
// order (j converted exactly as the scalar cast rounds it, two multiplies, min, truncation), so
// they agree bit for bit (nested_test compares them).
constexpr int kGapBatch = 16;

// One integer gap from a draw's 64 bits: trunc(min(Exp(1) * scale, 2^62)), Exp(1) by exp1.
std::uint64_t gap_from_bits(const ExpZiggurat& z, std::uint64_t h, double scale) {
  return static_cast<std::uint64_t>(static_cast<std::int64_t>(std::min(exp1(z, h) * scale, 0x1p62)));
}

void fill_gaps_scalar(const LevelDraws& rng, std::uint64_t d0, double scale, std::uint64_t* out) {
  const ExpZiggurat& z = ziggurat();
  for (int i = 0; i < kGapBatch; ++i) out[i] = gap_from_bits(z, rng.bits(d0 + static_cast<std::uint64_t>(i)), scale);
}

#if MEMLAPSE_AVX512_KERNELS
// GCC 12's avx512fintrin.h trips -Wuninitialized inside _mm512_srli_epi64 (a false positive).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
MEMLAPSE_AVX512_TARGET void fill_gaps_avx512(const LevelDraws& rng, std::uint64_t d0, double scale, std::uint64_t* out) {
  const ExpZiggurat& z = ziggurat();
  alignas(64) std::uint64_t h[kGapBatch];
  std::uint32_t rejected = 0;
  const __m512i golden = _mm512_set1_epi64(static_cast<long long>(0x9E3779B97F4A7C15ULL));
  const __m512i c1 = _mm512_set1_epi64(static_cast<long long>(0xBF58476D1CE4E5B9ULL));
  const __m512i c2 = _mm512_set1_epi64(static_cast<long long>(0x94D049BB133111EBULL));
  const __m512i lanes = _mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7);
  const __m512i key = _mm512_set1_epi64(static_cast<long long>(rng.key()));
  const __m512d vscale = _mm512_set1_pd(scale), cap = _mm512_set1_pd(0x1p62);
  for (int b = 0; b < kGapBatch; b += 8) {
    // bits(i) = mix64(key + i * golden); mix64 adds golden first.
    const __m512i i = _mm512_add_epi64(_mm512_set1_epi64(static_cast<long long>(d0 + static_cast<std::uint64_t>(b) + 1)), lanes);
    __m512i x = _mm512_add_epi64(key, _mm512_mullo_epi64(i, golden));
    x = _mm512_mullo_epi64(_mm512_xor_si512(x, _mm512_srli_epi64(x, 30)), c1);
    x = _mm512_mullo_epi64(_mm512_xor_si512(x, _mm512_srli_epi64(x, 27)), c2);
    x = _mm512_xor_si512(x, _mm512_srli_epi64(x, 31));
    _mm512_store_si512(reinterpret_cast<__m512i*>(h + b), x);
    const __m512i layer = _mm512_and_si512(x, _mm512_set1_epi64(255));
    const __m512i j = _mm512_srli_epi64(x, 8);
    const __m512i k = _mm512_i64gather_epi64(layer, reinterpret_cast<const long long*>(z.k), 8);
    rejected |= static_cast<std::uint32_t>(_mm512_cmpge_epu64_mask(j, k)) << b;
    const __m512d w = _mm512_i64gather_pd(layer, z.w, 8);
    const __m512d g = _mm512_min_pd(_mm512_mul_pd(_mm512_mul_pd(_mm512_cvtepu64_pd(j), w), vscale), cap);
    _mm512_storeu_si512(reinterpret_cast<__m512i*>(out + b), _mm512_cvttpd_epi64(g));
  }
  for (; rejected != 0; rejected &= rejected - 1) {  // the ~1% the fast step rejects: exp1 one by one
    const int i = std::countr_zero(rejected);
    out[i] = gap_from_bits(z, h[i], scale);
  }
}
#pragma GCC diagnostic pop
#endif

using FillGaps = void (*)(const LevelDraws&, std::uint64_t, double, std::uint64_t*);

// The build for this CPU, chosen once per level (LevelCandidates keeps it).
FillGaps fill_gaps_now() {
#if MEMLAPSE_AVX512_KERNELS
  if (simd_kernels_enabled()) return fill_gaps_avx512;
#endif
  return fill_gaps_scalar;
}

// Positions of C_k in [0, n) in increasing order, by geometric skipping (gap above); the i-th gap
// uses draw i of substream k. next() is the current candidate, or n once the level is exhausted;
// run_to(end, f) hands every candidate below `end` to f. Gaps are drawn kGapBatch at a time
// (fill_gaps): a batch's unused gaps wait for the next call.
class LevelCandidates {
 public:
  LevelCandidates(const CounterRng& rng, int k, std::uint64_t n)
      : rng_(rng.substream(static_cast<std::uint64_t>(k))), n_(n) {
    const double q = candidate_rate(k);
    scale_ = q >= 1.0 ? 0.0 : -1.0 / std::log1p(-q);  // q = 1: every gap is 0, every bit a candidate
    // Draw 0 alone (most levels of a sparse rate have no candidate at all); batches from draw 1.
    next_ = std::min(gap_from_bits(ziggurat(), rng_.bits(0), scale_), n_);
    draws_ = 1;
    at_ = kGapBatch;
  }
  std::uint64_t next() const { return next_; }
  template <class F>
  void run_to(std::uint64_t end, F&& f) {
    // The state in locals: f's stores (bitmap words) could alias the members otherwise. c < n <
    // 2^62 and a gap <= 2^62, so c + 1 + gap cannot overflow; c is clamped to n at the end.
    std::uint64_t c = next_;
    int at = at_;
    while (c < end) {
      f(c);
      if (at == kGapBatch) {
        refill();
        at = 0;
      }
      c += 1 + gaps_[at++];
    }
    at_ = at;
    next_ = std::min(c, n_);
  }

 private:
  void refill() {
    fill_(rng_, draws_, scale_, gaps_);
    draws_ += kGapBatch;
    at_ = 0;
  }

  LevelDraws rng_;
  FillGaps fill_ = fill_gaps_now();
  std::uint64_t n_;
  double scale_ = 0.0;
  std::uint64_t draws_ = 0;
  std::uint64_t next_ = 0;
  int at_ = 0;
  std::uint64_t gaps_[kGapBatch];
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

// One window of kWindow bits as a bitmap. Sparse rates keep two summary levels (a bit per non-zero
// word, kept while setting; a bit per non-zero summary word, built when draining), so draining
// costs O(set bits), not O(window). Dense rates (kDense below: a window's candidates fill a
// sizeable part of its words) skip the summary: setting a bit is one read-modify-write and the
// drain scans the words.
constexpr int kWindowLog = 18;
constexpr std::uint64_t kWindow = std::uint64_t{1} << kWindowLog;
struct WindowBitmap {
  static constexpr std::size_t kWords = kWindow / 64;
  std::uint64_t summary[kWords / 64] = {};
  std::uint64_t words[kWords] = {};

  // Contract: sets bit `off` when `on` (as few instructions as possible: the window's hit count
  // is taken when draining, the top summary level is built there from the 64 summary words).
  template <bool Dense>
  void set_if(std::uint64_t off, bool on) {
    const std::uint64_t w = off >> 6, m = static_cast<std::uint64_t>(on);
    words[w] |= m << (off & 63);
    if constexpr (!Dense) summary[w >> 6] |= m << (w & 63);
  }
  // Contract: writes base + each set bit's offset, increasing, to out; leaves the bitmap empty.
  // May write kSlack entries past the last one (scratch the caller provides): each word's first
  // bits are stored unconditionally (drain_word), so sparse words cost no mispredicted branches.
  // Dense: the summary is not kept, the first `used` words are scanned.
  static constexpr std::size_t kSlack = 1;
  std::uint64_t* drain(std::uint64_t base, std::uint64_t* out, bool dense, std::size_t used) {
    if (dense) {
      for (std::size_t w = 0; w < used; ++w) out = drain_word<2>(w, base, out);  // ~0.6 bits per word
      return out;
    }
    std::uint64_t top = 0;
    for (std::size_t s = 0; s < kWords / 64; ++s) top |= static_cast<std::uint64_t>(summary[s] != 0) << s;
    for (std::uint64_t t = top; t != 0; t &= t - 1) {
      const auto s = static_cast<std::size_t>(std::countr_zero(t));
      for (std::uint64_t sm = summary[s]; sm != 0; sm &= sm - 1) {
        out = drain_word<4>(s * 64 + static_cast<std::size_t>(std::countr_zero(sm)), base, out);
      }
      summary[s] = 0;
    }
    return out;
  }
  // Contract: empties the bitmap without listing it (after the words were handed out whole).
  void clear(bool dense, std::size_t used) {
    if (dense) {
      std::fill_n(words, used, std::uint64_t{0});
      return;
    }
    for (std::size_t s = 0; s < kWords / 64; ++s) {
      for (std::uint64_t sm = summary[s]; sm != 0; sm &= sm - 1) words[s * 64 + static_cast<std::size_t>(std::countr_zero(sm))] = 0;
      summary[s] = 0;
    }
  }

 private:
  // A word's first kAlways bits are stored unconditionally (x | 2^63 is never zero, so the ctz
  // needs no zero test; an entry past the word's bits is written but not counted).
  template <int kAlways>
  std::uint64_t* drain_word(std::size_t w, std::uint64_t base, std::uint64_t* out) {
    const std::uint64_t wb = base + w * 64;
    std::uint64_t x = words[w];
    words[w] = 0;
    for (int i = 0; i < kAlways; ++i) {
      *out = wb + static_cast<std::uint64_t>(std::countr_zero(x | kTopBit));
      out += x != 0;
      x &= x - 1;
    }
    for (; x != 0; x &= x - 1) *out++ = wb + static_cast<std::uint64_t>(std::countr_zero(x));
    return out;
  }
  static constexpr std::uint64_t kTopBit = std::uint64_t{1} << 63;
};

// Dense mode from r_K >= 2^-8: a window then holds ~1,000 or more candidates in its 4,096 words.
constexpr double kDenseRate = 0x1p-8;

// The window loop of nested_hits_impl (Dense: see WindowBitmap).
template <bool Dense, class Sink>
void nested_windows(const CounterRng& rng, std::uint64_t n, double p, int K, WindowBitmap& bm, Sink& sink) {
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
        bm.set_if<Dense>(c - w0, true);
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
      bm.set_if<Dense>(c - w0, hit);
      count += hit;
    });
    if (count != 0) sink.window(w0, w1, count, bm, Dense);
  }
}

// The sampler. Per non-empty window [w0, w1) it forms the hit bitmap and calls
// sink.window(w0, w1, count, bm, dense), where count bounds the hits (candidates set) and the sink
// must leave bm empty (drain or clear with the same `dense`).
template <class Sink>
void nested_hits_impl(const CounterRng& rng, std::uint64_t n, double p, Sink& sink) {
  if (n == 0 || !(p > 0.0)) return;  // also NaN
  MEMLAPSE_CHECK(n < (std::uint64_t{1} << 62), "nested sampler: a range of 2^62 bits or more");
  const auto bm = std::make_unique<WindowBitmap>();
  if (p >= 1.0) {
    for (std::uint64_t w0 = 0; w0 < n; w0 += kWindow) {
      const std::uint64_t w1 = n - w0 > kWindow ? w0 + kWindow : n;
      for (std::uint64_t j = w0; j < w1; ++j) bm->set_if<true>(j - w0, true);
      sink.window(w0, w1, w1 - w0, *bm, true);
    }
    return;
  }
  const int K = partial_level(p);
  if (ladder().r[K] >= kDenseRate) {
    nested_windows<true>(rng, n, p, K, *bm, sink);
  } else {
    nested_windows<false>(rng, n, p, K, *bm, sink);
  }
}

// Words of a window [w0, w1).
std::size_t window_words(std::uint64_t w0, std::uint64_t w1) { return static_cast<std::size_t>((w1 - w0 + 63) / 64); }

struct VectorSink {
  std::vector<std::uint64_t>& out;
  void window(std::uint64_t w0, std::uint64_t w1, std::uint64_t count, WindowBitmap& bm, bool dense) {
    const std::size_t at = out.size();
    out.resize(at + static_cast<std::size_t>(count) + WindowBitmap::kSlack);
    const auto c = static_cast<std::size_t>(bm.drain(w0, out.data() + at, dense, window_words(w0, w1)) - (out.data() + at));
    out.resize(at + c);
  }
};

template <class F>
struct BlockSink {
  F& f;
  std::vector<std::uint64_t> buf;
  void window(std::uint64_t w0, std::uint64_t w1, std::uint64_t count, WindowBitmap& bm, bool dense) {
    buf.resize(static_cast<std::size_t>(count) + WindowBitmap::kSlack);
    const auto c = static_cast<std::size_t>(bm.drain(w0, buf.data(), dense, window_words(w0, w1)) - buf.data());
    if (c != 0) f(std::span<const std::uint64_t>(buf.data(), c));
  }
};

template <class F>
struct WordSink {
  F& f;
  void window(std::uint64_t w0, std::uint64_t w1, std::uint64_t, WindowBitmap& bm, bool dense) {
    const std::size_t used = window_words(w0, w1);
    f(w0, std::span<const std::uint64_t>(bm.words, used));
    bm.clear(dense, used);
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

void for_each_nested_window(const CounterRng& rng, std::uint64_t n, double p,
                            const std::function<void(std::uint64_t, std::span<const std::uint64_t>)>& window) {
  WordSink<const std::function<void(std::uint64_t, std::span<const std::uint64_t>)>> sink{window};
  nested_hits_impl(rng, n, p, sink);
}

bool nested_windows_are_dense(double p) { return p >= 1.0 || (p > 0.0 && ladder().r[partial_level(p)] >= kDenseRate); }

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
