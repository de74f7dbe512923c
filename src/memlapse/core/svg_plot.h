#pragma once
// The one SVG plot writer of memlapse (campaign plots, array sweeps, HTML reports): line plots of
// one or more series with optional interval bands, linear or log axes, and stacked bars. No
// dependencies; the output opens in any browser and inlines into HTML.
// Example:
//   SvgPlot p("test error vs bit error rate", "bit error rate p", "test error (%)");
//   p.log_x = true;
//   p.add({"int8", xs, ys, lows, highs});
//   write_text_file(dir + "/error_vs_ber.svg", p.render());
#include <string>
#include <vector>

#include "memlapse/core/file.h"

namespace memlapse {

struct SvgSeries {
  std::string label;
  std::vector<double> x, y;
  std::vector<double> band_low, band_high;  // empty: no band
};

struct SvgPlot {
  SvgPlot(std::string t, std::string xl, std::string yl) : title(std::move(t)), x_label(std::move(xl)), y_label(std::move(yl)) {}
  std::string title, x_label, y_label;
  bool log_x = false, log_y = false;
  bool y_from_zero = true;  // linear y axes start at 0 (error rates, counts)
  double width = 640, height = 420;
  std::vector<SvgSeries> series;
  void add(SvgSeries s) { series.push_back(std::move(s)); }
  // Contract: a complete SVG document; non-positive values on a log axis and non-finite values
  // are skipped.
  std::string render() const;
};

// Horizontal stacked bars: one bar per row, one segment per part (e.g. bytes per partition).
struct SvgBars {
  std::string title, x_label;
  std::vector<std::string> rows, parts;
  std::vector<std::vector<double>> values;  // values[row][part] >= 0
  // Contract: a complete SVG document with a legend of the parts.
  std::string render() const;
};

// Contract: text with <, >, &, " escaped for XML and HTML.
std::string xml_escape(const std::string& s);


}  // namespace memlapse
