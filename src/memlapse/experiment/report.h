#pragma once
// The HTML report of an experiment directory (`memlapse report DIR`): one self-contained
// report.html (inline CSS, SVG and a few lines of script; no network) with the resolved spec, the
// summary table, error and mismatch vs each swept key with confidence bands, fault counts per
// partition, the placement as a diagram (which structure of which tensor sits in which partition)
// and the array-model figures when the experiment has them.
// Example:
//   write_report("runs/two_partitions");   // -> runs/two_partitions/report.html
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "memlapse/experiment/runner.h"

namespace memlapse {

// A plot of one swept key (shared by the SVG exports and the report).
struct AxisPlot {
  std::string key, stem, svg;
};
// Contract: one plot per numeric swept key: error (or mismatch) vs the key, one series per
// combination of the other keys, with the points' confidence intervals as bands.
std::vector<AxisPlot> axis_plots(const std::vector<PointSummary>& points, bool mismatch);
// Contract: the swept keys, in the order the points list them.
std::vector<std::string> axis_keys(const std::vector<PointSummary>& points);
// Contract: a point summary as results.json writes it.
nlohmann::json point_json(const PointSummary& p);

// Contract: the report's HTML for the experiment in `dir` (read-only access to its store).
std::string report_html(const std::string& dir);
// Contract: writes DIR/report.html; returns its path.
std::string write_report(const std::string& dir);

}  // namespace memlapse
