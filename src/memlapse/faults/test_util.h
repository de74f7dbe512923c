#pragma once
// Helpers shared by the fault-model tests (test-only; not part of the library).
#include <cmath>
#include <cstdint>

#include "memlapse/stats/summary.h"

namespace memlapse::testing {

// True when `count` is inside the two-sided acceptance region of Binomial(n, p) at total level
// `alpha` (each tail alpha/2): P(X <= count) > alpha/2 and P(X >= count) > alpha/2.
// P(X <= c) = 1 - I_p(c+1, n-c) and P(X >= c) = I_p(c, n-c+1); x = p is never rounded through
// 1 - p, and an absolute error near 1e-16 is harmless against alpha/2.
inline bool binomial_accepts(std::uint64_t count, std::uint64_t n, double p, double alpha = 1e-6) {
  const auto c = static_cast<double>(count), nd = static_cast<double>(n);
  const double lower = count >= n ? 1.0 : 1.0 - regularized_incomplete_beta(p, c + 1.0, nd - c);
  const double upper = count == 0 ? 1.0 : regularized_incomplete_beta(p, c, nd - c + 1.0);
  return lower > alpha / 2 && upper > alpha / 2;
}

// Chi-square statistic of observed counts against equal expected counts.
template <class Counts>
double chi_square_equal(const Counts& counts) {
  double total = 0.0;
  for (auto c : counts) total += static_cast<double>(c);
  const double e = total / static_cast<double>(counts.size());
  double chi2 = 0.0;
  for (auto c : counts) chi2 += (static_cast<double>(c) - e) * (static_cast<double>(c) - e) / e;
  return chi2;
}

}  // namespace memlapse::testing
