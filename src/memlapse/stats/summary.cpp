#include "memlapse/stats/summary.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <string>

#include "memlapse/core/error.h"

namespace memlapse {

Summary summarize(std::span<const double> xs) {
  Summary s;
  s.n = xs.size();
  if (xs.empty()) return s;
  double sum = 0.0;
  for (double x : xs) sum += x;
  s.mean = sum / static_cast<double>(xs.size());
  if (xs.size() >= 2) {
    double ss = 0.0;  // two-pass: numerically stable for the small chip counts we have
    for (double x : xs) ss += (x - s.mean) * (x - s.mean);
    s.std = std::sqrt(ss / static_cast<double>(xs.size() - 1));
  }
  return s;
}

namespace {

// Continued fraction of I_x(a,b) (the standard even/odd expansion), evaluated with the modified
// Lentz method; converges fast for x < (a+1)/(a+b+2).
//   I_x(a,b) = x^a (1-x)^b / (a B(a,b)) * 1/(1 + d1/(1 + d2/(1 + ...)))
//   d_{2m+1} = -(a+m)(a+b+m) x / ((a+2m)(a+2m+1)),  d_{2m} = m(b-m) x / ((a+2m-1)(a+2m)).
double beta_continued_fraction(double x, double a, double b) {
  constexpr double kTiny = 1e-300;
  constexpr double kEps = 1e-16;
  constexpr int kMaxTerms = 100000;
  double f = kTiny, c = kTiny, d = 0.0;
  auto step = [&](double an) {  // one convergent with b_n = 1
    d = 1.0 + an * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1.0 + an / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    const double delta = c * d;
    f *= delta;
    return std::fabs(delta - 1.0) < kEps;
  };
  step(1.0);  // a_1 = 1
  for (int m = 0; m < kMaxTerms; ++m) {
    const double md = m;
    const double odd = -(a + md) * (a + b + md) * x / ((a + 2 * md) * (a + 2 * md + 1));
    if (step(odd) && m > 0) return f;
    const double even = (md + 1) * (b - md - 1) * x / ((a + 2 * md + 1) * (a + 2 * md + 2));
    if (step(even)) return f;
  }
  return f;  // not converged within kMaxTerms: the best estimate (only for absurd a, b)
}

// log B(a, b). For a large argument the plain lgamma difference cancels catastrophically
// (lgamma(1e15) ~ 3e16 has an ulp of 4), so lgamma(big) - lgamma(big + small) is taken from
// Stirling's series in a form without cancellation:
//   -(big - 1/2) log1p(small/big) - small log(big + small) + small + c(big) - c(big + small),
//   c(z) = 1/(12z) - 1/(360z^3) + 1/(1260z^5)  (error < 1/(1680 z^7)).
double log_beta(double a, double b) {
  const double small = std::min(a, b), big = std::max(a, b);
  if (big < 1e6) return std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b);
  auto c = [](double z) { return 1.0 / (12.0 * z) - 1.0 / (360.0 * z * z * z) + 1.0 / (1260.0 * std::pow(z, 5)); };
  const double sum = big + small;
  return std::lgamma(small) - (big - 0.5) * std::log1p(small / big) - small * std::log(sum) + small + c(big) - c(sum);
}

void check_shape(double a, double b, const char* who) {
  if (!(a > 0.0) || !(b > 0.0) || !std::isfinite(a) || !std::isfinite(b)) {
    std::ostringstream os;
    os << who << ": shape parameters must be positive and finite (a = " << a << ", b = " << b << ")";
    throw Error(os.str());
  }
}

}  // namespace

double regularized_incomplete_beta(double x, double a, double b) {
  check_shape(a, b, "regularized_incomplete_beta");
  if (!(x > 0.0)) return 0.0;
  if (x >= 1.0) return 1.0;
  // x^a (1-x)^b / B(a,b), the same factor for both branches; log1p keeps (1-x)^b accurate for
  // tiny x and huge b (binomial tails of 2^50 bits).
  const double log_front = a * std::log(x) + b * std::log1p(-x) - log_beta(a, b);
  if (x < (a + 1.0) / (a + b + 2.0)) return std::exp(log_front) * beta_continued_fraction(x, a, b) / a;
  return 1.0 - std::exp(log_front) * beta_continued_fraction(1.0 - x, b, a) / b;
}

