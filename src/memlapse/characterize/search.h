#pragma once
// Error-tolerance searches (000 §3.3), torch-free: each asks a decision function "does the
// network meet the target at this setting?" (stats/sequential.h) and keeps every answer.
//  * search_tolerance: the highest tolerable rate (log scale, 000's coarse characterization) or
//    operating parameter (linear: SRAM voltage, DRAM dVDD/dtRCD, bits per cell, refresh interval)
//    between a safe and an aggressive end. It first visits a grid over the range (decades on a log
//    scale, `grid` points on a linear one), checks monotonicity on it (a "meets" beyond a "fails"
//    is reported as a violation, never smoothed away), then bisects the bracket between the last
//    "meets" before the first "fails" and that "fails" down to the resolution. An undecided point
//    counts as not tolerated (a setting is only reported tolerable when it was shown to meet).
//  * fine_sweep: EDEN's per-data-type sweep (000 §3.3, §6.6): every type starts at the coarse
//    result; in rounds, each type still in the list tries its next rate with the others held; it
//    keeps it when the whole network still meets the target and leaves the list otherwise.
// Example:
//   SearchResult r = search_tolerance(Axis::log(1e-7, 1e-1, 1.2), decide);   // decide(x) -> Probe
//   r.tolerable, r.first_failing, r.violations
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "memlapse/stats/sequential.h"

namespace memlapse {

// What one decision found.
struct Probe {
  double x = 0;                    // the rate or parameter (fine sweep: the raised type's rate)
  Verdict verdict = Verdict::kUndecided;
  double mean = 0;                 // observed mean error (or mismatch)
  std::uint64_t observations = 0;  // chips
  std::uint64_t inferences = 0;    // chips x examples
  std::string note;                // e.g. which type was raised
};

// A search axis from its safe end to its aggressive end.
struct Axis {
  double safe = 0, aggressive = 0;
  bool log_scale = false;
  bool integer = false;   // integer parameter (bits per cell): resolution 1
  double resolution = 0;  // log: ratio between bracket ends (> 1); linear: absolute width (> 0)
  int grid = 5;           // linear axes: grid points including both ends
  static Axis log(double safe, double aggressive, double ratio);
  static Axis linear(double safe, double aggressive, double resolution, int grid = 5);
  static Axis integers(std::int64_t safe, std::int64_t aggressive);
  // Contract: Error naming the problem (empty range, non-positive log end, bad resolution).
  void check() const;
};

struct SearchResult {
  Axis axis;
  bool any_tolerable = false;
  double tolerable = 0;       // the most aggressive setting shown to meet (valid if any_tolerable)
  bool all_tolerable = false; // the aggressive end itself meets
  double first_failing = 0;   // the least aggressive setting not shown to meet beyond it
  std::vector<Probe> visited; // in visiting order
  std::vector<std::string> violations;  // monotonicity violations among the visited points
  std::uint64_t inferences = 0;
};

using DecideFn = std::function<Probe(double x)>;
// Contract: the search described above; `decide` is called once per visited setting.
SearchResult search_tolerance(const Axis& axis, const DecideFn& decide);
// Contract: violations among `visited` on `axis`: a point shown to meet that is more aggressive
// than one shown to fail (each pair named once, by the nearest such pair).
std::vector<std::string> monotonicity_violations(const Axis& axis, const std::vector<Probe>& visited);

struct FineResult {
  std::vector<std::string> types;
  std::vector<double> start, tolerable;  // per type
  std::vector<int> steps;                // accepted raises per type
  std::vector<Probe> visited;
  std::uint64_t inferences = 0;
  int rounds = 0;
};
// Contract: EDEN's sweep from rate `start` for every type; the k-th raise of a type gives it
// start * (1 + k * step) (EDEN: linear, 0.5 increments around the coarse value); `decide(rates)`
// judges the whole network with one rate per type; at most max_rounds rounds.
FineResult fine_sweep(const std::vector<std::string>& types, double start, double step, int max_rounds,
                      const std::function<Probe(const std::vector<double>& rates, std::size_t raised)>& decide);

}  // namespace memlapse
