#include "memlapse/experiment/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

#include "memlapse/core/file.h"
#include "memlapse/core/svg_plot.h"
#include "memlapse/core/text.h"
#include "memlapse/experiment/store.h"

namespace memlapse {
namespace {

std::string esc(const std::string& s) { return xml_escape(s); }

std::string pct(const nlohmann::json& v) {
  if (!v.is_number()) return "&ndash;";
  char b[32];
  std::snprintf(b, sizeof b, "%.2f", 100 * v.get<double>());
  return b;
}

std::string pct(double v) { return std::isfinite(v) ? pct(nlohmann::json(v)) : "&ndash;"; }

std::string g(double v) {
  if (!std::isfinite(v)) return "&ndash;";
  char b[32];
  // Counts and milliseconds in the thousands read best whole (16524, not 1.652e+04).
  std::snprintf(b, sizeof b, std::fabs(v) >= 1e4 && std::fabs(v) < 1e12 ? "%.0f" : "%.4g", v);
  return b;
}

std::string value_text(const nlohmann::json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

const char* kStructureColors[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                  "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};

// The placement diagram: one row per partition, one rectangle per region, width by bytes (with a
// visible minimum), colour by structure, a tooltip naming the tensor.
std::string placement_svg(const nlohmann::json& info) {
  const auto parts = info.value("partitions", nlohmann::json::array());
  const auto regions = info.value("regions", nlohmann::json::array());
  std::vector<std::string> names;
  for (const auto& p : parts) names.push_back(p.value("name", std::string()));
  std::map<std::string, std::vector<const nlohmann::json*>> rows;
  std::map<std::string, double> total;
  for (const auto& r : regions) {
    rows[r.value("partition", std::string())].push_back(&r);
    total[r.value("partition", std::string())] += r.value("bytes", 0.0);
  }
  double biggest = 1;
  for (const auto& [k, v] : total) biggest = std::max(biggest, v);
  const double W = 900, left = 150, right = 20, bar = 26, gap = 34, top = 30;
  std::ostringstream o;
  const double H = top + static_cast<double>(names.size()) * gap + 60;
  o << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << W << "\" height=\"" << H
    << "\" font-family=\"sans-serif\" font-size=\"12\" role=\"img\" aria-label=\"placement diagram\">\n"
    << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
    << "<text x=\"" << left << "\" y=\"18\">stored structures by partition (width: bytes, to scale across partitions)</text>\n";
  const double span = W - left - right;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const double y = top + static_cast<double>(i) * gap;
    o << "<text x=\"" << left - 8 << "\" y=\"" << y + 11 << "\" text-anchor=\"end\">" << esc(names[i]) << "</text>"
      << "<text x=\"" << left - 8 << "\" y=\"" << y + 24 << "\" text-anchor=\"end\" fill=\"#555\" font-size=\"10\">"
      << esc(format_bytes(total[names[i]])) << "</text>";
    o << "<rect x=\"" << left << "\" y=\"" << y << "\" width=\"" << span << "\" height=\"" << bar << "\" fill=\"#f4f4f4\" stroke=\"#ccc\"/>\n";
    // Segments at their cumulative byte offsets (no drift from the minimum visible width).
    double cum = 0;
    for (const nlohmann::json* r : rows[names[i]]) {
      const double bytes = r->value("bytes", 0.0);
      const double x0 = left + cum / biggest * span;
      const double w = std::max(0.6, bytes / biggest * span);
      cum += bytes;
      const std::string st = r->value("structure", std::string());
      const std::string tensor = r->value("tensor", std::string());
      const auto& sn = structure_names();
      const auto idx = static_cast<std::size_t>(std::find(sn.begin(), sn.end(), st) - sn.begin()) % 10;
      char xb[32], wb[32];
      std::snprintf(xb, sizeof xb, "%.2f", x0);
      std::snprintf(wb, sizeof wb, "%.2f", w);
      o << "<rect x=\"" << xb << "\" y=\"" << y << "\" width=\"" << wb << "\" height=\"" << bar << "\" fill=\"" << kStructureColors[idx]
        << "\" stroke=\"white\" stroke-width=\"0.3\"><title>" << esc(tensor + " / " + st + ": " + std::to_string(r->value("bytes", 0)) + " bytes")
        << "</title></rect>";
      // The tensor's name inside its segment when it fits (about 6 px per character at 10 px).
      if (w > 6.2 * static_cast<double>(tensor.size()) + 6) {
        o << "<text x=\"" << x0 + w / 2 << "\" y=\"" << y + bar * 0.65 << "\" text-anchor=\"middle\" fill=\"white\" font-size=\"10\">"
          << esc(tensor) << "</text>";
      }
    }
    o << "\n";
  }
  // Legend: the structures present.
  std::set<std::string> present;
  for (const auto& r : regions) present.insert(r.value("structure", std::string()));
  double lx = left;
  const double ly = top + static_cast<double>(names.size()) * gap + 18;
  for (std::size_t k = 0; k < structure_names().size(); ++k) {
    if (!present.count(structure_names()[k])) continue;
    o << "<rect x=\"" << lx << "\" y=\"" << ly << "\" width=\"12\" height=\"12\" fill=\"" << kStructureColors[k % 10] << "\"/>"
      << "<text x=\"" << lx + 16 << "\" y=\"" << ly + 10 << "\">" << esc(structure_names()[k]) << "</text>";
    lx += 24 + 7.5 * static_cast<double>(structure_names()[k].size());
  }
  o << "\n</svg>\n";
  return o.str();
}

constexpr const char* kStyle = R"css(
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1150px;color:#222;line-height:1.4}
h1{font-size:1.6em;margin-bottom:0}h2{border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:2em}
table{border-collapse:collapse;font-size:13px;margin:8px 0;display:block;overflow-x:auto;max-width:100%}th,td{border:1px solid #ddd;padding:3px 7px;text-align:right}
th{background:#f3f3f3;cursor:pointer;position:sticky;top:0}td.l,th.l{text-align:left}
pre{background:#f7f7f7;padding:10px;overflow:auto;font-size:12px;max-height:420px}
.meta{color:#555;font-size:13px}.plots{display:flex;flex-wrap:wrap;gap:12px}.note{color:#666;font-size:12px}
)css";

// Sorts a table by the clicked column; marks the page as ready (the browser test checks it).
constexpr const char* kScript = R"js(
document.querySelectorAll("table.sortable th").forEach(function (th, col) {
  th.addEventListener("click", function () {
    var body = th.closest("table").tBodies[0], rows = Array.prototype.slice.call(body.rows);
    var up = th.dataset.dir !== "up"; th.dataset.dir = up ? "up" : "down";
    rows.sort(function (a, b) {
      var x = a.cells[col].textContent, y = b.cells[col].textContent, nx = parseFloat(x), ny = parseFloat(y);
      var c = (isNaN(nx) || isNaN(ny)) ? x.localeCompare(y) : nx - ny;
      return up ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  });
});
document.body.dataset.ready = "1";
)js";

}  // namespace

std::string report_html(const std::string& dir) {
  const ResultsStore store = ResultsStore::open_read(dir);
  const auto meta = store.all_meta();
  auto get = [&](const std::string& k) { auto it = meta.find(k); return it == meta.end() ? std::string() : it->second; };
  const double ci = get("ci_level").empty() ? 0.95 : std::stod(get("ci_level"));
  const double delta = get("prop1_delta").empty() ? 0.05 : std::stod(get("prop1_delta"));
  const std::vector<PointSummary> points = summarize_store(store, ci, delta);
  const std::vector<std::string> keys = axis_keys(points);
  std::ostringstream o;
  const std::string title = get("name").empty() ? dir : get("name");
  o << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>memlapse: " << esc(title) << "</title>\n<style>" << kStyle
    << "</style></head>\n<body>\n<h1>" << esc(title) << "</h1>\n";
  if (!get("description").empty()) o << "<p>" << esc(get("description")) << "</p>\n";
  o << "<p class=\"meta\">memlapse " << esc(get("memlapse_version")) << " (" << esc(get("git_revision")) << "), fault sampler version "
    << esc(get("fault_sampler_version")) << "; directory <code>" << esc(dir) << "</code>; " << points.size() << " points, "
    << store.trials().size() << " trials stored.<br>command: <code>" << esc(get("command_line")) << "</code></p>\n";
  if (points.empty()) {
    o << "<p>No finished trials yet.</p>\n";
  } else {
    const nlohmann::json& info = points.front().info;
    o << "<p class=\"meta\">model <code>" << esc(info.value("model", std::string())) << "</code>, " << info.value("tensors", 0)
      << " parameter tensors, dataset <code>" << esc(info.value("dataset", std::string())) << "</code> (" << info.value("examples", 0)
      << " examples), float (unquantized) error " << pct(info.value("float_error", nlohmann::json())) << "%.</p>\n";

    // Summary.
    o << "<h2>Summary</h2>\n<p class=\"note\">error: test error vs labels, mean over chips; CI: two-sided Student-t " << g(ci)
      << " interval over chips; Prop. 1: 004 App. C.2 upper bound on the expected robust error (&delta; = " << g(delta)
      << ", vacuous with few chips); mismatch: top-1 disagreement with the fault-free stored model. Click a column to sort.</p>\n";
    o << "<table class=\"sortable\"><thead><tr><th>#</th>";
    for (const auto& k : keys) {
      std::string h = esc(k);  // long paths may break after each dot
      for (std::size_t at = h.find('.'); at != std::string::npos; at = h.find('.', at + 6)) h.insert(at + 1, "<wbr>");
      o << "<th class=\"l\">" << h << "</th>";
    }
    o << "<th>format</th><th>clean %</th><th>chips</th><th>error %</th><th>CI low</th><th>CI high</th><th>Prop.1 ub</th>"
         "<th>mismatch %</th><th>faults/chip</th><th>inject ms</th><th>infer ms</th></tr></thead><tbody>\n";
    for (const auto& p : points) {
      o << "<tr><td>" << p.point << "</td>";
      for (const auto& k : keys) o << "<td class=\"l\">" << esc(p.overrides.contains(k) ? value_text(p.overrides[k]) : "") << "</td>";
      o << "<td class=\"l\">" << esc(p.info.value("format", std::string())) << "</td><td>" << pct(p.info.value("clean_error", nlohmann::json()))
        << "</td><td>" << p.chips << "</td><td>" << pct(p.error_mean) << "</td><td>" << pct(p.error_ci_low) << "</td><td>"
        << pct(p.error_ci_high) << "</td><td>" << pct(p.error_prop1_upper) << "</td><td>" << pct(p.mismatch_mean) << "</td><td>"
        << g(p.faults_mean) << "</td><td>" << g(p.inject_ms_mean) << "</td><td>" << g(p.infer_ms_mean) << "</td></tr>\n";
    }
    o << "</tbody></table>\n";

    // Plots.
    const bool labelled = std::isfinite(points.front().error_mean);
    std::vector<AxisPlot> plots = labelled ? axis_plots(points, false) : std::vector<AxisPlot>{};
    for (auto& m : axis_plots(points, true)) plots.push_back(std::move(m));
    if (!plots.empty()) {
      o << "<h2>Error and mismatch vs each swept key</h2>\n<p class=\"note\">bands: the " << g(ci)
        << " confidence interval of each point's mean over chips.</p>\n<div class=\"plots\">\n";
      for (const auto& pl : plots) o << "<figure>" << pl.svg << "</figure>\n";
      o << "</div>\n";
    }

    // Faults per partition.
    o << "<h2>Faults per partition</h2>\n<p class=\"note\">mean injected faults per chip in each partition, with the partition's fault "
         "model at the point's operating point (ber: the resolved bit error rate, where the model defines one).</p>\n";
    o << "<table class=\"sortable\"><thead><tr><th>#</th><th class=\"l\">partition</th><th class=\"l\">technology</th>"
         "<th class=\"l\">fault model</th><th class=\"l\">operating point</th><th>ber</th><th>stored bits</th><th>faults/chip</th>"
         "<th>observed rate</th></tr></thead><tbody>\n";
    for (const auto& p : points) {
      for (const auto& part : p.info.value("partitions", nlohmann::json::array())) {
        const std::string name = part.value("name", std::string());
        std::string op;
        const nlohmann::json params = part.value("fault_params", nlohmann::json::object());
        for (const auto& [k, v] : params.items()) {
          if (k == "ber") continue;
          op += (op.empty() ? "" : ", ") + k + "=" + value_text(v);
        }
        auto f = p.partition_faults_mean.find(name);
        const double faults = f == p.partition_faults_mean.end() ? 0.0 : f->second;
        const double bits = part.value("stored_bits", 0.0);
        o << "<tr><td>" << p.point << "</td><td class=\"l\">" << esc(name) << "</td><td class=\"l\">" << esc(part.value("technology", std::string()))
          << "</td><td class=\"l\">" << esc(part.value("fault_model", std::string())) << "</td><td class=\"l\">" << esc(op) << "</td><td>"
          << (part["ber"].is_number() ? g(part["ber"].get<double>()) : std::string("&ndash;")) << "</td><td>" << g(bits) << "</td><td>"
          << g(faults) << "</td><td>" << (bits > 0 ? g(faults / bits) : std::string("&ndash;")) << "</td></tr>\n";
      }
    }
    o << "</tbody></table>\n";

    // Placement.
    o << "<h2>Placement</h2>\n";
    std::set<std::string> shown;
    for (const auto& p : points) {
      const std::string file = p.info.value("placement_file", std::string());
      if (!shown.insert(file).second) continue;
      o << "<p class=\"note\">" << esc(file) << " (format " << esc(p.info.value("format", std::string())) << "; first used by point "
        << p.point << ")</p>\n"
        << placement_svg(p.info);
      o << "<details><summary>every stored structure and its partition</summary><table class=\"sortable\"><thead><tr>"
           "<th class=\"l\">tensor</th><th class=\"l\">structure</th><th class=\"l\">partition</th><th>words</th><th>bits/word</th>"
           "<th>bytes</th></tr></thead><tbody>\n";
      for (const auto& r : p.info.value("regions", nlohmann::json::array())) {
        o << "<tr><td class=\"l\">" << esc(r.value("tensor", std::string())) << "</td><td class=\"l\">" << esc(r.value("structure", std::string()))
          << "</td><td class=\"l\">" << esc(r.value("partition", std::string())) << "</td><td>" << r.value("count", 0) << "</td><td>"
          << r.value("word_bits", 0) << "</td><td>" << r.value("bytes", 0) << "</td></tr>\n";
      }
      o << "</tbody></table></details>\n";
    }
  }

  // Array-model figures.
  const auto arrays = store.array_rows();
  if (!arrays.empty()) {
    o << "<h2>Memory arrays</h2>\n<table class=\"sortable\"><thead><tr>";
    std::vector<std::string> cols;
    for (const auto& [k, v] : arrays.front().items()) cols.push_back(k);
    for (const auto& c : cols) o << "<th class=\"l\">" << esc(c) << "</th>";
    o << "</tr></thead><tbody>\n";
    for (const auto& r : arrays) {
      o << "<tr>";
      for (const auto& c : cols) o << "<td class=\"l\">" << esc(r.contains(c) ? value_text(r[c]) : "") << "</td>";
      o << "</tr>\n";
    }
    o << "</tbody></table>\n";
  }

  o << "<h2>Resolved experiment</h2>\n<p class=\"note\">memlapse run on this file (spec.toml in the directory) reproduces the "
       "results.</p>\n<pre>"
    << esc(get("spec_toml")) << "</pre>\n";
  o << "<script>" << kScript << "</script>\n</body></html>\n";
  return o.str();
}

std::string write_report(const std::string& dir) {
  const std::string path = dir + "/report.html";
  write_text_file(path, report_html(dir));
  return path;
}

}  // namespace memlapse
