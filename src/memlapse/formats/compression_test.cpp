#include "memlapse/formats/compression.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>

namespace memlapse {
namespace {

std::vector<float> random_values(std::size_t n, std::uint32_t seed) {
  std::mt19937 g(seed);
  std::normal_distribution<float> d(0.0f, 0.05f);
  std::vector<float> v(n);
  for (auto& x : v) x = d(g);
  return v;
}

TEST(Pruning, ReachesTargetSparsityAndRemovesOnlyTheSmallestMagnitudes) {
  for (std::uint32_t seed = 1; seed <= 6; ++seed) {
    for (double s : {0.0, 0.1, 0.5, 0.899, 1.0}) {
      const std::size_t n = 37 + seed * 113;
      const auto orig = random_values(n, seed);
      auto v = orig;
      const std::uint64_t zeros = prune_by_magnitude(v, s);
      EXPECT_EQ(zeros, static_cast<std::uint64_t>(std::llround(s * static_cast<double>(n)))) << "seed " << seed << " s " << s;
      float max_pruned = 0.0f, min_kept = INFINITY;
      for (std::size_t i = 0; i < n; ++i) {
        if (v[i] == 0.0f) max_pruned = std::max(max_pruned, std::fabs(orig[i]));
        else { min_kept = std::min(min_kept, std::fabs(orig[i])); EXPECT_EQ(v[i], orig[i]); }
      }
      EXPECT_LE(max_pruned, min_kept);
    }
  }
}

TEST(KMeans, AssignsEveryValueToItsNearestAscendingCentroid) {
  for (std::uint32_t seed = 1; seed <= 5; ++seed) {
    for (int k : {4, 16, 64, 256}) {
      const auto v = random_values(500 + 300 * seed, seed);
      const Clustering c = kmeans_cluster(v, k, {seed, 30, 65536});
      ASSERT_EQ(c.centroids.size(), static_cast<std::size_t>(k));
      EXPECT_TRUE(std::is_sorted(c.centroids.begin(), c.centroids.end()));
      for (std::size_t i = 0; i < v.size(); ++i) {
        const double d = std::fabs(static_cast<double>(v[i]) - c.centroids[c.assignment[i]]);
        for (float cj : c.centroids) ASSERT_LE(d, std::fabs(static_cast<double>(v[i]) - cj));
      }
    }
  }
}

TEST(KMeans, IsDeterministicForASeedAndBetterThanUniformLevels) {
  const auto v = random_values(4000, 9);
  const Clustering a = kmeans_cluster(v, 16, {7, 30, 65536});
  const Clustering b = kmeans_cluster(v, 16, {7, 30, 65536});
  EXPECT_EQ(a.centroids, b.centroids);
  EXPECT_EQ(a.assignment, b.assignment);
  // Lloyd's fixed point has lower squared error than 16 uniform levels over [min, max].
  const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  double e_km = 0, e_uni = 0;
  for (float x : v) {
    e_km += std::pow(x - a.centroids[nearest_centroid(a.centroids, x)], 2);
    const double step = (*hi - *lo) / 15.0;
    e_uni += std::pow(x - (*lo + step * std::round((x - *lo) / step)), 2);
  }
  EXPECT_LT(e_km, e_uni);
}

TEST(KMeans, IsExactWithNoMoreDistinctValuesThanCentroids) {
  const std::vector<float> v = {0.5f, -0.25f, 0.5f, 1.0f, -0.25f, 0.125f};
  const Clustering c = kmeans_cluster(v, 8, {1, 30, 65536});
  for (std::size_t i = 0; i < v.size(); ++i) EXPECT_EQ(c.centroids[c.assignment[i]], v[i]);
}

}  // namespace
}  // namespace memlapse
