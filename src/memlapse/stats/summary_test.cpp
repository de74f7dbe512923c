#include "memlapse/stats/summary.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "memlapse/core/error.h"

namespace memlapse {
namespace {

// Golden values: Student-t and Clopper-Pearson table values (the lead's list; standard t tables),
// the rest computed independently with mpmath at 30 digits (betainc, regularized).

TEST(Summarize, MeanAndSampleStandardDeviation) {
  const std::vector<double> xs = {0.1, 0.2, 0.3, 0.4};
  const Summary s = summarize(xs);
  EXPECT_EQ(s.n, 4u);
  EXPECT_DOUBLE_EQ(s.mean, 0.25);
  EXPECT_NEAR(s.std, std::sqrt(0.05 / 3), 1e-15);  // divides by n - 1
  EXPECT_EQ(summarize(std::vector<double>{0.7}).std, 0.0);
  EXPECT_EQ(summarize(std::vector<double>{}).n, 0u);
}

TEST(IncompleteBeta, MatchesHighPrecisionValues) {
  EXPECT_NEAR(regularized_incomplete_beta(0.3, 2.5, 3.5), 0.296752989295666, 1e-13);
  EXPECT_NEAR(regularized_incomplete_beta(0.35, 100, 200), 0.732571464957544, 1e-12);
  EXPECT_NEAR(regularized_incomplete_beta(0.9, 0.5, 0.5), 0.795167235300867, 1e-13);  // 2/pi asin(sqrt x)
  EXPECT_EQ(regularized_incomplete_beta(0.0, 2, 3), 0.0);
  EXPECT_EQ(regularized_incomplete_beta(1.0, 2, 3), 1.0);
  EXPECT_THROW(regularized_incomplete_beta(0.5, 0.0, 1.0), Error);
}

TEST(IncompleteBeta, StaysAccurateForHugeShapes) {
  // P(Binomial(2^50 + 2, 1e-15) >= 3) = I_{1e-15}(3, 2^50): needs the cancellation-free log B.
  EXPECT_NEAR(regularized_incomplete_beta(1e-15, 3, std::ldexp(1.0, 50)), 0.104854312627382, 1e-9);
}

TEST(IncompleteBeta, SymmetryRelation) {
  for (double x : {0.01, 0.2, 0.5, 0.77, 0.99}) {
    EXPECT_NEAR(regularized_incomplete_beta(x, 3.5, 7.0) + regularized_incomplete_beta(1 - x, 7.0, 3.5), 1.0, 1e-14);
  }
}

TEST(StudentT, QuantilesMatchTables) {
  EXPECT_NEAR(student_t_quantile(0.975, 9), 2.262157, 1e-6);
  EXPECT_NEAR(student_t_quantile(0.975, 1), 12.7062, 1e-4);
  EXPECT_NEAR(student_t_quantile(0.975, 29), 2.04523, 1e-5);
  EXPECT_NEAR(student_t_quantile(0.995, 4), 4.60409487135, 1e-8);
  EXPECT_NEAR(student_t_quantile(0.9, 3), 1.6377443537, 1e-8);
  EXPECT_NEAR(student_t_quantile(0.999, 2), 22.3271247701, 1e-7);
  EXPECT_NEAR(student_t_quantile(0.975, 1e7), 1.959964, 1e-5);  // -> normal quantile
  EXPECT_NEAR(student_t_quantile(0.025, 9), -2.262157, 1e-6);
  EXPECT_EQ(student_t_quantile(0.5, 5), 0.0);
  EXPECT_THROW(student_t_quantile(0.9, 0), Error);
}

TEST(StudentT, IntervalIsMeanPlusMinusTTimesStandardError) {
  const std::vector<double> xs = {0.10, 0.12, 0.09, 0.11, 0.13, 0.10, 0.08, 0.12, 0.11, 0.14};
  const Summary s = summarize(xs);
  const Interval iv = student_t_interval(s, 0.95);
  const double half = 2.2621571628 * s.std / std::sqrt(10.0);
  EXPECT_NEAR(iv.low, s.mean - half, 1e-9);
  EXPECT_NEAR(iv.high, s.mean + half, 1e-9);
  const Interval one = student_t_interval(summarize(std::vector<double>{0.3}), 0.95);
  EXPECT_EQ(one.low, 0.3);
  EXPECT_EQ(one.high, 0.3);
  const Interval clamped = student_t_interval(Summary{0.01, 0.05, 5}, 0.95, true);
  EXPECT_EQ(clamped.low, 0.0);
  EXPECT_LT(student_t_interval(Summary{0.01, 0.05, 5}, 0.95, false).low, 0.0);
}

TEST(ClopperPearson, MatchesKnownIntervals) {
  Interval iv = clopper_pearson(0, 10, 0.95);
  EXPECT_EQ(iv.low, 0.0);
  EXPECT_NEAR(iv.high, 0.30850, 1e-5);
  iv = clopper_pearson(5, 10, 0.95);
  EXPECT_NEAR(iv.low, 0.18709, 1e-5);
  EXPECT_NEAR(iv.high, 0.81291, 1e-5);
  iv = clopper_pearson(1, 10, 0.95);
  EXPECT_NEAR(iv.low, 0.002528578544, 1e-10);
  EXPECT_NEAR(iv.high, 0.445016117, 1e-8);
  iv = clopper_pearson(10, 10, 0.95);
  EXPECT_NEAR(iv.low, 1 - 0.3084971078, 1e-9);
  EXPECT_EQ(iv.high, 1.0);
  iv = clopper_pearson(3, 50, 0.99);
  EXPECT_NEAR(iv.low, 0.006872485333, 1e-10);
  EXPECT_NEAR(iv.high, 0.2027062695, 1e-9);
  EXPECT_THROW(clopper_pearson(11, 10, 0.95), Error);
}

TEST(BetaQuantile, InvertsTheIncompleteBeta) {
  for (double p : {1e-8, 0.01, 0.3, 0.5, 0.9, 0.999999}) {
    const double x = beta_quantile(p, 4.0, 9.5);
    EXPECT_NEAR(regularized_incomplete_beta(x, 4.0, 9.5), p, 1e-13 + 1e-12 * p);
  }
}

TEST(Prop1, BoundIsPaperFormula) {
  // 004 App. C.2: n = 1e4 test examples, l = 1e6 chips, delta = 0.01 -> excess 4.1%; n = 1e5 -> 1.7%.
  EXPECT_NEAR(prop1_upper_bound(0.0, 10000, 1000000, 0.01), 0.0408862920415720, 1e-13);
  EXPECT_NEAR(prop1_upper_bound(0.0, 100000, 1000000, 0.01), 0.0167104462240897, 1e-13);
  const double n = 500, l = 20, delta = 0.05, mean = 0.07;
  EXPECT_NEAR(prop1_upper_bound(mean, 500, 20, delta),
              mean + std::sqrt(std::log((n + 1) / delta) / n) * (std::sqrt(l) + std::sqrt(n)) / std::sqrt(l), 1e-15);
  EXPECT_THROW(prop1_upper_bound(0.1, 0, 10, 0.05), Error);
  EXPECT_THROW(prop1_upper_bound(0.1, 10, 10, 1.5), Error);
}

}  // namespace
}  // namespace memlapse
