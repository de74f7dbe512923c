#include "memlapse/experiment/campaign.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <sstream>

#include "memlapse/core/error.h"
#include "memlapse/experiment/svg_plot.h"
#include "memlapse/stats/summary.h"

namespace memlapse {
namespace {

double rate_of(const std::vector<std::int64_t>& a, const std::vector<std::int64_t>& b) {
  MEMLAPSE_CHECK(a.size() == b.size(), "prediction count mismatch");
  if (a.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::size_t diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff += a[i] != b[i];
  return static_cast<double>(diff) / static_cast<double>(a.size());
}

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

void on_signal(int) { campaign_stop_flag().store(true); }

}  // namespace

std::atomic<bool>& campaign_stop_flag() {
  static std::atomic<bool> flag{false};
  return flag;
}

void install_stop_signal_handlers() {
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
}

CampaignResult run_campaign(const CampaignSpec& spec, MemoryImage& image, ModelUnderTest& model,
                            ResultsLog& log, const ProgressFn& progress) {
  if (spec.rates.empty()) throw Error("sweep: no values given for the swept parameter '" + spec.rate_key + "'");
  if (spec.chips == 0) throw Error("sweep: --chips must be at least 1");
  const std::vector<std::int64_t> clean = model.predict();
  const auto& labels = model.labels();
  CampaignResult result;
  result.examples = clean.size();
  result.clean_error = labels.empty() ? std::numeric_limits<double>::quiet_NaN() : rate_of(clean, labels);
  const std::uint64_t total = spec.rates.size() * spec.chips;
  std::uint64_t done = log.rows().size();
  for (std::size_t ri = 0; ri < spec.rates.size() && !campaign_stop_flag().load(); ++ri) {
    auto params = spec.fault_params;
    params[spec.rate_key] = format_double(spec.rates[ri]);
    auto fault_model = make_fault_model(spec.fault_model, params);
    for (std::uint64_t chip = 0; chip < spec.chips; ++chip) {
      if (campaign_stop_flag().load()) break;
      if (log.has(ri, chip)) continue;
      ChipRow row;
      row.rate_index = ri;
      row.ber = spec.rates[ri];
      row.chip = chip;
      auto t0 = std::chrono::steady_clock::now();
      std::vector<std::int64_t> pred;
      {
        Injection inj(image, *fault_model, spec.seed, chip);  // = sample(image, seed, chip), applied
        row.faults = inj.fault_count();
        model.load(image, inj.touched());
        row.inject_ms = ms_since(t0);
        auto t1 = std::chrono::steady_clock::now();
        pred = model.predict();
        row.infer_ms = ms_since(t1);
        auto t2 = std::chrono::steady_clock::now();
        inj.revert();
        model.load(image, inj.touched());
        row.inject_ms += ms_since(t2);
      }
      row.error = labels.empty() ? std::numeric_limits<double>::quiet_NaN() : rate_of(pred, labels);
      row.mismatch = rate_of(pred, clean);
      log.append(row);
      ++done;
      if (progress) progress(done, total, row);
    }
  }
  result.interrupted = campaign_stop_flag().load() && done < total;
  result.points = aggregate_rows(spec, log.rows(), result.examples);
  return result;
}

std::vector<PointResult> aggregate_rows(const CampaignSpec& spec, const std::vector<ChipRow>& rows,
                                        std::size_t examples) {
  std::vector<PointResult> out;
  for (std::size_t ri = 0; ri < spec.rates.size(); ++ri) {
    std::vector<double> err, mis, faults, inj, inf;
    for (const auto& r : rows) {
      if (r.rate_index != ri) continue;
      if (r.chip >= spec.chips) continue;
      err.push_back(r.error);
      mis.push_back(r.mismatch);
      faults.push_back(static_cast<double>(r.faults));
      inj.push_back(r.inject_ms);
      inf.push_back(r.infer_ms);
    }
    if (err.empty()) continue;
    PointResult p;
    p.value = spec.rates[ri];
    auto params = spec.fault_params;
    params[spec.rate_key] = format_double(p.value);
    p.fault_params = make_fault_model(spec.fault_model, params)->params();
    auto it = p.fault_params.find("ber");
    p.ber = it != p.fault_params.end() ? std::strtod(it->second.c_str(), nullptr)
            : spec.rate_key == "ber"   ? p.value
                                       : std::numeric_limits<double>::quiet_NaN();
    p.chips = err.size();
    Summary se = summarize(err), sm = summarize(mis);
    p.error_mean = se.mean;
    p.error_std = se.std;
    Interval ci = student_t_interval(se, spec.ci_level);
    p.error_ci_low = ci.low;
    p.error_ci_high = ci.high;
    // A probability: a bound above 1 is vacuous and reported as 1.
    p.error_prop1_upper = std::isfinite(se.mean) ? std::min(1.0, prop1_upper_bound(se.mean, examples, err.size(), spec.prop1_delta))
                                                 : std::numeric_limits<double>::quiet_NaN();
    p.mismatch_mean = sm.mean;
    p.mismatch_std = sm.std;
    p.faults_mean = summarize(faults).mean;
    p.inject_ms_mean = summarize(inj).mean;
    p.infer_ms_mean = summarize(inf).mean;
    out.push_back(p);
  }
  return out;
}

namespace {

nlohmann::json num_or_null(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

}  // namespace

void write_campaign_outputs(const std::string& dir, const CampaignSpec& spec, const CampaignResult& r) {
  nlohmann::json j = spec.header;
  j["fault_model"] = spec.fault_model;
  j["fault_params"] = spec.fault_params;
  j["swept_parameter"] = spec.rate_key;
  j["seed"] = spec.seed;
  j["chips_per_rate"] = spec.chips;
  j["examples"] = r.examples;
  j["clean_error"] = num_or_null(r.clean_error);
  j["complete"] = !r.interrupted && r.points.size() == spec.rates.size() &&
                  std::all_of(r.points.begin(), r.points.end(), [&](const PointResult& p) { return p.chips == spec.chips; });
  j["interval"] = "error_ci_low/high: two-sided Student-t " + format_double(spec.ci_level) +
                  " interval over chips for the mean test error; error_prop1_upper: 004 App. C.2 Prop. 1 bound, delta=" +
                  format_double(spec.prop1_delta);
  nlohmann::json pts = nlohmann::json::array();
  for (const auto& p : r.points) {
    pts.push_back({{spec.rate_key, p.value}, {"ber", num_or_null(p.ber)}, {"fault_params", p.fault_params}, {"chips", p.chips}, {"error_mean", num_or_null(p.error_mean)},
                   {"error_std", num_or_null(p.error_std)}, {"error_ci_low", num_or_null(p.error_ci_low)},
                   {"error_ci_high", num_or_null(p.error_ci_high)}, {"error_prop1_upper", num_or_null(p.error_prop1_upper)},
                   {"mismatch_mean", p.mismatch_mean}, {"mismatch_std", p.mismatch_std}, {"faults_mean", p.faults_mean},
                   {"inject_ms_mean", p.inject_ms_mean}, {"infer_ms_mean", p.infer_ms_mean}});
  }
  j["points"] = pts;
  write_text_file(dir + "/results.json", j.dump(2) + "\n");
  const bool by_ber = spec.rate_key == "ber";
  SvgPlot plot("test error vs " + (by_ber ? std::string("bit error rate") : spec.rate_key),
               by_ber ? "bit error rate p" : spec.rate_key, "test error (%)");
  plot.log_x = by_ber;
  SvgSeries s;
  s.label = spec.header.value("format", std::string("model"));
  bool labelled = std::isfinite(r.clean_error);
  if (!labelled) { plot.title = "top-1 mismatch vs bit error rate"; plot.y_label = "mismatch vs fault-free (%)"; }
  for (const auto& p : r.points) {
    s.x.push_back(p.value);
    s.y.push_back(100 * (labelled ? p.error_mean : p.mismatch_mean));
    if (labelled) { s.band_low.push_back(100 * p.error_ci_low); s.band_high.push_back(100 * p.error_ci_high); }
  }
  plot.add(s);
  write_text_file(dir + "/error_vs_ber.svg", plot.render());
}

std::string format_campaign_table(const CampaignResult& r, const std::string& key) {
  std::ostringstream o;
  char buf[256];
  std::snprintf(buf, sizeof buf, "clean error %.2f%% on %zu examples\n", 100 * r.clean_error, r.examples);
  o << buf;
  if (key != "ber") {
    std::snprintf(buf, sizeof buf, "  %-10s", key.c_str());
    o << buf;
  }
  o << "  ber        chips  error%   std    95% CI (t)       Prop.1 ub  mismatch%  faults/chip  inject_ms  infer_ms\n";
  for (const auto& p : r.points) {
    if (key != "ber") {
      std::snprintf(buf, sizeof buf, "  %-10.4g", p.value);
      o << buf;
    }
    std::snprintf(buf, sizeof buf, "  %-9.3g  %5llu  %6.2f  %5.2f  [%6.2f, %6.2f]  %8.2f  %9.2f  %11.0f  %9.2f  %8.1f\n", p.ber,
                  static_cast<unsigned long long>(p.chips), 100 * p.error_mean, 100 * p.error_std, 100 * p.error_ci_low,
                  100 * p.error_ci_high, 100 * p.error_prop1_upper, 100 * p.mismatch_mean, p.faults_mean, p.inject_ms_mean,
                  p.infer_ms_mean);
    o << buf;
  }
  return o.str();
}

}  // namespace memlapse
