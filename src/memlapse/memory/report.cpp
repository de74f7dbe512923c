// Sweep tables and SVG plots for memlapse array sweep.
#include "memlapse/memory/report.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

#include "memlapse/core/error.h"

namespace memlapse::memory {

const std::vector<std::string>& figure_names() {
  static const std::vector<std::string> kNames = {"area_mm2",        "read_latency_ns", "write_latency_ns",
                                                  "read_energy_nj",  "write_energy_nj", "leakage_mw",
                                                  "refresh_mw",      "area_efficiency"};
  return kNames;
}

double figure_value(const ArrayFigures& f, const std::string& name) {
  if (name == "area_mm2") return f.area_mm2;
  if (name == "read_latency_ns") return f.read_latency_ns;
  if (name == "write_latency_ns") return f.write_latency_ns;
  if (name == "read_energy_nj") return f.read_energy_nj;
  if (name == "write_energy_nj") return f.write_energy_nj;
  if (name == "leakage_mw") return f.leakage_mw;
  if (name == "refresh_mw") return f.refresh_mw;
  if (name == "area_efficiency") return f.area_efficiency;
  std::string all;
  for (const auto& n : figure_names()) all += " " + n;
  throw Error("metric: '" + name + "' is unknown; expected one of" + all);
}

std::vector<SweepRow> sweep(const std::vector<std::string>& techs, const std::vector<double>& capacities_mb,
                            const ArraySpec& base, Target target) {
  std::vector<SweepRow> rows;
  for (const auto& tech : techs) {
    ArraySpec s = base;
    Cell probe = make_cell(tech);
    const int b = std::min(base.cell.bits_per_cell, probe.max_bits_per_cell);
    s.cell = make_cell(tech, {{"bits_per_cell", std::to_string(b)}});
    for (double mb : capacities_mb) {
      if (!(mb > 0)) throw Error("capacity: " + std::to_string(mb) + " MB is invalid; expected > 0");
      s.capacity_bytes = mb * 1024.0 * 1024.0;
      rows.push_back({tech, mb, optimize(s, target)});
    }
  }
  return rows;
}

std::string sweep_csv(const std::vector<SweepRow>& rows) {
  std::ostringstream o;
  o << "tech,capacity_mb";
  for (const auto& n : figure_names()) o << "," << n;
  o << ",mode,organization\n";
  for (const auto& r : rows) {
    o << r.tech << "," << r.capacity_mb;
    for (const auto& n : figure_names()) o << "," << figure_value(r.result.best.figures, n);
    o << "," << to_string(r.result.mode) << ",\"" << to_string(r.result.best.org) << "\"\n";
  }
  return o.str();
}

std::string sweep_svg(const std::vector<SweepRow>& rows, const std::string& metric) {
  figure_value(ArrayFigures{}, metric);  // validates the name
  std::map<std::string, std::vector<std::pair<double, double>>> lines;
  double xmin = 1e300, xmax = 0, ymin = 1e300, ymax = 0;
  for (const auto& r : rows) {
    const double y = figure_value(r.result.best.figures, metric);
    lines[r.tech].push_back({r.capacity_mb, y});
    xmin = std::min(xmin, r.capacity_mb), xmax = std::max(xmax, r.capacity_mb);
    ymin = std::min(ymin, y), ymax = std::max(ymax, y);
  }
  // Log-log axes as in 003 Fig. 9 (capacity doubles per point).
  const double W = 480, H = 320, L = 60, B = 40, R = 110, T = 30;
  auto lx = [&](double x) { return xmax > xmin ? std::log(x / xmin) / std::log(xmax / xmin) : 0.5; };
  auto ly = [&](double y) {
    const double lo = std::max(ymin, 1e-12);
    return ymax > lo ? std::log(std::max(y, 1e-12) / lo) / std::log(ymax / lo) : 0.5;
  };
  auto px = [&](double x) { return L + lx(x) * (W - L - R); };
  auto py = [&](double y) { return H - B - ly(y) * (H - B - T); };
  static const char* kColors[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"};
  std::ostringstream o;
  o << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << W << "\" height=\"" << H << "\" font-family=\"sans-serif\" font-size=\"11\">\n";
  o << "<text x=\"" << L << "\" y=\"18\">" << metric << " vs capacity (log-log)</text>\n";
  o << "<line x1=\"" << L << "\" y1=\"" << H - B << "\" x2=\"" << W - R << "\" y2=\"" << H - B << "\" stroke=\"black\"/>\n";
  o << "<line x1=\"" << L << "\" y1=\"" << T << "\" x2=\"" << L << "\" y2=\"" << H - B << "\" stroke=\"black\"/>\n";
  o << "<text x=\"" << L << "\" y=\"" << H - 8 << "\">" << xmin << " MB</text><text x=\"" << W - R - 40 << "\" y=\"" << H - 8
    << "\">" << xmax << " MB</text>\n";
  o << "<text x=\"2\" y=\"" << H - B << "\">" << ymin << "</text><text x=\"2\" y=\"" << T + 4 << "\">" << ymax << "</text>\n";
  int i = 0;
  for (const auto& [tech, pts] : lines) {
    const char* col = kColors[i % 8];
    o << "<polyline fill=\"none\" stroke=\"" << col << "\" stroke-width=\"2\" points=\"";
    for (const auto& [x, y] : pts) o << px(x) << "," << py(y) << " ";
    o << "\"/>\n<text x=\"" << W - R + 8 << "\" y=\"" << T + 14 * (i + 1) << "\" fill=\"" << col << "\">" << tech << "</text>\n";
    ++i;
  }
  o << "</svg>\n";
  return o.str();
}

}  // namespace memlapse::memory
