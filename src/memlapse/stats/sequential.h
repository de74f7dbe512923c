#pragma once
// Sequential decisions: does an operating point meet an accuracy target? A target is "expected
// error <= threshold" (threshold = fault-free error + delta points, or a mismatch bound for
// unlabelled models) at confidence 1 - delta. Each observation is one chip (its own faults)
// evaluated on a block of examples drawn at random from the test set, so observations are
// i.i.d. with mean = the expected error over chips and the whole test set — the quantity the
// fixed-count rule (e.g. 50 chips x full test set) estimates.
//
// The procedure: two test martingales at the threshold m (testing by betting, Waudby-Smith &
// Ramdas, "Estimating means of bounded random variables by betting", JRSS-B 86(1) 2024, §3-§5):
//   K+_t = prod_i (1 + l+_i (X_i - m)),  l+_i in [0, c/m]        (bets that mu > m)
//   K-_t = prod_i (1 - l-_i (X_i - m)),  l-_i in [0, c/(1-m)]    (bets that mu < m)
// with X_i in [0,1], c = 1/2, and predictable bets chosen by aGRAPA (their eq. 26), the growth-
// rate-optimal bet of a second-order expansion: l+ = (mh - m)/(s2 + (mh - m)^2) clipped, l- the
// mirror, mh and s2 the running mean and variance of the past observations (priors 1/2, 1/4 with
// weight one). Under mu <= m, K+ is a non-negative supermartingale (E[1 + l(X - m)] <= 1), so by
// Ville's inequality P(sup_t K+_t >= 1/delta) <= delta; likewise K- under mu >= m. Verdict:
// "fails" the first time K+ >= 1/delta, "meets" the first time K- >= 1/delta. A wrong "fails"
// needs mu <= m, a wrong "meets" mu > m, so for any mu at most one of them can be wrong and
// P(wrong decision) <= delta however often we look (the test suite checks it by simulation).
// 1/sup K+ and 1/sup K- are anytime-valid p-values for mu <= m and mu >= m.
// Why this and not a repeated t-test, an SPRT or a Hoeffding/Bernstein sequence: a t-interval
// looked at after every chip has no error guarantee (the test suite shows it exceeding delta);
// an SPRT needs two simple hypotheses and a known distribution, which chip error rates do not
// have; confidence sequences for the whole mean pay for the full range [0,1] on both sides,
// while a bet against "mu <= m" may be as large as 1/m: deciding "fails" above a small threshold
// takes a handful of chips. Showing "meets" near the threshold is bounded by the range: a rare
// chip at 100% error cannot be excluded, so each observation earns at most ~(m - mu)/(1 - m) in
// log-capital; small example blocks per chip (many chips, few examples each) are what make it
// cheap (docs/characterization.md).
// Example:
//   SequentialTest t(/*threshold=*/0.0844, /*delta=*/0.05);   // clean 7.44% + 1 point
//   while (t.verdict() == Verdict::kUndecided && t.n() < 200) t.add(error_of_next_chip());
#include <cstdint>
#include <string>

#include "memlapse/stats/summary.h"

namespace memlapse {

enum class Verdict { kUndecided, kMeets, kFails };
std::string to_string(Verdict v);

class SequentialTest {
 public:
  // Contract: a test of mean <= threshold at error probability delta in (0, 1); Error otherwise.
  SequentialTest(double threshold, double delta);
  // Contract: adds one observation in [0, 1] (Error otherwise) and returns the verdict, which
  // never changes once decided.
  Verdict add(double x);
  Verdict verdict() const { return verdict_; }
  std::uint64_t n() const { return n_; }
  double mean() const { return n_ == 0 ? 0.0 : sum_ / static_cast<double>(n_); }
  // Contract: anytime-valid p-values for "mean <= threshold" (1/sup K+) and "mean >= threshold".
  double p_at_most() const { return 1.0 / max_up_; }
  double p_at_least() const { return 1.0 / max_down_; }
  double threshold() const { return threshold_; }
  double delta() const { return delta_; }

 private:
  double threshold_, delta_;
  std::uint64_t n_ = 0;
  double sum_ = 0, sum_sq_ = 0;                  // sum X, sum X^2
  double log_up_ = 0, log_down_ = 0;             // log K+, log K-
  double max_up_ = 1, max_down_ = 1;             // sup K+, sup K-
  Verdict verdict_ = Verdict::kUndecided;
};

// Contract: the fixed-count reference rule: with the chips' errors summarised in `s`, "meets"
// when the one-sided Student-t upper bound at 1 - delta is <= threshold, "fails" when the lower
// bound is above it, else undecided (n < 2: undecided). Valid for one look only (approximately:
// it assumes a normal mean).
Verdict fixed_count_verdict(const Summary& s, double threshold, double delta);

}  // namespace memlapse
