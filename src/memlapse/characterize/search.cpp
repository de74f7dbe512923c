#include "memlapse/characterize/search.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "memlapse/core/error.h"
#include "memlapse/core/text.h"

namespace memlapse {

Axis Axis::log(double safe, double aggressive, double ratio) {
  Axis a;
  a.safe = safe;
  a.aggressive = aggressive;
  a.log_scale = true;
  a.resolution = ratio;
  return a;
}

Axis Axis::linear(double safe, double aggressive, double resolution, int grid) {
  Axis a;
  a.safe = safe;
  a.aggressive = aggressive;
  a.resolution = resolution;
  a.grid = grid;
  return a;
}

Axis Axis::integers(std::int64_t safe, std::int64_t aggressive) {
  Axis a = linear(static_cast<double>(safe), static_cast<double>(aggressive), 1.0, static_cast<int>(std::llabs(aggressive - safe)) + 1);
  a.integer = true;
  return a;
}

void Axis::check() const {
  if (!std::isfinite(safe) || !std::isfinite(aggressive) || safe == aggressive) {
    throw Error("the search range needs two different finite ends, got " + format_double(safe) + " and " + format_double(aggressive));
  }
  if (log_scale) {
    if (safe <= 0 || aggressive <= 0) throw Error("a log-scale search needs positive ends (rates), got " + format_double(safe) + " .. " + format_double(aggressive));
    if (!(resolution > 1)) throw Error("a log-scale search's resolution is a ratio > 1, got " + format_double(resolution));
  } else {
    if (!(resolution > 0)) throw Error("a linear search's resolution must be > 0, got " + format_double(resolution));
    if (grid < 2) throw Error("a linear search needs at least 2 grid points, got " + std::to_string(grid));
  }
  if (integer && (safe != std::round(safe) || aggressive != std::round(aggressive))) {
    throw Error("an integer parameter's search range must have integer ends");
  }
}

namespace {

// Position along the axis: 0 at the safe end, 1 at the aggressive end (monotone in aggressiveness).
double position(const Axis& a, double x) {
  if (a.log_scale) return std::log(x / a.safe) / std::log(a.aggressive / a.safe);
  return (x - a.safe) / (a.aggressive - a.safe);
}

double at(const Axis& a, double pos) {
  if (a.log_scale) return a.safe * std::pow(a.aggressive / a.safe, pos);
  const double x = a.safe + pos * (a.aggressive - a.safe);
  return a.integer ? std::round(x) : x;
}

// True while the bracket (good, bad) is wider than the resolution.
bool wide(const Axis& a, double good, double bad) {
  if (a.log_scale) return std::max(good, bad) / std::min(good, bad) > a.resolution * (1 + 1e-12);
  if (a.integer) return std::fabs(bad - good) > 1.5;
  return std::fabs(bad - good) > a.resolution * (1 + 1e-12);
}

std::vector<double> grid_of(const Axis& a) {
  std::vector<double> g;
  if (a.log_scale) {
    // Decades from the safe end, then the aggressive end.
    // x = safe * 10^k, rounded to 12 significant digits (1e-5, not 9.999999999999999e-06).
    const double step = a.aggressive > a.safe ? 10.0 : 0.1;
    for (int k = 0;; ++k) {
      char b[32];
      std::snprintf(b, sizeof b, "%.12g", a.safe * std::pow(step, k));
      const double x = std::strtod(b, nullptr);
      if (position(a, x) >= 1 - 1e-9) break;
      g.push_back(x);
    }
    g.push_back(a.aggressive);
  } else {
    for (int i = 0; i < a.grid; ++i) g.push_back(at(a, static_cast<double>(i) / (a.grid - 1)));
    g.erase(std::unique(g.begin(), g.end()), g.end());
  }
  return g;
}

}  // namespace

std::vector<std::string> monotonicity_violations(const Axis& axis, const std::vector<Probe>& visited) {
  std::vector<const Probe*> sorted;
  for (const auto& p : visited) sorted.push_back(&p);
  std::stable_sort(sorted.begin(), sorted.end(), [&](const Probe* a, const Probe* b) { return position(axis, a->x) < position(axis, b->x); });
  std::vector<std::string> out;
  const Probe* last_fail = nullptr;
  for (const Probe* p : sorted) {
    if (p->verdict == Verdict::kFails) last_fail = p;
    if (p->verdict == Verdict::kMeets && last_fail != nullptr) {
      out.push_back("meets at " + format_double(p->x) + " (mean " + format_double(p->mean) + ") but fails at the less aggressive " +
                    format_double(last_fail->x) + " (mean " + format_double(last_fail->mean) + "): the tolerance curve is not monotone here");
      last_fail = nullptr;  // one report per pair
    }
  }
  return out;
}

SearchResult search_tolerance(const Axis& axis, const DecideFn& decide) {
  axis.check();
  SearchResult r;
  r.axis = axis;
  auto visit = [&](double x) {
    Probe p = decide(x);
    p.x = x;
    r.inferences += p.inferences;
    r.visited.push_back(p);
    return p.verdict;
  };
  // The grid: monotonicity is checked on it, and it brackets the threshold.
  const std::vector<double> grid = grid_of(axis);
  std::vector<Verdict> verdicts;
  for (double x : grid) verdicts.push_back(visit(x));
  r.violations = monotonicity_violations(axis, r.visited);
  std::size_t first_bad = grid.size();
  for (std::size_t i = 0; i < grid.size(); ++i) {
    if (verdicts[i] != Verdict::kMeets) {
      first_bad = i;
      break;
    }
  }
  if (first_bad == grid.size()) {
    r.any_tolerable = r.all_tolerable = true;
    r.tolerable = r.first_failing = axis.aggressive;
    return r;
  }
  if (first_bad == 0) {
    r.first_failing = grid[0];
    return r;
  }
  double good = grid[first_bad - 1], bad = grid[first_bad];
  while (wide(axis, good, bad)) {
    const double mid = at(axis, 0.5 * (position(axis, good) + position(axis, bad)));
    if (mid == good || mid == bad) break;
    if (visit(mid) == Verdict::kMeets) good = mid;
    else bad = mid;
  }
  r.any_tolerable = true;
  r.tolerable = good;
  r.first_failing = bad;
  // Points visited while bisecting can disagree with each other too.
  r.violations = monotonicity_violations(axis, r.visited);
  return r;
}

FineResult fine_sweep(const std::vector<std::string>& types, double start, double step, int max_rounds,
                      const std::function<Probe(const std::vector<double>& rates, std::size_t raised)>& decide) {
  if (!(start > 0)) throw Error("the fine-grained sweep starts at a positive rate (the coarse result), got " + format_double(start));
  if (!(step > 0)) throw Error("the fine-grained sweep's step must be > 0, got " + format_double(step));
  FineResult r;
  r.types = types;
  r.start.assign(types.size(), start);
  r.tolerable.assign(types.size(), start);
  r.steps.assign(types.size(), 0);
  std::vector<bool> active(types.size(), true);
  for (int round = 0; round < max_rounds; ++round) {
    bool any = false;
    for (std::size_t t = 0; t < types.size(); ++t) {
      if (!active[t]) continue;
      any = true;
      std::vector<double> rates = r.tolerable;
      rates[t] = start * (1.0 + step * (r.steps[t] + 1));
      Probe p = decide(rates, t);
      p.x = rates[t];
      if (p.note.empty()) p.note = types[t];
      r.inferences += p.inferences;
      r.visited.push_back(p);
      if (p.verdict == Verdict::kMeets) {
        r.tolerable[t] = rates[t];
        ++r.steps[t];
      } else {
        active[t] = false;
      }
    }
    if (!any) break;
    r.rounds = round + 1;
  }
  return r;
}

}  // namespace memlapse
