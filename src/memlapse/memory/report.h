#pragma once
// Rendering of array results: one-design text and JSON-like key/values, sweeps over technologies x
// capacities as CSV, and 003 Fig. 9-style SVG line plots (metric vs capacity, one line per technology).
// Example:
//   std::vector<SweepRow> rows = sweep({"sram", "stt", "sot"}, {1, 2, 4, 8}, base_spec, Target::kEdap);
//   std::string csv = sweep_csv(rows);
//   std::string svg = sweep_svg(rows, "area_mm2");   // throws Error for an unknown metric
#include <string>
#include <vector>

#include "memlapse/memory/search.h"

namespace memlapse::memory {

struct SweepRow {
  std::string tech;
  double capacity_mb = 0;
  SearchResult result;
};

// Contract: the metric names usable in sweep_svg / figure_value, in CSV column order.
const std::vector<std::string>& figure_names();
// Contract: value of named metric of f; throws Error naming the metric and the known ones.
double figure_value(const ArrayFigures& f, const std::string& name);

// Contract: one design per (tech, capacity) with `base` as template (cell replaced per tech,
// bits_per_cell kept where the technology allows it, else 1).
std::vector<SweepRow> sweep(const std::vector<std::string>& techs, const std::vector<double>& capacities_mb,
                            const ArraySpec& base, Target target);
std::string sweep_csv(const std::vector<SweepRow>& rows);
std::string sweep_svg(const std::vector<SweepRow>& rows, const std::string& metric);

}  // namespace memlapse::memory
