#include "memlapse/experiment/campaign.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "memlapse/core/error.h"

namespace memlapse {
namespace {

namespace fs = std::filesystem;

// A toy model: 20 "examples"; prediction i is the sign pattern of weight i (0/1), labels are the
// fault-free predictions except two, so clean error is 10% and every flipped sign shows up.
class SignModel : public ModelUnderTest {
 public:
  explicit SignModel(std::vector<float> w) : w_(std::move(w)) {
    labels_ = predict();
    labels_[0] = 1 - labels_[0];
    labels_[1] = 1 - labels_[1];
  }
  void load(const MemoryImage& image, std::span<const Injection::Touched> touched) override {
    for (const auto& t : touched) w_[t.element] = image.read(t.tensor, t.element);
  }
  std::vector<std::int64_t> predict() override {
    std::vector<std::int64_t> p;
    for (float x : w_) p.push_back(x < 0 ? 1 : 0);
    return p;
  }
  const std::vector<std::int64_t>& labels() const override { return labels_; }
  std::vector<float> w_;

 private:
  std::vector<std::int64_t> labels_;
};

struct Fixture {
  std::vector<float> w;
  std::unique_ptr<MemoryImage> image;
  std::unique_ptr<SignModel> model;
  Fixture() {
    for (int i = 0; i < 20; ++i) w.push_back((i % 3 == 0 ? -1.f : 1.f) * (0.1f + 0.04f * static_cast<float>(i)));
    image = std::make_unique<MemoryImage>(make_format("fixed", {{"bits", "8"}}));
    image->add_tensor("w", {20}, w);
    std::vector<float> stored(20);
    image->read_tensor(0, stored);
    model = std::make_unique<SignModel>(stored);
  }
};

CampaignSpec spec() {
  CampaignSpec s;
  s.rates = {0.0, 0.05, 0.2};
  s.chips = 6;
  s.seed = 7;
  s.header = {{"model", "sign"}, {"format", "fixed8"}};
  return s;
}

TEST(Campaign, ZeroRateReproducesCleanErrorAndImageIsRestored) {
  Fixture f;
  auto d = fs::temp_directory_path() / "memlapse_campaign_zero";
  fs::remove_all(d);
  std::vector<std::uint8_t> before(f.image->bytes().begin(), f.image->bytes().end());
  ResultsLog log(d.string(), false);
  CampaignResult r = run_campaign(spec(), *f.image, *f.model, log);
  EXPECT_DOUBLE_EQ(r.clean_error, 0.1);
  ASSERT_EQ(r.points.size(), 3u);
  EXPECT_DOUBLE_EQ(r.points[0].error_mean, 0.1);
  EXPECT_DOUBLE_EQ(r.points[0].mismatch_mean, 0.0);
  EXPECT_GT(r.points[2].mismatch_mean, 0.0);
  EXPECT_GE(r.points[2].faults_mean, r.points[1].faults_mean);
  std::vector<std::uint8_t> after(f.image->bytes().begin(), f.image->bytes().end());
  EXPECT_EQ(before, after);
  EXPECT_EQ(f.model->predict(), Fixture().model->predict());
  write_campaign_outputs(d.string(), spec(), r);
  std::ifstream in(d / "results.json");
  auto j = nlohmann::json::parse(in);
  for (const char* k : {"model", "format", "fault_model", "seed", "clean_error", "points"}) EXPECT_TRUE(j.contains(k)) << k;
  for (const char* k : {"ber", "chips", "error_mean", "error_std", "error_ci_low", "error_ci_high", "mismatch_mean"}) {
    EXPECT_TRUE(j["points"][1].contains(k)) << k;
  }
  EXPECT_TRUE(j["complete"].get<bool>());
  EXPECT_TRUE(fs::exists(d / "error_vs_ber.svg"));
}

TEST(Campaign, ResumedRunEqualsUninterruptedRun) {
  auto d1 = fs::temp_directory_path() / "memlapse_campaign_full";
  auto d2 = fs::temp_directory_path() / "memlapse_campaign_resumed";
  fs::remove_all(d1);
  fs::remove_all(d2);
  Fixture a;
  ResultsLog full(d1.string(), false);
  CampaignResult ra = run_campaign(spec(), *a.image, *a.model, full);
  // Interrupt the second run after 7 chips via the stop flag, then resume.
  Fixture b;
  {
    ResultsLog log(d2.string(), false);
    int seen = 0;
    run_campaign(spec(), *b.image, *b.model, log, [&](std::uint64_t, std::uint64_t, const ChipRow&) {
      if (++seen == 7) campaign_stop_flag().store(true);
    });
    campaign_stop_flag().store(false);
    EXPECT_EQ(log.rows().size(), 7u);
  }
  ResultsLog log(d2.string(), true);
  int recomputed = 0;
  CampaignResult rb = run_campaign(spec(), *b.image, *b.model, log, [&](auto, auto, const ChipRow&) { ++recomputed; });
  EXPECT_EQ(recomputed, 18 - 7);
  ASSERT_EQ(ra.points.size(), rb.points.size());
  for (std::size_t i = 0; i < ra.points.size(); ++i) {
    EXPECT_EQ(ra.points[i].error_mean, rb.points[i].error_mean);
    EXPECT_EQ(ra.points[i].mismatch_mean, rb.points[i].mismatch_mean);
    EXPECT_EQ(ra.points[i].faults_mean, rb.points[i].faults_mean);
  }
}

TEST(Campaign, AggregatesMeanStdAndStudentInterval) {
  CampaignSpec s = spec();
  s.rates = {0.01};
  s.chips = 4;
  std::vector<ChipRow> rows;
  for (int c = 0; c < 4; ++c) {
    ChipRow r;
    r.chip = static_cast<std::uint64_t>(c);
    r.error = 0.1 + 0.02 * c;  // 0.10 0.12 0.14 0.16
    rows.push_back(r);
  }
  auto p = aggregate_rows(s, rows, 10000);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_NEAR(p[0].error_mean, 0.13, 1e-12);
  const double sd = std::sqrt((0.03 * 0.03 + 0.01 * 0.01) * 2 / 3);
  EXPECT_NEAR(p[0].error_std, sd, 1e-12);
  // t_{0.975, 3} = 3.182446 (standard table)
  EXPECT_NEAR(p[0].error_ci_high - p[0].error_mean, 3.182446 * sd / 2, 1e-5);
}

TEST(Campaign, RejectsEmptyRatesAndZeroChips) {
  Fixture f;
  auto d = fs::temp_directory_path() / "memlapse_campaign_bad";
  fs::remove_all(d);
  ResultsLog log(d.string(), false);
  CampaignSpec s = spec();
  s.rates.clear();
  EXPECT_THROW(run_campaign(s, *f.image, *f.model, log), Error);
  s = spec();
  s.chips = 0;
  EXPECT_THROW(run_campaign(s, *f.image, *f.model, log), Error);
}

}  // namespace
}  // namespace memlapse
