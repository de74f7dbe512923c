// The searches against synthetic tolerance curves with a planted threshold or violation.
#include "memlapse/characterize/search.h"

#include <gtest/gtest.h>

#include <cmath>

#include "memlapse/core/error.h"

namespace memlapse {
namespace {

DecideFn threshold_at(double planted, int* calls) {
  return [planted, calls](double x) {
    ++*calls;
    Probe p;
    p.verdict = x <= planted ? Verdict::kMeets : Verdict::kFails;
    p.inferences = 100;
    return p;
  };
}

TEST(SearchTolerance, FindsAPlantedRateThresholdOnALogScale) {
  int calls = 0;
  const SearchResult r = search_tolerance(Axis::log(1e-7, 1e-1, 1.1), threshold_at(2.345e-3, &calls));
  ASSERT_TRUE(r.any_tolerable);
  EXPECT_FALSE(r.all_tolerable);
  EXPECT_LE(r.tolerable, 2.345e-3);
  EXPECT_GT(r.first_failing, 2.345e-3);
  EXPECT_LE(r.first_failing / r.tolerable, 1.1 + 1e-9);
  EXPECT_TRUE(r.violations.empty());
  EXPECT_EQ(static_cast<int>(r.visited.size()), calls);
  EXPECT_EQ(r.inferences, 100u * calls);
  // 7 decade points, then bisection of one decade down to 1.1: ceil(log2(ln 10 / ln 1.1)) = 5.
  EXPECT_EQ(calls, 7 + 5);
}

TEST(SearchTolerance, FindsAPlantedParameterThresholdFromSafeToAggressive) {
  // SRAM voltage: safe 1.0, aggressive 0.8; tolerated down to 0.873.
  int calls = 0;
  auto decide = [&](double v) {
    ++calls;
    Probe p;
    p.verdict = v >= 0.873 ? Verdict::kMeets : Verdict::kFails;
    return p;
  };
  const SearchResult r = search_tolerance(Axis::linear(1.0, 0.8, 0.005), decide);
  ASSERT_TRUE(r.any_tolerable);
  EXPECT_GE(r.tolerable, 0.873);
  EXPECT_LT(r.first_failing, 0.873);
  EXPECT_LE(r.tolerable - r.first_failing, 0.005 + 1e-12);
}

TEST(SearchTolerance, IntegerParametersStepByOne) {
  int calls = 0;
  auto decide = [&](double b) {
    ++calls;
    Probe p;
    p.verdict = b <= 3 ? Verdict::kMeets : Verdict::kFails;
    return p;
  };
  const SearchResult r = search_tolerance(Axis::integers(1, 4), decide);
  EXPECT_EQ(r.tolerable, 3);
  EXPECT_EQ(r.first_failing, 4);
}

TEST(SearchTolerance, ReportsAPlantedViolation) {
  // Meets up to 1e-4, fails at 1e-3, meets again at 1e-2 (non-monotone), fails at 1e-1.
  auto decide = [](double x) {
    Probe p;
    p.verdict = (x <= 1.0001e-4 || std::fabs(x - 1e-2) < 1e-9) ? Verdict::kMeets : Verdict::kFails;
    return p;
  };
  const SearchResult r = search_tolerance(Axis::log(1e-7, 1e-1, 2.0), decide);
  ASSERT_EQ(r.violations.size(), 1u);
  EXPECT_NE(r.violations[0].find("meets at 0.01"), std::string::npos) << r.violations[0];
  EXPECT_NE(r.violations[0].find("0.001"), std::string::npos) << r.violations[0];
  // The bracket is still the first failure's.
  EXPECT_LT(r.tolerable, 1e-3);
}

TEST(SearchTolerance, UndecidedCountsAsNotTolerated) {
  auto decide = [](double x) {
    Probe p;
    p.verdict = x <= 1e-4 ? Verdict::kMeets : (x < 1e-3 ? Verdict::kUndecided : Verdict::kFails);
    return p;
  };
  const SearchResult r = search_tolerance(Axis::log(1e-7, 1e-1, 1.5), decide);
  EXPECT_LE(r.tolerable, 1e-4);
  EXPECT_TRUE(r.violations.empty());
}

TEST(SearchTolerance, EndsOfTheRange) {
  auto meets = [](double) { Probe p; p.verdict = Verdict::kMeets; return p; };
  auto fails = [](double) { Probe p; p.verdict = Verdict::kFails; return p; };
  const SearchResult all = search_tolerance(Axis::log(1e-6, 1e-2, 1.5), meets);
  EXPECT_TRUE(all.all_tolerable);
  EXPECT_EQ(all.tolerable, 1e-2);
  const SearchResult none = search_tolerance(Axis::log(1e-6, 1e-2, 1.5), fails);
  EXPECT_FALSE(none.any_tolerable);
  EXPECT_EQ(none.visited.size(), 5u);  // the grid only
  EXPECT_THROW(search_tolerance(Axis::log(0, 1e-2, 1.5), meets), Error);
  EXPECT_THROW(search_tolerance(Axis::log(1e-6, 1e-2, 1.0), meets), Error);
  EXPECT_THROW(search_tolerance(Axis::linear(1, 1, 0.1), meets), Error);
}

TEST(FineSweep, RaisesEachTypeUntilItCannotRise) {
  // The network meets the target while rate[t] <= cap[t] for every t.
  const std::vector<double> cap = {0.0015, 0.004, 0.0022};
  int calls = 0;
  auto decide = [&](const std::vector<double>& rates, std::size_t) {
    ++calls;
    Probe p;
    p.verdict = Verdict::kMeets;
    for (std::size_t t = 0; t < rates.size(); ++t) {
      if (rates[t] > cap[t] + 1e-15) p.verdict = Verdict::kFails;
    }
    p.inferences = 10;
    return p;
  };
  const FineResult r = fine_sweep({"first", "middle", "last"}, 0.001, 0.5, 100, decide);
  // Steps of 0.0005 from 0.001: first 0.0015 (1 raise), middle 0.004 (6), last 0.002 (2).
  EXPECT_EQ(r.steps, (std::vector<int>{1, 6, 2}));
  EXPECT_DOUBLE_EQ(r.tolerable[0], 0.0015);
  EXPECT_DOUBLE_EQ(r.tolerable[1], 0.004);
  EXPECT_DOUBLE_EQ(r.tolerable[2], 0.002);
  EXPECT_EQ(calls, 1 + 1 + 6 + 1 + 2 + 1);  // each raise, plus each type's final failed try
  EXPECT_EQ(r.inferences, 10u * calls);
  EXPECT_EQ(r.rounds, 7);
}

}  // namespace
}  // namespace memlapse
