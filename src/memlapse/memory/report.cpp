// Sweep tables and SVG plots for memlapse array sweep.
#include "memlapse/memory/report.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

#include "memlapse/core/error.h"
#include "memlapse/core/svg_plot.h"

namespace memlapse::memory {

namespace {

// The figures in CSV column order, with the member each name reads.
struct Figure {
  const char* name;
  double ArrayFigures::*member;
};
constexpr Figure kFigures[] = {{"area_mm2", &ArrayFigures::area_mm2},
                               {"read_latency_ns", &ArrayFigures::read_latency_ns},
                               {"write_latency_ns", &ArrayFigures::write_latency_ns},
                               {"read_energy_nj", &ArrayFigures::read_energy_nj},
                               {"write_energy_nj", &ArrayFigures::write_energy_nj},
                               {"leakage_mw", &ArrayFigures::leakage_mw},
                               {"refresh_mw", &ArrayFigures::refresh_mw},
                               {"area_efficiency", &ArrayFigures::area_efficiency}};

}  // namespace

const std::vector<std::string>& figure_names() {
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> v;
    for (const auto& f : kFigures) v.emplace_back(f.name);
    return v;
  }();
  return kNames;
}

double figure_value(const ArrayFigures& f, const std::string& name) {
  for (const auto& fig : kFigures) {
    if (name == fig.name) return f.*(fig.member);
  }
  find_registry_entry([] {
    std::vector<RegistryEntry> e;
    for (const auto& fig : kFigures) e.push_back({fig.name, "", {}, {}});
    return e;
  }(), name, "metric");
  return 0;
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
  // Log-log axes as in 003 Fig. 9 (capacity doubles per point): one line per technology.
  SvgPlot plot(metric + " vs capacity", "capacity (MB)", metric);
  plot.log_x = plot.log_y = true;
  plot.width = 520;
  plot.height = 360;
  std::map<std::string, std::size_t> series;
  for (const auto& r : rows) {
    auto [it, fresh] = series.emplace(r.tech, plot.series.size());
    if (fresh) plot.add({r.tech, {}, {}, {}, {}});
    plot.series[it->second].x.push_back(r.capacity_mb);
    plot.series[it->second].y.push_back(figure_value(r.result.best.figures, metric));
  }
  return plot.render();
}

}  // namespace memlapse::memory