double beta_quantile(double prob, double a, double b) {
  check_shape(a, b, "beta_quantile");
  if (!(prob > 0.0)) return 0.0;
  if (prob >= 1.0) return 1.0;
  // Bisection on the monotone CDF until the bracket cannot shrink in double precision.
  double lo = 0.0, hi = 1.0;
  for (int it = 0; it < 2000; ++it) {
    const double mid = 0.5 * (lo + hi);
    if (mid <= lo || mid >= hi) break;
    if (regularized_incomplete_beta(mid, a, b) < prob) lo = mid; else hi = mid;
  }
  return 0.5 * (lo + hi);
}

double student_t_quantile(double prob, double dof) {
  if (!(dof > 0.0)) throw Error("student_t_quantile: degrees of freedom must be > 0, got " + std::to_string(dof));
  if (!(prob > 0.0)) return -std::numeric_limits<double>::infinity();
  if (prob >= 1.0) return std::numeric_limits<double>::infinity();
  if (prob == 0.5) return 0.0;
  if (prob < 0.5) return -student_t_quantile(1.0 - prob, dof);
  // For t >= 0: P(T > t) = I_x(dof/2, 1/2) / 2 with x = dof / (dof + t^2).
  const double x = beta_quantile(2.0 * (1.0 - prob), 0.5 * dof, 0.5);
  return std::sqrt(dof * (1.0 - x) / x);
}

Interval student_t_interval(const Summary& s, double level, bool clamp01) {
  if (!(level > 0.0 && level < 1.0)) throw Error("student_t_interval: level must be in (0, 1), got " + std::to_string(level));
  Interval iv{s.mean, s.mean};
  if (s.n >= 2) {
    const double q = student_t_quantile(0.5 * (1.0 + level), static_cast<double>(s.n - 1));
    const double half = q * s.std / std::sqrt(static_cast<double>(s.n));
    iv = Interval{s.mean - half, s.mean + half};
  }
  if (clamp01) {
    iv.low = std::clamp(iv.low, 0.0, 1.0);
    iv.high = std::clamp(iv.high, 0.0, 1.0);
  }
  return iv;
}

Interval clopper_pearson(std::uint64_t k, std::uint64_t n, double level) {
  if (!(level > 0.0 && level < 1.0)) throw Error("clopper_pearson: level must be in (0, 1), got " + std::to_string(level));
  if (k > n) throw Error("clopper_pearson: k = " + std::to_string(k) + " exceeds n = " + std::to_string(n));
  if (n == 0) return Interval{0.0, 1.0};
  const double alpha = 1.0 - level;
  const auto kd = static_cast<double>(k), nd = static_cast<double>(n);
  Interval iv;
  iv.low = k == 0 ? 0.0 : beta_quantile(0.5 * alpha, kd, nd - kd + 1.0);
  iv.high = k == n ? 1.0 : beta_quantile(1.0 - 0.5 * alpha, kd + 1.0, nd - kd);
  return iv;
}

double prop1_upper_bound(double mean_error, std::size_t n_examples, std::size_t n_chips, double delta) {
  if (n_examples == 0 || n_chips == 0) throw Error("prop1_upper_bound: needs n_examples > 0 and n_chips > 0");
  if (!(delta > 0.0 && delta < 1.0)) throw Error("prop1_upper_bound: delta must be in (0, 1), got " + std::to_string(delta));
  // 004 App. C.2, Prop. 1 (alternative form): excess = sqrt(log((n+1)/delta)/n) * (sqrt(l)+sqrt(n))/sqrt(l).
  const auto n = static_cast<double>(n_examples), l = static_cast<double>(n_chips);
  return mean_error + std::sqrt(std::log((n + 1.0) / delta) / n) * (std::sqrt(l) + std::sqrt(n)) / std::sqrt(l);
}

}  // namespace memlapse
