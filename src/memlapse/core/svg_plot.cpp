#include "memlapse/core/svg_plot.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <sstream>

#include "memlapse/core/error.h"

namespace memlapse {
namespace {

constexpr double kL = 70, kR = 150, kT = 40, kB = 55;
const char* kColors[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"};

std::string num(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f", v);
  return b;
}

std::string tick_label(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%g", v);
  return b;
}

// One axis: maps data to [0, 1] on a linear or log scale and proposes ticks.
struct Axis {
  bool log = false;
  double lo = 0, hi = 1;  // in transformed units (log10 when log)
  bool ok(double v) const { return std::isfinite(v) && (!log || v > 0); }
  double t(double v) const { return log ? std::log10(v) : v; }
  double frac(double v) const { return (t(v) - lo) / (hi - lo); }
  std::vector<double> ticks() const {
    std::vector<double> out;
    if (log) {
      for (double e = std::ceil(lo - 1e-9); e <= hi + 1e-9; e += 1) out.push_back(std::pow(10.0, e));
      if (out.size() < 2) out = {std::pow(10.0, lo), std::pow(10.0, hi)};
    } else {
      // Round steps (1, 2 or 5 times a power of ten), about five ticks inside [lo, hi].
      const double raw = (hi - lo) / 5;
      const double mag = std::pow(10.0, std::floor(std::log10(raw)));
      const double r = raw / mag;
      const double step = (r < 1.5 ? 1 : r < 3.5 ? 2 : r < 7.5 ? 5 : 10) * mag;
      for (double k = std::ceil(lo / step - 1e-9); k * step <= hi + 1e-9 * step; k += 1) {
        const double v = k * step;
        out.push_back(std::fabs(v) < 1e-12 * step ? 0.0 : v);
      }
      if (out.size() < 2) out = {lo, hi};
    }
    return out;
  }
};

}  // namespace

std::string xml_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '<') o += "&lt;";
    else if (c == '>') o += "&gt;";
    else if (c == '&') o += "&amp;";
    else if (c == '"') o += "&quot;";
    else o += c;
  }
  return o;
}

std::string SvgPlot::render() const {
  Axis ax{log_x}, ay{log_y};
  double xmin = std::numeric_limits<double>::infinity(), xmax = -xmin, ymin = xmin, ymax = -xmin;
  auto take_y = [&](double y) {
    if (!ay.ok(y)) return;
    ymin = std::min(ymin, ay.t(y));
    ymax = std::max(ymax, ay.t(y));
  };
  for (const auto& s : series) {
    for (std::size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      if (!ax.ok(s.x[i]) || !ay.ok(s.y[i])) continue;
      xmin = std::min(xmin, ax.t(s.x[i]));
      xmax = std::max(xmax, ax.t(s.x[i]));
      take_y(s.y[i]);
      if (i < s.band_low.size() && i < s.band_high.size()) {
        take_y(s.band_low[i]);
        take_y(s.band_high[i]);
      }
    }
  }
  if (!std::isfinite(xmin)) { xmin = 0; xmax = 1; ymin = 0; ymax = 1; }
  if (xmax - xmin < 1e-12) { xmin -= 0.5; xmax += 0.5; }
  if (!log_y && y_from_zero) ymin = std::min(ymin, 0.0);
  if (ymax - ymin < 1e-12) ymax = ymin + 1;
  if (!log_y) ymax += 0.05 * (ymax - ymin);
  ax.lo = xmin, ax.hi = xmax, ay.lo = ymin, ay.hi = ymax;
  const double W = width, H = height;
  auto px = [&](double x) { return kL + ax.frac(x) * (W - kL - kR); };
  auto py = [&](double y) { return H - kB - ay.frac(y) * (H - kT - kB); };
  std::ostringstream o;
  o << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << W << "\" height=\"" << H
    << "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  o << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  o << "<text x=\"" << W / 2 << "\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">" << xml_escape(title) << "</text>\n";
  o << "<line x1=\"" << kL << "\" y1=\"" << H - kB << "\" x2=\"" << W - kR << "\" y2=\"" << H - kB << "\" stroke=\"black\"/>\n";
  o << "<line x1=\"" << kL << "\" y1=\"" << kT << "\" x2=\"" << kL << "\" y2=\"" << H - kB << "\" stroke=\"black\"/>\n";
  for (double v : ax.ticks()) {
    o << "<line x1=\"" << num(px(v)) << "\" y1=\"" << H - kB << "\" x2=\"" << num(px(v)) << "\" y2=\"" << H - kB + 5
      << "\" stroke=\"black\"/>";
    o << "<text x=\"" << num(px(v)) << "\" y=\"" << H - kB + 18 << "\" text-anchor=\"middle\">" << tick_label(v) << "</text>\n";
  }
  for (double y : ay.ticks()) {
    const double shown = log_y ? y : std::round(y * 100) / 100;
    o << "<line x1=\"" << kL - 5 << "\" y1=\"" << num(py(y)) << "\" x2=\"" << W - kR << "\" y2=\"" << num(py(y))
      << "\" stroke=\"#ddd\"/>";
    o << "<text x=\"" << kL - 8 << "\" y=\"" << num(py(y) + 4) << "\" text-anchor=\"end\">" << tick_label(shown) << "</text>\n";
  }
  o << "<text x=\"" << (kL + W - kR) / 2 << "\" y=\"" << H - 12 << "\" text-anchor=\"middle\">" << xml_escape(x_label) << "</text>\n";
  o << "<text transform=\"translate(18," << (kT + H - kB) / 2 << ") rotate(-90)\" text-anchor=\"middle\">" << xml_escape(y_label)
    << "</text>\n";
  for (std::size_t si = 0; si < series.size(); ++si) {
    const auto& s = series[si];
    const char* c = kColors[si % 8];
    std::vector<std::size_t> idx;
    for (std::size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      if (ax.ok(s.x[i]) && ay.ok(s.y[i])) idx.push_back(i);
    }
    const bool band = s.band_low.size() == s.x.size() && s.band_high.size() == s.x.size();
    if (band && !idx.empty()) {
      o << "<polygon fill=\"" << c << "\" fill-opacity=\"0.2\" stroke=\"none\" points=\"";
      for (auto i : idx) o << num(px(s.x[i])) << "," << num(py(ay.ok(s.band_high[i]) ? s.band_high[i] : s.y[i])) << " ";
      for (auto it = idx.rbegin(); it != idx.rend(); ++it) {
        o << num(px(s.x[*it])) << "," << num(py(ay.ok(s.band_low[*it]) ? s.band_low[*it] : s.y[*it])) << " ";
      }
      o << "\"/>\n";
    }
    o << "<polyline fill=\"none\" stroke=\"" << c << "\" stroke-width=\"2\" points=\"";
    for (auto i : idx) o << num(px(s.x[i])) << "," << num(py(s.y[i])) << " ";
    o << "\"/>\n";
    for (auto i : idx) o << "<circle cx=\"" << num(px(s.x[i])) << "\" cy=\"" << num(py(s.y[i])) << "\" r=\"3\" fill=\"" << c << "\"/>";
    o << "\n<text x=\"" << W - kR + 10 << "\" y=\"" << kT + 16 * (si + 1) << "\" fill=\"" << c << "\">" << xml_escape(s.label)
      << "</text>\n";
  }
  o << "</svg>\n";
  return o.str();
}

