// Organization search (003 Sec. III-B, Algorithm 1; NVSim's exhaustive bank/mat/subarray sweep,
// Dong et al. TCAD 2012 Sec. V).
#include "memlapse/memory/search.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "memlapse/core/error.h"

namespace memlapse::memory {
namespace {

struct TargetName {
  Target t;
  const char* name;
};
const TargetName kTargets[] = {
    {Target::kReadLatency, "read-latency"}, {Target::kWriteLatency, "write-latency"},
    {Target::kReadEnergy, "read-energy"},   {Target::kWriteEnergy, "write-energy"},
    {Target::kReadEdp, "read-edp"},         {Target::kWriteEdp, "write-edp"},
    {Target::kArea, "area"},                {Target::kLeakage, "leakage"},
    {Target::kEdap, "edap"},                {Target::kEdapGlobal, "edap-global"},
};

const AccessMode kModes[] = {AccessMode::kNormal, AccessMode::kFast, AccessMode::kSequential};

const Evaluation* best_of(const std::vector<Evaluation>& v, Target t) {
  const Evaluation* best = nullptr;
  for (const auto& e : v)
    if (!best || metric(e.figures, t) < metric(best->figures, t)) best = &e;
  return best;
}

// Best design for target t in the (already set) mode of s, given both arrays' candidate lists.
Evaluation best_design(const ArraySpec& s, Target t, const std::vector<Evaluation>& data,
                       const std::vector<Evaluation>& tag) {
  const Evaluation* tg = s.cache ? best_of(tag, t) : nullptr;
  Evaluation best;
  double best_m = std::numeric_limits<double>::infinity();
  for (const auto& d : data) {
    Evaluation e = combine(s, d, tg ? *tg : Evaluation{});
    const double m = metric(e.figures, t);
    if (m < best_m) best_m = m, best = e;
  }
  return best;
}

struct Candidates {
  std::vector<Evaluation> data, tag;
};

Candidates candidates(const ArraySpec& s) {
  const Technology& tech = technology_for_node(s.node_nm);
  Candidates c;
  c.data = enumerate(tech, s.cell, s.temperature_k, data_duty(s), s.htree_repeaters);
  if (s.cache) c.tag = enumerate(tech, s.cell, s.temperature_k, tag_duty(s), s.htree_repeaters);
  if (c.data.empty() || (s.cache && c.tag.empty()))
    throw Error("array: no legal organization for " + s.cell.tech + " " + std::to_string(s.capacity_bytes) +
                " B (" + (c.data.empty() ? "data" : "tag") + " array); try a capacity that is a multiple of the word");
  return c;
}

}  // namespace

Target parse_target(const std::string& name) {
  std::vector<std::string> names;
  for (const auto& t : kTargets) {
    if (name == t.name) return t.t;
    names.push_back(t.name);
  }
  std::string all, hint = closest_match(name, names);
  for (const auto& n : names) all += (all.empty() ? "" : ", ") + n;
  throw Error("target: '" + name + "' is unknown" + (hint.empty() ? "" : " (did you mean '" + hint + "'?)") +
              "; expected one of " + all);
}

const char* to_string(Target t) {
  for (const auto& n : kTargets)
    if (n.t == t) return n.name;
  return "?";
}

std::vector<Target> nvsim_targets() {
  return {Target::kReadLatency, Target::kWriteLatency, Target::kReadEnergy, Target::kWriteEnergy,
          Target::kReadEdp,     Target::kWriteEdp,     Target::kArea,       Target::kLeakage};
}

double edap(const ArrayFigures& f) {
  return (f.read_energy_nj * f.read_latency_ns + f.write_energy_nj * f.write_latency_ns) * f.area_mm2;
}

double metric(const ArrayFigures& f, Target t) {
  switch (t) {
    case Target::kReadLatency: return f.read_latency_ns;
    case Target::kWriteLatency: return f.write_latency_ns;
    case Target::kReadEnergy: return f.read_energy_nj;
    case Target::kWriteEnergy: return f.write_energy_nj;
    case Target::kReadEdp: return f.read_energy_nj * f.read_latency_ns;
    case Target::kWriteEdp: return f.write_energy_nj * f.write_latency_ns;
    case Target::kArea: return f.area_mm2;
    case Target::kLeakage: return f.leakage_mw;
    case Target::kEdap:
    case Target::kEdapGlobal: return edap(f);
  }
  return 0;
}

std::vector<Evaluation> enumerate(const Technology& t, const Cell& c, double temperature_k, const ArrayDuty& d,
                                  bool htree_repeaters) {
  std::vector<Evaluation> out;
  if (d.cells <= 0) return out;
  for (int rows = 16; rows <= 4096; rows *= 2) {
    for (int cols = 16; cols <= 4096; cols *= 2) {
      const double n_sa = d.cells / (double(rows) * cols);
      if (n_sa < 1 || n_sa != std::floor(n_sa)) continue;
      for (int spm : {1, 2, 4}) {
        const double n_mat_d = n_sa / spm;
        if (n_mat_d < 1 || n_mat_d != std::floor(n_mat_d) || n_mat_d > 65536) continue;
        const int n_mat = static_cast<int>(n_mat_d);
        for (int mux = 1; mux <= 32 && mux <= cols; mux *= 2) {
          const double cells_needed = std::ceil(double(d.read_bits) / c.bits_per_cell);
          const int sensed = cols / mux;
          if (sensed > cells_needed * 2 - 1 || std::ceil(cells_needed / sensed) > n_sa) continue;
          for (int r = 1; r <= n_mat; ++r) {
            if (n_mat % r) continue;
            const int cc = n_mat / r;
            if (r > 4 * cc || cc > 4 * r) continue;  // keep banks within 4:1 (NVSim explores square-ish grids)
            // Drivers are sized latency-first (stage effort 4, CACTI 6.0). Letting the search pick
            // NVSim's area-first drivers (effort 8-16) as well shrinks the MRAM wordline drivers,
            // and with them MRAM leakage, to ~0.3-0.5x 003 Table II; callers may still set it.
            Organization o{r, cc, spm, rows, cols, mux, 4, htree_repeaters};
            Evaluation e = evaluate_plain(t, c, temperature_k, d, o);
            if (e.ok) out.push_back(std::move(e));
          }
        }
      }
    }
  }
  return out;
}

SearchResult optimize(const ArraySpec& s, Target target) {
  if (target == Target::kEdap) return algorithm1(s);
  SearchResult r;
  const bool all_modes = s.cache && target == Target::kEdapGlobal;
  double best_m = std::numeric_limits<double>::infinity();
  for (AccessMode m : kModes) {
    if (!all_modes && m != s.mode) continue;
    ArraySpec sm = s;
    sm.mode = m;
    Candidates c = candidates(sm);
    r.evaluated += static_cast<long long>(c.data.size() + c.tag.size());
    Evaluation e = best_design(sm, target, c.data, c.tag);
    if (e.ok && metric(e.figures, target) < best_m) best_m = metric(e.figures, target), r.best = e, r.mode = m;
  }
  r.via = target;
  return r;
}

SearchResult algorithm1(const ArraySpec& s) {
  SearchResult r;
  double best_q = std::numeric_limits<double>::infinity();
  for (AccessMode m : kModes) {
    if (!s.cache && m != AccessMode::kNormal) continue;
    ArraySpec sm = s;
    sm.mode = m;
    Candidates c = candidates(sm);
    r.evaluated += static_cast<long long>(c.data.size() + c.tag.size());
    for (Target t : nvsim_targets()) {
      Evaluation e = best_design(sm, t, c.data, c.tag);
      const double q = edap(e.figures);
      if (e.ok && q < best_q) best_q = q, r.best = e, r.mode = m, r.via = t;
    }
  }
  return r;
}

std::vector<Evaluation> pareto_front(const ArraySpec& s) {
  Candidates c = candidates(s);
  std::vector<Evaluation> all;
  const Evaluation* tg = s.cache ? best_of(c.tag, Target::kReadEdp) : nullptr;
  for (const auto& d : c.data) all.push_back(combine(s, d, tg ? *tg : Evaluation{}));
  std::sort(all.begin(), all.end(), [](const Evaluation& a, const Evaluation& b) {
    return a.figures.area_mm2 < b.figures.area_mm2;
  });
  std::vector<Evaluation> front;
  for (const auto& e : all) {
    bool dominated = false;
    for (const auto& f : front) {
      if (f.figures.read_latency_ns <= e.figures.read_latency_ns && f.figures.read_energy_nj <= e.figures.read_energy_nj) {
        dominated = true;  // f also has area <= e's (sorted)
        break;
      }
    }
    if (!dominated) front.push_back(e);
  }
  return front;
}

double iso_area_capacity_mb(ArraySpec s, double budget_mm2, Target target, double step_mb, double max_mb) {
  if (!(budget_mm2 > 0)) throw Error("budget_mm2: " + std::to_string(budget_mm2) + " is invalid; expected > 0");
  if (!(step_mb > 0)) throw Error("step_mb: expected > 0");
  double best = 0;
  int misses = 0;
  for (double mb = step_mb; mb <= max_mb + 1e-9; mb += step_mb) {
    s.capacity_bytes = mb * 1024.0 * 1024.0;
    double area = std::numeric_limits<double>::infinity();
    try {
      area = optimize(s, target).best.figures.area_mm2;
    } catch (const Error&) {
      continue;  // this capacity has no legal organization (e.g. sets not whole); try the next
    }
    if (area <= budget_mm2) {
      best = mb, misses = 0;
    } else if (++misses >= 2) {
      break;  // area grows with capacity: two misses in a row end the scan
    }
  }
  return best;
}

}  // namespace memlapse::memory
