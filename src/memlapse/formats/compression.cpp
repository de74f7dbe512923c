#include "memlapse/formats/compression.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "memlapse/core/error.h"
#include "memlapse/core/rng.h"

namespace memlapse {

std::uint64_t prune_by_magnitude(std::span<float> values, double sparsity) {
  MEMLAPSE_CHECK(sparsity >= 0.0 && sparsity <= 1.0, "prune: sparsity outside [0, 1]");
  const auto n = values.size();
  const auto k = static_cast<std::size_t>(std::llround(sparsity * static_cast<double>(n)));
  if (k > 0) {
    std::vector<std::uint32_t> order(n);
    std::iota(order.begin(), order.end(), 0u);
    auto smaller = [&](std::uint32_t a, std::uint32_t b) {
      const float fa = std::fabs(values[a]), fb = std::fabs(values[b]);
      return fa < fb || (fa == fb && a < b);
    };
    std::nth_element(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k - 1), order.end(), smaller);
    // order[0..k) now holds exactly the k smallest (|w|, index) pairs.
    for (std::size_t i = 0; i < k; ++i) values[order[i]] = 0.0f;
  }
  return static_cast<std::uint64_t>(std::count(values.begin(), values.end(), 0.0f));
}

std::uint32_t nearest_centroid(std::span<const float> centroids, float x) {
  const auto it = std::lower_bound(centroids.begin(), centroids.end(), x);
  auto hi = static_cast<std::size_t>(it - centroids.begin());
  if (hi == 0) return 0;
  if (hi == centroids.size()) return static_cast<std::uint32_t>(hi - 1);
  std::size_t lo = hi - 1;
  // Equal centroids: the lowest index among them.
  while (lo > 0 && centroids[lo - 1] == centroids[lo]) --lo;
  const double dl = static_cast<double>(x) - centroids[lo], dh = static_cast<double>(centroids[hi]) - x;
  return static_cast<std::uint32_t>(dl <= dh ? lo : hi);
}

namespace {

// k-means++ (Arthur & Vassilvitskii): first centre uniform, each next one drawn with probability
// proportional to the squared distance to the nearest chosen centre.
std::vector<double> kmeanspp_seed(std::span<const float> sample, int k, std::uint64_t seed) {
  const CounterRng rng(seed, 0, 0x6B6D65616E73ULL);  // "kmeans"
  std::vector<double> c;
  const std::size_t n = sample.size();
  std::vector<double> d2(n, 0.0);
  auto pick = [&](std::uint64_t draw, double total) -> std::size_t {
    double u = rng.uniform(draw) * total, acc = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      acc += d2[i];
      if (acc >= u && d2[i] > 0.0) return i;
    }
    for (std::size_t i = n; i-- > 0;) if (d2[i] > 0.0) return i;
    return 0;
  };
  c.push_back(sample[std::min(n - 1, static_cast<std::size_t>(rng.uniform(0) * static_cast<double>(n)))]);
  for (std::size_t i = 0; i < n; ++i) d2[i] = std::pow(sample[i] - c[0], 2);
  for (int j = 1; j < k; ++j) {
    const double total = std::accumulate(d2.begin(), d2.end(), 0.0);
    if (total <= 0.0) break;  // fewer distinct values than k
    const double x = sample[pick(static_cast<std::uint64_t>(j), total)];
    c.push_back(x);
    for (std::size_t i = 0; i < n; ++i) d2[i] = std::min(d2[i], (sample[i] - x) * (sample[i] - x));
  }
  return c;
}

}  // namespace

Clustering kmeans_cluster(std::span<const float> values, int k, const KMeansOptions& opt) {
  MEMLAPSE_CHECK(k >= 1, "kmeans: k must be positive");
  Clustering out;
  out.assignment.assign(values.size(), 0);
  if (values.empty()) {
    out.centroids.assign(static_cast<std::size_t>(k), 0.0f);
    return out;
  }
  // Deterministic sample for seeding: every (n / s)-th value.
  std::vector<float> sample;
  const std::uint64_t n = values.size();
  const std::uint64_t s = std::min<std::uint64_t>(n, std::max<std::uint64_t>(opt.init_sample, 1));
  sample.reserve(s);
  for (std::uint64_t i = 0; i < s; ++i) sample.push_back(values[i * n / s]);
  std::vector<double> c = kmeanspp_seed(sample, k, opt.seed);
  std::sort(c.begin(), c.end());
  std::vector<float> cf(c.begin(), c.end());
  std::vector<double> sum(c.size());
  std::vector<std::uint64_t> cnt(c.size());
  for (int it = 0; it < opt.max_iterations; ++it) {
    std::fill(sum.begin(), sum.end(), 0.0);
    std::fill(cnt.begin(), cnt.end(), 0);
    bool changed = false;
    for (std::uint64_t i = 0; i < n; ++i) {
      const std::uint32_t a = nearest_centroid(cf, values[i]);
      changed |= it == 0 || a != out.assignment[i];
      out.assignment[i] = a;
      sum[a] += values[i];
      ++cnt[a];
    }
    if (!changed) break;
    for (std::size_t j = 0; j < cf.size(); ++j) {
      if (cnt[j] > 0) cf[j] = static_cast<float>(sum[j] / static_cast<double>(cnt[j]));
    }
    std::vector<float> sorted = cf;
    std::sort(sorted.begin(), sorted.end());
    if (sorted != cf) {
      cf = sorted;  // keep ascending; assignments are recomputed next iteration
      changed = true;
    }
  }
  for (std::uint64_t i = 0; i < n; ++i) out.assignment[i] = nearest_centroid(cf, values[i]);
  while (cf.size() < static_cast<std::size_t>(k)) cf.push_back(cf.back());
  out.centroids = std::move(cf);
  return out;
}

}  // namespace memlapse
