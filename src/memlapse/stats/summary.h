#pragma once
// Statistics for fault campaigns: sample mean/std over chips, confidence intervals, and 004's
// Proposition 1 bound (App. C.2) on the expected robust error.
// Example:
//   Summary s = summarize(chip_errors);               // mean, sample std (n-1), n
//   Interval ci = student_t_interval(s, 0.95);         // for the mean over chips
//   double ub = prop1_upper_bound(s.mean, n_test, n_chips, 0.05);
#include <cstddef>
#include <cstdint>
#include <span>

namespace memlapse {

struct Summary {
  double mean = 0.0;
  double std = 0.0;  // sample standard deviation (n-1); 0 when n < 2
  std::size_t n = 0;
};

struct Interval {
  double low = 0.0;
  double high = 0.0;
};

Summary summarize(std::span<const double> xs);

// Contract: two-sided Student-t interval for the mean at `level` (e.g. 0.95), clamped to [0,1]
// when clamp01; for n < 2 returns [mean, mean].
Interval student_t_interval(const Summary& s, double level, bool clamp01 = true);

// Contract: Clopper-Pearson exact two-sided interval for a binomial proportion k/n at `level`.
Interval clopper_pearson(std::uint64_t k, std::uint64_t n, double level);

// Contract: 004 App. C.2, Prop. 1: with probability 1 - delta the expected robust error is below
// mean + sqrt(log((n+1)/delta)/n) * (sqrt(l)+sqrt(n))/sqrt(l), n test examples, l chips.
double prop1_upper_bound(double mean_error, std::size_t n_examples, std::size_t n_chips, double delta);

// Quantiles used above, exposed for tests.
double student_t_quantile(double prob, double dof);
double beta_quantile(double prob, double a, double b);
double regularized_incomplete_beta(double x, double a, double b);

}  // namespace memlapse
