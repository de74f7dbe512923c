#pragma once
// Organization search: every legal bank/mat/subarray/mux organization for a spec, the best one for
// an optimization target, the Pareto front, 003's Algorithm 1 (EDAP-optimal over targets x cache
// access modes) and iso-area capacity search.
// Example:
//   ArraySpec s = ram_spec("stt", 16, 3 << 20, 256);
//   s.cache = true;                                      // 16-way, 128 B lines
//   SearchResult r = algorithm1(s);                      // r.best.figures.area_mm2, r.mode, r.via
//   double mb = iso_area_capacity_mb(s, 5.53);           // largest whole-MB capacity in 5.53 mm^2
#include <string>
#include <vector>

#include "memlapse/memory/array.h"

namespace memlapse::memory {

enum class Target {
  kReadLatency, kWriteLatency, kReadEnergy, kWriteEnergy, kReadEdp, kWriteEdp, kArea, kLeakage,
  kEdap,        // 003 Algorithm 1: best EDAP among the designs optimal for each target x access mode
  kEdapGlobal,  // the minimum EDAP over every organization and access mode
};
// Contract: parses the CLI name (read-latency, ..., edap, edap-global); throws Error listing names.
Target parse_target(const std::string& name);
const char* to_string(Target t);
std::vector<Target> nvsim_targets();  // the eight of 003 Algorithm 1

// Contract: energy x delay x area, (E_r t_r + E_w t_w) * A, in nJ ns mm^2.
double edap(const ArrayFigures& f);
// Contract: the value of figure `f` that target t minimises (EDAP for kEdap/kEdapGlobal).
double metric(const ArrayFigures& f, Target t);

struct SearchResult {
  Evaluation best;
  AccessMode mode = AccessMode::kNormal;  // the cache access mode chosen (RAM: normal)
  Target via = Target::kEdap;             // Algorithm 1: the NVSim target whose design won
  long long evaluated = 0;                // organizations evaluated
};

// Contract: all legal organizations of one plain array duty (never empty for a sane duty), with
// repeated or unrepeated (NVSim default) H-tree wires.
std::vector<Evaluation> enumerate(const Technology& t, const Cell& c, double temperature_k, const ArrayDuty& d,
                                  bool htree_repeaters = false);

// Contract: the best design for target in s.mode (cache: loops all modes only for edap targets);
// throws Error naming the spec if no organization is legal.
SearchResult optimize(const ArraySpec& s, Target target);
// Contract: 003 Algorithm 1 for one technology and capacity.
SearchResult algorithm1(const ArraySpec& s);
// Contract: designs of s (s.mode) not dominated in (read latency, read energy, area), by area.
std::vector<Evaluation> pareto_front(const ArraySpec& s);
// Contract: the largest capacity, in whole multiples of step_mb, whose `target`-optimal design
// fits budget_mm2 (0 if even step_mb does not); scans up to max_mb.
double iso_area_capacity_mb(ArraySpec s, double budget_mm2, Target target = Target::kEdap, double step_mb = 1.0,
                            double max_mb = 256.0);

}  // namespace memlapse::memory
