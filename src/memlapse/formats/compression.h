#pragma once
// Model compression before storage (001 §3.1.2, Table 2 "Pruned & Clustered"): magnitude pruning
// to a target sparsity per tensor, and per-tensor k-means clustering of the weights into 2^b
// centroids (stored as b-bit indices plus a codebook, Deep Compression style [001 ref. 26]).
// Example:
//   std::vector<float> w = ...;
//   prune_by_magnitude(w, 0.9);                       // the 90 % smallest |w| become 0
//   Clustering c = kmeans_cluster(nonzeros, 16, {.seed = 1});
//   float x = c.centroids[c.assignment[i]];
#include <cstdint>
#include <span>
#include <vector>

namespace memlapse {

// Contract: sets the round(sparsity * n) elements of smallest magnitude to 0 (ties: lower index
// first); 0 <= sparsity <= 1 (checked by the caller's schema). Returns the number of zeros after.
std::uint64_t prune_by_magnitude(std::span<float> values, double sparsity);

struct KMeansOptions {
  std::uint64_t seed = 1;
  int max_iterations = 30;
  std::uint64_t init_sample = 65536;  // k-means++ seeding runs on at most this many values
};

struct Clustering {
  std::vector<float> centroids;          // k entries, ascending
  std::vector<std::uint32_t> assignment;  // nearest centroid of every value (ties: lower index)
};

// Contract: 1-D k-means (Lloyd) seeded with k-means++ from CounterRng(seed): k centroids in
// ascending order and the nearest-centroid index of every value. Deterministic. With fewer
// distinct values than k the surplus centroids repeat the largest value. k >= 1; values may be
// empty (centroids all 0).
Clustering kmeans_cluster(std::span<const float> values, int k, const KMeansOptions& opt);

// Contract: the index of the centroid nearest to x in ascending `centroids` (ties: lower index).
std::uint32_t nearest_centroid(std::span<const float> centroids, float x);

}  // namespace memlapse
