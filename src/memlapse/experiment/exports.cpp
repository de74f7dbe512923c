// The exports of a results store: results.json (per-point summaries), results.csv (one row per
// trial) and one plot per swept key. The store is the record; these are views of it.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "memlapse/core/file.h"
#include "memlapse/core/svg_plot.h"
#include "memlapse/core/text.h"
#include "memlapse/experiment/report.h"
#include "memlapse/experiment/runner.h"

namespace memlapse {
namespace {

nlohmann::json num_or_null(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

}  // namespace

std::string csv_cell(const nlohmann::json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) {
    std::string s = v.get<std::string>();
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string q = "\"";
    for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
  }
  if (v.is_number_float()) return format_double(v.get<double>());
  return v.dump();
}

namespace {

std::string num(double v) { return std::isfinite(v) ? format_double(v) : ""; }

}  // namespace

nlohmann::json point_json(const PointSummary& p) {
  return {{"point", p.point},
          {"label", p.label},
          {"values", p.overrides},
          {"chips", p.chips},
          {"error_mean", num_or_null(p.error_mean)},
          {"error_std", num_or_null(p.error_std)},
          {"error_ci_low", num_or_null(p.error_ci_low)},
          {"error_ci_high", num_or_null(p.error_ci_high)},
          {"error_prop1_upper", num_or_null(p.error_prop1_upper)},
          {"mismatch_mean", num_or_null(p.mismatch_mean)},
          {"mismatch_std", num_or_null(p.mismatch_std)},
          {"mismatch_ci_low", num_or_null(p.mismatch_ci_low)},
          {"mismatch_ci_high", num_or_null(p.mismatch_ci_high)},
          {"faults_mean", p.faults_mean},
          {"partition_faults_mean", p.partition_faults_mean},
          {"inject_ms_mean", p.inject_ms_mean},
          {"infer_ms_mean", p.infer_ms_mean},
          {"info", p.info}};
}

std::vector<std::string> axis_keys(const std::vector<PointSummary>& points) {
  std::vector<std::string> keys;
  for (const auto& p : points) {
    for (const auto& [k, v] : p.overrides.items()) {
      if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
    }
  }
  return keys;
}

std::vector<AxisPlot> axis_plots(const std::vector<PointSummary>& points, bool mismatch) {
  std::vector<AxisPlot> out;
  const std::vector<std::string> keys = axis_keys(points);
  for (const auto& key : keys) {
    bool numeric = true;
    double lo = 1e300, hi = -1e300;
    for (const auto& p : points) {
      const auto& v = p.overrides.value(key, nlohmann::json());
      if (!v.is_number()) {
        numeric = false;
        break;
      }
      lo = std::min(lo, v.get<double>());
      hi = std::max(hi, v.get<double>());
    }
    if (!numeric || points.size() < 2) continue;
    const auto dot = key.find_last_of('.');
    std::string stem = dot == std::string::npos ? key : key.substr(dot + 1);
    if (std::count_if(keys.begin(), keys.end(), [&](const std::string& k) { return k.size() >= stem.size() && k.compare(k.size() - stem.size(), stem.size(), stem) == 0; }) > 1) {
      stem = key;
      std::replace(stem.begin(), stem.end(), '.', '_');
    }
    const std::string metric = mismatch ? "mismatch vs fault-free (%)" : "test error (%)";
    SvgPlot plot((mismatch ? "top-1 mismatch vs " : "test error vs ") + key, key, metric);
    plot.log_x = lo > 0 && hi / lo >= 20;
    // One series per combination of the other axes' values.
    std::map<std::string, std::size_t> series;
    for (const auto& p : points) {
      std::string label;
      for (const auto& [k, v] : p.overrides.items()) {
        if (k == key) continue;
        label += (label.empty() ? "" : ", ") + k.substr(k.find_last_of('.') == std::string::npos ? 0 : k.find_last_of('.') + 1) + "=" +
                 (v.is_string() ? v.get<std::string>() : v.dump());
      }
      if (label.empty()) label = p.info.value("format", std::string("model"));
      auto [it, fresh] = series.emplace(label, plot.series.size());
      if (fresh) plot.add({label, {}, {}, {}, {}});
      SvgSeries& s = plot.series[it->second];
      s.x.push_back(p.overrides[key].get<double>());
      s.y.push_back(100 * (mismatch ? p.mismatch_mean : p.error_mean));
      s.band_low.push_back(100 * (mismatch ? p.mismatch_ci_low : p.error_ci_low));
      s.band_high.push_back(100 * (mismatch ? p.mismatch_ci_high : p.error_ci_high));
    }
    out.push_back({key, stem, plot.render()});
  }
  return out;
}

void write_exports(const std::string& dir, const ResultsStore& store, const std::vector<PointSummary>& points) {
  const auto meta = store.all_meta();
  auto get = [&](const std::string& k) { auto it = meta.find(k); return it == meta.end() ? std::string() : it->second; };
  nlohmann::json j;
  j["experiment"] = get("name");
  j["description"] = get("description");
  j["memlapse_version"] = get("memlapse_version");
  j["git_revision"] = get("git_revision");
  j["fault_sampler_version"] = get("fault_sampler_version");
  j["command_line"] = get("command_line");
  j["spec"] = nlohmann::json::parse(get("spec_json").empty() ? "{}" : get("spec_json"), nullptr, false);
  j["interval"] = "error_ci_low/high: two-sided Student-t interval (level ci_level = " + get("ci_level") +
                  ") over chips for the mean test error; error_prop1_upper: 004 App. C.2 Prop. 1 bound, delta = " + get("prop1_delta");
  nlohmann::json pts = nlohmann::json::array();
  for (const auto& p : points) pts.push_back(point_json(p));
  j["points"] = pts;
  write_text_file(dir + "/results.json", j.dump(2) + "\n");

  // One row per trial, the swept values and each partition's faults beside the numbers.
  const std::vector<std::string> keys = axis_keys(points);
  std::set<std::string> parts;
  const auto trials = store.trials();
  for (const auto& t : trials) for (const auto& [k, v] : t.partition_faults) parts.insert(k);
  std::map<std::uint64_t, const PointSummary*> by_point;
  for (const auto& p : points) by_point[p.point] = &p;
  std::ostringstream csv;
  csv << "point,chip";
  for (const auto& k : keys) csv << "," << k;
  csv << ",seed,examples,error,mismatch,faults";
  for (const auto& p : parts) csv << ",faults@" << p;
  csv << ",inject_ms,infer_ms\n";
  for (const auto& t : trials) {
    auto it = by_point.find(t.point);
    csv << t.point << "," << t.chip;
    for (const auto& k : keys) {
      csv << ",";
      if (it != by_point.end() && it->second->overrides.contains(k)) csv << csv_cell(it->second->overrides[k]);
    }
    csv << "," << t.seed << "," << t.examples << "," << num(t.error) << "," << num(t.mismatch) << "," << t.faults;
    for (const auto& p : parts) {
      auto f = t.partition_faults.find(p);
      csv << "," << (f == t.partition_faults.end() ? 0 : f->second);
    }
    csv << "," << num(t.inject_ms) << "," << num(t.infer_ms) << "\n";
  }
  write_text_file(dir + "/results.csv", csv.str());

  const bool labelled = !points.empty() && std::isfinite(points.front().error_mean);
  for (const auto& plot : axis_plots(points, !labelled)) write_text_file(dir + "/error_vs_" + plot.stem + ".svg", plot.svg);
}

}  // namespace memlapse