std::string SvgBars::render() const {
  const double W = 720, bar = 22, gap = 8, left = 180, right = 170, top = 40;
  const double H = top + static_cast<double>(rows.size()) * (bar + gap) + 45;
  double total_max = 0;
  for (const auto& r : values) {
    double s = 0;
    for (double v : r) s += std::max(0.0, v);
    total_max = std::max(total_max, s);
  }
  if (!(total_max > 0)) total_max = 1;
  std::ostringstream o;
  o << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << W << "\" height=\"" << H
    << "\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  o << "<text x=\"" << W / 2 << "\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">" << xml_escape(title) << "</text>\n";
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const double y = top + static_cast<double>(r) * (bar + gap);
    o << "<text x=\"" << left - 6 << "\" y=\"" << num(y + bar * 0.7) << "\" text-anchor=\"end\">" << xml_escape(rows[r]) << "</text>\n";
    double x = left;
    for (std::size_t p = 0; p < parts.size() && r < values.size() && p < values[r].size(); ++p) {
      const double w = std::max(0.0, values[r][p]) / total_max * (W - left - right);
      if (w <= 0) continue;
      o << "<rect x=\"" << num(x) << "\" y=\"" << num(y) << "\" width=\"" << num(w) << "\" height=\"" << bar << "\" fill=\""
        << kColors[p % 8] << "\"><title>" << xml_escape(rows[r] + " / " + parts[p] + ": " + tick_label(values[r][p]))
        << "</title></rect>";
      x += w;
    }
    o << "\n";
  }
  const double axis_y = top + static_cast<double>(rows.size()) * (bar + gap);
  o << "<line x1=\"" << left << "\" y1=\"" << num(axis_y) << "\" x2=\"" << W - right << "\" y2=\"" << num(axis_y) << "\" stroke=\"black\"/>";
  o << "<text x=\"" << left << "\" y=\"" << num(axis_y + 16) << "\">0</text><text x=\"" << W - right << "\" y=\"" << num(axis_y + 16)
    << "\" text-anchor=\"end\">" << tick_label(total_max) << "</text>";
  o << "<text x=\"" << (left + W - right) / 2 << "\" y=\"" << num(axis_y + 32) << "\" text-anchor=\"middle\">" << xml_escape(x_label)
    << "</text>\n";
  for (std::size_t p = 0; p < parts.size(); ++p) {
    const double y = top + 16 * static_cast<double>(p);
    o << "<rect x=\"" << W - right + 12 << "\" y=\"" << num(y) << "\" width=\"12\" height=\"12\" fill=\"" << kColors[p % 8] << "\"/>";
    o << "<text x=\"" << W - right + 30 << "\" y=\"" << num(y + 10) << "\">" << xml_escape(parts[p]) << "</text>\n";
  }
  o << "</svg>\n";
  return o.str();
}

}  // namespace memlapse
