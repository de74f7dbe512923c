#include "memlapse/faults/operating_points.h"

#include <array>
#include <cmath>
#include <sstream>
#include <utility>

#include "memlapse/core/error.h"

namespace memlapse {

namespace {

std::string num(double x) {
  std::ostringstream os;
  os << x;
  return os.str();
}

// Piecewise-linear interpolation through points sorted by decreasing x (0 first, most negative
// last); monotone because the y values are.
template <std::size_t N>
double interpolate(const std::array<std::pair<double, double>, N>& pts, double x, const char* what,
                   const char* unit) {
  if (!(x == x)) throw Error(std::string(what) + " is NaN");
  if (x >= pts.front().first) return pts.front().second;
  if (x < pts.back().first - 1e-12) {
    throw Error(std::string(what) + " = " + num(x) + " " + unit + " is below the last measured point " +
                num(pts.back().first) + " " + unit + " (000 Table 3)");
  }
  for (std::size_t i = 1; i < N; ++i) {
    if (x >= pts[i].first) {
      const auto [x0, y0] = pts[i - 1];
      const auto [x1, y1] = pts[i];
      return y0 + (y1 - y0) * (x - x0) / (x1 - x0);
    }
  }
  return pts.back().second;
}

// 000 Table 3, vendor A; see operating_points.h for how the pairs were read.
constexpr std::array<std::pair<double, double>, 5> kVdd = {
    {{0.0, 0.0}, {-0.10, 0.005}, {-0.25, 0.010}, {-0.30, 0.030}, {-0.35, 0.050}}};
constexpr std::array<std::pair<double, double>, 7> kTrcd = {
    {{0.0, 0.0}, {-1.0, 0.005}, {-2.0, 0.015}, {-4.5, 0.030}, {-5.0, 0.035}, {-5.5, 0.040}, {-6.0, 0.050}}};

// 004 Fig. 1 anchors (see header): log10 p = -2 + (0.84 - v) * 4 / 0.14.
constexpr double kSramV1 = 0.84, kSramDecadesPerUnit = 4.0 / 0.14, kSramVLow = 0.80, kSramVTail = 0.98;

}  // namespace

double sram_ber(double v) {
  if (!(v >= kSramVLow)) {
    throw Error("sram: voltage = " + num(v) + " (normalised to Vmin) is below 0.80, the end of 004 Fig. 1");
  }
  if (v >= 1.0) return 0.0;
  const auto exp_curve = [](double x) { return std::pow(10.0, -2.0 + (kSramV1 - x) * kSramDecadesPerUnit); };
  if (v <= kSramVTail) return exp_curve(v);
  return exp_curve(kSramVTail) * (1.0 - v) / (1.0 - kSramVTail);  // 1e-6 at 0.98 falling to 0 at Vmin
}

double sram_energy_rel(double v) { return v * v; }

double dram_ber_vdd(double d) { return interpolate(kVdd, d, "dram: vdd_delta", "V"); }
double dram_ber_trcd(double d) { return interpolate(kTrcd, d, "dram: trcd_delta", "ns"); }

}  // namespace memlapse
