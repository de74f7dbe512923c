#include "memlapse/experiment/svg_plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "memlapse/core/error.h"

namespace memlapse {
namespace {

constexpr double kW = 640, kH = 420, kL = 70, kR = 150, kT = 40, kB = 55;
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

std::string escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '<') o += "&lt;"; else if (c == '>') o += "&gt;"; else if (c == '&') o += "&amp;"; else o += c;
  }
  return o;
}

}  // namespace

std::string SvgPlot::render() const {
  double xmin = std::numeric_limits<double>::infinity(), xmax = -xmin, ymin = xmin, ymax = -xmin;
  auto ok_x = [&](double x) { return std::isfinite(x) && (!log_x || x > 0); };
  for (const auto& s : series) {
    for (std::size_t i = 0; i < s.x.size(); ++i) {
      if (!ok_x(s.x[i]) || !std::isfinite(s.y[i])) continue;
      double x = log_x ? std::log10(s.x[i]) : s.x[i];
      xmin = std::min(xmin, x); xmax = std::max(xmax, x);
      ymin = std::min(ymin, s.y[i]); ymax = std::max(ymax, s.y[i]);
      if (!s.band_low.empty()) { ymin = std::min(ymin, s.band_low[i]); ymax = std::max(ymax, s.band_high[i]); }
    }
  }
  if (!std::isfinite(xmin)) { xmin = 0; xmax = 1; ymin = 0; ymax = 1; }
  if (xmax - xmin < 1e-12) { xmin -= 0.5; xmax += 0.5; }
  ymin = std::min(ymin, 0.0);
  if (ymax - ymin < 1e-12) ymax = ymin + 1;
  ymax += 0.05 * (ymax - ymin);
  auto px = [&](double x) { double v = log_x ? std::log10(x) : x; return kL + (v - xmin) / (xmax - xmin) * (kW - kL - kR); };
  auto py = [&](double y) { return kH - kB - (y - ymin) / (ymax - ymin) * (kH - kT - kB); };
  std::ostringstream o;
  o << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << kW << "\" height=\"" << kH << "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  o << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  o << "<text x=\"" << kW / 2 << "\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">" << escape(title) << "</text>\n";
  o << "<line x1=\"" << kL << "\" y1=\"" << kH - kB << "\" x2=\"" << kW - kR << "\" y2=\"" << kH - kB << "\" stroke=\"black\"/>\n";
  o << "<line x1=\"" << kL << "\" y1=\"" << kT << "\" x2=\"" << kL << "\" y2=\"" << kH - kB << "\" stroke=\"black\"/>\n";
  // x ticks: decades on a log axis, 5 even ticks otherwise.
  std::vector<double> xt;
  if (log_x) { for (double e = std::ceil(xmin - 1e-9); e <= xmax + 1e-9; e += 1) xt.push_back(std::pow(10.0, e)); }
  else { for (int i = 0; i <= 4; ++i) xt.push_back(xmin + (xmax - xmin) * i / 4); }
  for (double x : xt) {
    o << "<line x1=\"" << num(px(x)) << "\" y1=\"" << kH - kB << "\" x2=\"" << num(px(x)) << "\" y2=\"" << kH - kB + 5 << "\" stroke=\"black\"/>";
    o << "<text x=\"" << num(px(x)) << "\" y=\"" << kH - kB + 18 << "\" text-anchor=\"middle\">" << tick_label(x) << "</text>\n";
  }
  for (int i = 0; i <= 4; ++i) {
    double y = ymin + (ymax - ymin) * i / 4;
    o << "<line x1=\"" << kL - 5 << "\" y1=\"" << num(py(y)) << "\" x2=\"" << kW - kR << "\" y2=\"" << num(py(y)) << "\" stroke=\"#ddd\"/>";
    o << "<text x=\"" << kL - 8 << "\" y=\"" << num(py(y) + 4) << "\" text-anchor=\"end\">" << tick_label(std::round(y * 100) / 100) << "</text>\n";
  }
  o << "<text x=\"" << (kL + kW - kR) / 2 << "\" y=\"" << kH - 12 << "\" text-anchor=\"middle\">" << escape(x_label) << "</text>\n";
  o << "<text transform=\"translate(18," << (kT + kH - kB) / 2 << ") rotate(-90)\" text-anchor=\"middle\">" << escape(y_label) << "</text>\n";
  for (std::size_t si = 0; si < series.size(); ++si) {
    const auto& s = series[si];
    const char* c = kColors[si % 8];
    std::vector<std::size_t> idx;
    for (std::size_t i = 0; i < s.x.size(); ++i) if (ok_x(s.x[i]) && std::isfinite(s.y[i])) idx.push_back(i);
    if (!s.band_low.empty() && !idx.empty()) {
      o << "<polygon fill=\"" << c << "\" fill-opacity=\"0.2\" stroke=\"none\" points=\"";
      for (auto i : idx) o << num(px(s.x[i])) << "," << num(py(s.band_high[i])) << " ";
      for (auto it = idx.rbegin(); it != idx.rend(); ++it) o << num(px(s.x[*it])) << "," << num(py(s.band_low[*it])) << " ";
      o << "\"/>\n";
    }
    o << "<polyline fill=\"none\" stroke=\"" << c << "\" stroke-width=\"2\" points=\"";
    for (auto i : idx) o << num(px(s.x[i])) << "," << num(py(s.y[i])) << " ";
    o << "\"/>\n";
    for (auto i : idx) o << "<circle cx=\"" << num(px(s.x[i])) << "\" cy=\"" << num(py(s.y[i])) << "\" r=\"3\" fill=\"" << c << "\"/>";
    o << "\n<text x=\"" << kW - kR + 10 << "\" y=\"" << kT + 16 * (si + 1) << "\" fill=\"" << c << "\">" << escape(s.label) << "</text>\n";
  }
  o << "</svg>\n";
  return o.str();
}

void write_text_file(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(path + ": cannot open for writing");
    out << text;
    out.flush();
    if (!out) throw Error(path + ": write failed");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) throw Error(path + ": cannot replace (" + ec.message() + ")");
}

}  // namespace memlapse
