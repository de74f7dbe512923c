// Recovery of 000's DRAM error models from simulated error maps (fit.h), and map validation.
#include "memlapse/faults/fit.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <unistd.h>

#include "memlapse/core/error.h"
#include "memlapse/core/rng.h"

namespace memlapse {
namespace {

constexpr std::uint64_t kRows = 128, kCols = 128, kReads = 16;

// Per-cell truth: weak probability, failure probability for stored 1 and stored 0.
struct Truth {
  std::vector<double> p, f1, f0;
};

Truth truth_for(int model, std::uint64_t trial) {
  Truth t;
  const std::size_t n = kRows * kCols;
  t.p.assign(n, 0.0);
  t.f1.assign(n, 0.0);
  t.f0.assign(n, 0.0);
  const CounterRng lines(99, trial, 7);
  for (std::uint64_t r = 0; r < kRows; ++r) {
    for (std::uint64_t c = 0; c < kCols; ++c) {
      const std::size_t i = r * kCols + c;
      switch (model) {
        case 0: t.p[i] = 0.02; t.f1[i] = t.f0[i] = 0.3; break;
        case 1: {  // 10% weak bitlines
          const bool weak = lines.uniform(c) <= 0.1;
          t.p[i] = weak ? 0.2 : 0.005;
          t.f1[i] = t.f0[i] = weak ? 0.4 : 0.3;
          break;
        }
        case 2: {  // 10% weak wordlines
          const bool weak = lines.uniform(1000 + r) <= 0.1;
          t.p[i] = weak ? 0.2 : 0.005;
          t.f1[i] = t.f0[i] = weak ? 0.4 : 0.3;
          break;
        }
        default: t.p[i] = 0.03; t.f1[i] = 0.5; t.f0[i] = 0.1; break;
      }
    }
  }
  return t;
}

ErrorMap simulate(const Truth& t, std::uint64_t seed) {
  ErrorMap m;
  m.rows = kRows;
  m.cols = kCols;
  m.reads = kReads;
  const std::size_t n = kRows * kCols;
  m.stored.resize(n);
  m.errors.resize(n);
  const CounterRng rng(seed, 0, 1);
  for (std::size_t i = 0; i < n; ++i) {
    m.stored[i] = static_cast<std::uint8_t>(rng.bits(3 * i) & 1);
    if (rng.uniform(3 * i + 1) > t.p[i]) continue;
    const double f = m.stored[i] ? t.f1[i] : t.f0[i];
    const CounterRng reads(seed, i + 1, 2);
    std::uint16_t k = 0;
    for (std::uint64_t r = 0; r < kReads; ++r) k = static_cast<std::uint16_t>(k + (reads.uniform(r) <= f));
    m.errors[i] = k;
  }
  return m;
}

double mean_where(const std::vector<double>& v, const std::vector<bool>& mask, bool want) {
  double s = 0;
  int n = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (mask[i] == want) s += v[i], ++n;
  }
  return n ? s / n : 0.0;
}

class FitRecovery : public ::testing::TestWithParam<int> {};

// 40 seeded trials per true model: parameters recovered within stated tolerances, right model
// selected in >= 95% (38 of 40).
TEST_P(FitRecovery, ParametersRecoveredAndModelSelected) {
  const int model = GetParam();
  int right = 0;
  for (std::uint64_t trial = 0; trial < 40; ++trial) {
    const Truth t = truth_for(model, trial);
    const ErrorMap m = simulate(t, 1000 * static_cast<std::uint64_t>(model) + trial);
    const FitResult r = fit_dram_models(m);
    ASSERT_EQ(r.models.size(), 4u);
    right += r.selected == "model" + std::to_string(model);
    const ModelFit& f = r.models[static_cast<std::size_t>(model)];
    for (std::size_t i = 1; i < 4; ++i) EXPECT_GE(r.models[i].log_likelihood, r.models[0].log_likelihood - 1e-6);
    if (model == 0) {
      // Tolerances: ~5 sigma of the estimates (P: ~330 weak cells -> 5.5% rel. sd).
      EXPECT_NEAR(f.params.at("P")[0], 0.02, 0.02 * 0.3) << trial;
      EXPECT_NEAR(f.params.at("F")[0], 0.3, 0.05) << trial;
    } else if (model == 3) {
      EXPECT_NEAR(f.params.at("P")[0], 0.03, 0.03 * 0.3) << trial;
      EXPECT_NEAR(f.params.at("F_V1")[0], 0.5, 0.06) << trial;
      EXPECT_NEAR(f.params.at("F_V0")[0], 0.1, 0.04) << trial;
    } else {
      const CounterRng lines(99, trial, 7);
      std::vector<bool> weak(model == 1 ? kCols : kRows);
      for (std::size_t i = 0; i < weak.size(); ++i) weak[i] = lines.uniform(model == 1 ? i : 1000 + i) <= 0.1;
      const auto& P = f.params.at(model == 1 ? "P_B" : "P_W");
      const auto& F = f.params.at(model == 1 ? "F_B" : "F_W");
      ASSERT_EQ(P.size(), weak.size());
      if (std::count(weak.begin(), weak.end(), true) == 0) continue;
      // Weak lines hold ~25 weak cells each: P and F are identified line by line. Other lines hold
      // ~0.6 weak cells each, so only their error rate P*F is checked, on average.
      std::vector<double> ber(P.size());
      for (std::size_t i = 0; i < P.size(); ++i) ber[i] = P[i] * F[i];
      EXPECT_NEAR(mean_where(P, weak, true), 0.2, 0.2 * 0.2) << trial;
      EXPECT_NEAR(mean_where(F, weak, true), 0.4, 0.05) << trial;
      EXPECT_NEAR(mean_where(ber, weak, false), 0.005 * 0.3, 0.0015 * 0.35) << trial;
    }
  }
  EXPECT_GE(right, 38) << "model " << model << " selected in " << right << " of 40 trials";
  std::printf("[ recovery ] model%d selected in %d/40 trials\n", model, right);
}

INSTANTIATE_TEST_SUITE_P(AllModels, FitRecovery, ::testing::Values(0, 1, 2, 3));

TEST(FitDramModels, AllZeroMapSelectsModel0WithPZero) {
  ErrorMap m;
  m.rows = 4;
  m.cols = 5;
  m.reads = 3;
  m.stored.assign(20, 1);
  m.errors.assign(20, 0);
  const FitResult r = fit_dram_models(m);
  EXPECT_EQ(r.selected, "model0");
  EXPECT_EQ(r.models[0].params.at("P")[0], 0.0);
  EXPECT_NE(fit_result_json(r).find("\"selected\": \"model0\""), std::string::npos);
}

// Bad or inconsistent maps give Errors that name the file and the problem.
class ErrorMapFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("memlapse_fit_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void write(const std::string& name, const std::string& bytes) {
    std::ofstream(dir_ / name, std::ios::binary) << bytes;
  }
  std::string message() {
    try {
      load_error_map(dir_.string());
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  }
  std::filesystem::path dir_;
};

TEST_F(ErrorMapFiles, ReportsMissingBadAndInconsistentFiles) {
  EXPECT_NE(message().find("map.json"), std::string::npos);
  write("map.json", "{\"rows\": 2, \"cols\": ");
  EXPECT_NE(message().find("not valid JSON"), std::string::npos);
  write("map.json", "{\"rows\": 2, \"cols\": 2}");
  EXPECT_NE(message().find("\"reads\""), std::string::npos);
  write("map.json", "{\"rows\": 2, \"cols\": 2, \"reads\": -3}");
  EXPECT_NE(message().find("positive integer"), std::string::npos);
  write("map.json", "{\"rows\": 2, \"cols\": 2, \"reads\": 4}");
  EXPECT_NE(message().find("stored.u8"), std::string::npos);
  write("stored.u8", std::string("\x00\x01\x01", 3));
  write("errors.u16", std::string(8, '\0'));
  EXPECT_NE(message().find("stored.u8 holds 3 bytes"), std::string::npos);
  write("stored.u8", std::string("\x00\x01\x02\x00", 4));
  EXPECT_NE(message().find("expected 0 or 1"), std::string::npos);
  write("stored.u8", std::string("\x00\x01\x01\x00", 4));
  write("errors.u16", std::string("\x00\x00\x05\x00\x00\x00\x00\x00", 8));
  EXPECT_NE(message().find("exceeds reads"), std::string::npos);
  write("errors.u16", std::string("\x00\x00\x02\x00\x00\x00\x00", 7));
  EXPECT_NE(message().find("odd size"), std::string::npos);
  write("errors.u16", std::string("\x00\x00\x02\x00\x00\x00\x01\x00", 8));
  EXPECT_EQ(message(), "");
  EXPECT_EQ(load_error_map(dir_.string()).errors[1], 2);
}

}  // namespace
}  // namespace memlapse
