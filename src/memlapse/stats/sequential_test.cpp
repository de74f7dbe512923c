// The sequential decision's error rate, proved by simulation: many problems with known means
// right at the threshold (the hardest case), the count of wrong decisions checked against delta
// with a Clopper-Pearson interval. The same harness shows a t-interval looked at after every chip
// exceeding delta, so it can tell a valid procedure from an invalid one.
#include "memlapse/stats/sequential.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <functional>
#include <random>

#include "memlapse/core/error.h"

namespace memlapse {
namespace {

constexpr double kThreshold = 0.085;  // e.g. clean 7.5% + 1 point
constexpr double kDelta = 0.05;
constexpr int kExamples = 20;         // examples per chip observation (the characterization's default)
constexpr int kBudget = 2000;         // observations per problem

// One chip's error on a block of examples: its own rate (uniform around mu, so the mean over chips
// is exactly mu), then binomial over the examples.
struct Problem {
  double mu, spread;
  std::mt19937_64 rng;
  double draw() {
    std::uniform_real_distribution<double> u(mu - spread, mu + spread);
    std::binomial_distribution<int> b(kExamples, u(rng));
    return static_cast<double>(b(rng)) / kExamples;
  }
};

using Procedure = std::function<Verdict(Problem&, int& used)>;

Verdict sequential(Problem& p, int& used) {
  SequentialTest t(kThreshold, kDelta);
  for (used = 0; used < kBudget && t.verdict() == Verdict::kUndecided; ++used) t.add(p.draw());
  return t.verdict();
}

// The invalid procedure: a one-sided t-bound at 1 - delta re-examined after every chip.
Verdict peeking_t(Problem& p, int& used) {
  std::vector<double> xs;
  for (used = 1; used <= kBudget; ++used) {
    xs.push_back(p.draw());
    if (xs.size() < 5) continue;
    const Verdict v = fixed_count_verdict(summarize(xs), kThreshold, kDelta);
    if (v != Verdict::kUndecided) return v;
  }
  return Verdict::kUndecided;
}

struct Tally {
  int wrong = 0, undecided = 0, problems = 0;
  double mean_used = 0;
};

Tally run(const Procedure& proc, double mu, double spread, int problems, std::uint64_t seed) {
  Tally t;
  t.problems = problems;
  const Verdict right = mu <= kThreshold ? Verdict::kMeets : Verdict::kFails;
  for (int i = 0; i < problems; ++i) {
    Problem p{mu, spread, std::mt19937_64(seed * 1000003 + i)};
    int used = 0;
    const Verdict v = proc(p, used);
    t.wrong += v != Verdict::kUndecided && v != right;
    t.undecided += v == Verdict::kUndecided;
    t.mean_used += used;
  }
  t.mean_used /= problems;
  return t;
}

TEST(SequentialTest, WrongDecisionsStayWithinDeltaAtTheThreshold) {
  // mu exactly at the threshold ("meets" is right, "fails" wrong) and just above it.
  for (const double mu : {kThreshold, kThreshold + 0.002}) {
    for (const double spread : {0.0, 0.01}) {
      const Tally t = run(sequential, mu, spread, 1000, 7);
      // 99.9% Clopper-Pearson interval for the wrong-decision probability must reach below delta.
      const Interval ci = clopper_pearson(t.wrong, t.problems, 0.999);
      std::printf("mu %.3f spread %.2f: %d wrong, %d undecided of %d (%.0f chips on average)\n", mu, spread, t.wrong, t.undecided, t.problems, t.mean_used);
      EXPECT_LE(ci.low, kDelta) << "mu " << mu << " spread " << spread << ": " << t.wrong << " wrong of " << t.problems;
    }
  }
}

TEST(SequentialTest, TheHarnessCatchesATIntervalReexaminedAfterEveryChip) {
  const Tally t = run(peeking_t, kThreshold, 0.0, 1000, 11);
  const Interval ci = clopper_pearson(t.wrong, t.problems, 0.999);
  std::printf("peeking t-test at the threshold: %d wrong of %d\n", t.wrong, t.problems);
  EXPECT_GT(ci.low, kDelta) << t.wrong << " wrong of " << t.problems << ": the peeking t-test should exceed delta";
}

TEST(SequentialTest, DecidesClearCasesCorrectlyWithinTheBudget) {
  for (const double mu : {kThreshold - 0.02, kThreshold + 0.02, 0.5, 0.0}) {
    const Tally t = run(sequential, mu, 0.005, 200, 3);
    EXPECT_EQ(t.wrong, 0) << mu;
    EXPECT_EQ(t.undecided, 0) << mu;
    std::printf("mu %.3f: %.0f chips x %d examples on average\n", mu, t.mean_used, kExamples);
  }
}

TEST(SequentialTest, PValuesAreSmallOnlyOnTheTrueSide) {
  SequentialTest t(0.3, 0.05);
  std::mt19937_64 rng(5);
  std::binomial_distribution<int> b(100, 0.2);
  for (int i = 0; i < 200; ++i) t.add(b(rng) / 100.0);
  EXPECT_EQ(t.verdict(), Verdict::kMeets);
  EXPECT_LT(t.p_at_least(), 0.05);   // "mean >= 0.3" rejected
  EXPECT_GE(t.p_at_most(), 0.05);    // "mean <= 0.3" not
}

TEST(SequentialTest, ThresholdsOutsideTheRangeAreDecidedAtOnce) {
  EXPECT_EQ(SequentialTest(1.0, 0.05).verdict(), Verdict::kMeets);
  EXPECT_EQ(SequentialTest(-0.01, 0.05).verdict(), Verdict::kFails);
}

TEST(SequentialTest, VerdictIsSticky) {
  SequentialTest t(0.3, 0.05);
  for (int i = 0; i < 40; ++i) t.add(0.0);
  ASSERT_EQ(t.verdict(), Verdict::kMeets);
  for (int i = 0; i < 400; ++i) t.add(1.0);
  EXPECT_EQ(t.verdict(), Verdict::kMeets);
}

TEST(SequentialTest, RejectsBadInput) {
  EXPECT_THROW(SequentialTest(0.1, 0.0), Error);
  EXPECT_THROW(SequentialTest(0.1, 1.0), Error);
  EXPECT_THROW(SequentialTest(std::nan(""), 0.05), Error);
  SequentialTest t(0.1, 0.05);
  EXPECT_THROW(t.add(1.5), Error);
  EXPECT_THROW(t.add(std::nan("")), Error);
}

TEST(FixedCountVerdict, OneSidedStudentBound) {
  // 10 chips, mean 0.08, std 0.01: t_{0.95,9} = 1.833, half width 0.0058.
  Summary s{0.08, 0.01, 10};
  EXPECT_EQ(fixed_count_verdict(s, 0.0859, 0.05), Verdict::kMeets);
  EXPECT_EQ(fixed_count_verdict(s, 0.0857, 0.05), Verdict::kUndecided);
  EXPECT_EQ(fixed_count_verdict(s, 0.0741, 0.05), Verdict::kFails);
  EXPECT_EQ(fixed_count_verdict(Summary{0.08, 0.0, 1}, 0.5, 0.05), Verdict::kUndecided);
}

}  // namespace
}  // namespace memlapse
