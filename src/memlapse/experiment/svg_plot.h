#pragma once
// Minimal SVG line plots for reports: one or more series with optional interval bands, log or
// linear x axis. No dependencies; the output opens in any browser.
// Example:
//   SvgPlot p("test error vs bit error rate", "bit error rate p", "test error (%)");
//   p.log_x = true;
//   p.add({"int8", xs, ys, lows, highs});
//   write_text_file(dir + "/error_vs_ber.svg", p.render());
#include <string>
#include <vector>

namespace memlapse {

struct SvgSeries {
  std::string label;
  std::vector<double> x, y;
  std::vector<double> band_low, band_high;  // empty: no band
};

struct SvgPlot {
  SvgPlot(std::string t, std::string xl, std::string yl) : title(std::move(t)), x_label(std::move(xl)), y_label(std::move(yl)) {}
  std::string title, x_label, y_label;
  bool log_x = false;
  std::vector<SvgSeries> series;
  void add(SvgSeries s) { series.push_back(std::move(s)); }
  // Contract: a complete SVG document; non-positive x on a log axis and non-finite y are skipped.
  std::string render() const;
};

// Contract: writes atomically (temp file + rename); throws Error naming the path on failure.
void write_text_file(const std::string& path, const std::string& text);

}  // namespace memlapse
