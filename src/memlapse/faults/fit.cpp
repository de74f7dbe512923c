#include "memlapse/faults/fit.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <limits>

#include <nlohmann/json.hpp>

#include "memlapse/core/error.h"

namespace memlapse {

namespace {

std::vector<std::uint8_t> read_file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("fault fit: cannot open " + path);
  return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Sufficient statistics of one (P-group, F-group) pair.
struct Cell {
  std::size_t pg = 0, fg = 0;
  double n0 = 0, npos = 0, k = 0;  // error-free cells, cells with errors, total errors
};

// EM for a weak-cell model whose P is shared by P-groups and F by F-groups.
struct GroupedFit {
  std::vector<double> P, F;
  double loglik = 0.0;
};

double loglik_of(const std::vector<Cell>& cells, const std::vector<double>& P, const std::vector<double>& F,
                 double N) {
  double ll = 0.0;
  for (const Cell& c : cells) {
    const double p = P[c.pg], f = F[c.fg];
    if (c.npos > 0) {
      ll += c.npos * std::log(p);
      if (c.k > 0) ll += c.k * std::log(f);
      const double misses = c.npos * N - c.k;
      if (misses > 0) ll += misses * std::log1p(-f);
    }
    if (c.n0 > 0) ll += c.n0 * std::log(1.0 - p + p * std::pow(1.0 - f, N));
  }
  return ll;
}

GroupedFit em_fit(const std::vector<Cell>& cells, std::size_t n_pg, std::size_t n_fg, double N) {
  std::vector<double> tot(n_pg, 0.0), pos(n_pg, 0.0), fk(n_fg, 0.0), fpos(n_fg, 0.0);
  for (const Cell& c : cells) {
    tot[c.pg] += c.n0 + c.npos;
    pos[c.pg] += c.npos;
    fk[c.fg] += c.k;
    fpos[c.fg] += c.npos;
  }
  GroupedFit g;
  g.P.assign(n_pg, 0.0);
  g.F.assign(n_fg, 0.5);
  for (std::size_t i = 0; i < n_pg; ++i) g.P[i] = tot[i] > 0 ? pos[i] / tot[i] : 0.0;
  for (std::size_t i = 0; i < n_fg; ++i) g.F[i] = fpos[i] > 0 ? fk[i] / (N * fpos[i]) : 0.0;
  std::vector<double> weak_p(n_pg), weak_f(n_fg);
  double prev = -std::numeric_limits<double>::infinity();
  for (int it = 0; it < 20000; ++it) {
    std::fill(weak_p.begin(), weak_p.end(), 0.0);
    std::fill(weak_f.begin(), weak_f.end(), 0.0);
    for (const Cell& c : cells) {
      const double p = g.P[c.pg], a = std::pow(1.0 - g.F[c.fg], N);
      const double denom = 1.0 - p + p * a;
      const double w0 = denom > 0 ? p * a / denom : 0.0;
      const double weak = c.npos + c.n0 * w0;
      weak_p[c.pg] += weak;
      weak_f[c.fg] += weak;
    }
    for (std::size_t i = 0; i < n_pg; ++i) g.P[i] = tot[i] > 0 ? std::min(1.0, weak_p[i] / tot[i]) : 0.0;
    for (std::size_t i = 0; i < n_fg; ++i) g.F[i] = weak_f[i] > 0 ? std::min(1.0, fk[i] / (N * weak_f[i])) : 0.0;
    if (it % 20 == 19) {
      const double ll = loglik_of(cells, g.P, g.F, N);
      if (ll - prev < 1e-9 * (1.0 + std::fabs(ll))) break;
      prev = ll;
    }
  }
  g.loglik = loglik_of(cells, g.P, g.F, N);
  return g;
}

}  // namespace

void validate_error_map(const ErrorMap& m, const std::string& what) {
  if (m.rows == 0 || m.cols == 0 || m.reads == 0) {
    throw Error(what + ": rows, cols and reads must be positive (got " + std::to_string(m.rows) + ", " +
                std::to_string(m.cols) + ", " + std::to_string(m.reads) + ")");
  }
  if (m.reads > 65535) throw Error(what + ": reads = " + std::to_string(m.reads) + " exceeds 65535 (uint16 counts)");
  if (m.rows > (1ULL << 32) / m.cols) throw Error(what + ": rows * cols is too large");
  const std::uint64_t n = m.rows * m.cols;
  if (m.stored.size() != n) {
    throw Error(what + ": stored.u8 holds " + std::to_string(m.stored.size()) + " bytes, expected rows*cols = " +
                std::to_string(n));
  }
  if (m.errors.size() != n) {
    throw Error(what + ": errors.u16 holds " + std::to_string(m.errors.size()) + " counts, expected rows*cols = " +
                std::to_string(n));
  }
  for (std::uint64_t i = 0; i < n; ++i) {
    if (m.stored[i] > 1) {
      throw Error(what + ": stored.u8 byte " + std::to_string(i) + " = " + std::to_string(m.stored[i]) +
                  ", expected 0 or 1");
    }
    if (m.errors[i] > m.reads) {
      throw Error(what + ": errors.u16 entry " + std::to_string(i) + " = " + std::to_string(m.errors[i]) +
                  " exceeds reads = " + std::to_string(m.reads));
    }
  }
}

ErrorMap load_error_map(const std::string& dir) {
  ErrorMap m;
  const std::string jpath = dir + "/map.json";
  std::ifstream in(jpath);
  if (!in) throw Error("fault fit: cannot open " + jpath);
  nlohmann::json j;
  try {
    in >> j;
  } catch (const std::exception& e) {
    throw Error("fault fit: " + jpath + " is not valid JSON: " + e.what());
  }
  auto get = [&](const char* key) -> std::uint64_t {
    if (!j.is_object() || !j.contains(key)) throw Error("fault fit: " + jpath + " lacks \"" + key + "\"");
    const auto& x = j[key];
    if (!x.is_number_integer() || x.get<long long>() <= 0) {
      throw Error("fault fit: " + jpath + ": \"" + key + "\" = " + x.dump() + " must be a positive integer");
    }
    return x.get<std::uint64_t>();
  };
  m.rows = get("rows");
  m.cols = get("cols");
  m.reads = get("reads");
  m.stored = read_file_bytes(dir + "/stored.u8");
  const std::vector<std::uint8_t> raw = read_file_bytes(dir + "/errors.u16");
  if (raw.size() % 2 != 0) throw Error("fault fit: " + dir + "/errors.u16 has an odd size " + std::to_string(raw.size()));
  m.errors.resize(raw.size() / 2);
  for (std::size_t i = 0; i < m.errors.size(); ++i) {
    m.errors[i] = static_cast<std::uint16_t>(raw[2 * i] | (raw[2 * i + 1] << 8));
  }
  validate_error_map(m, "fault fit: " + dir);
  return m;
}

FitResult fit_dram_models(const ErrorMap& m) {
  validate_error_map(m, "fault fit");
  const double N = static_cast<double>(m.reads);
  const double n_cells = static_cast<double>(m.rows * m.cols);
  // Sum of log C(N, k) over cells with errors: the same in every model, kept for a true lnL.
  double log_binom = 0.0;
  for (std::uint16_t k : m.errors) {
    if (k > 0) log_binom += std::lgamma(N + 1) - std::lgamma(k + 1.0) - std::lgamma(N - k + 1.0);
  }
  auto build = [&](auto&& pg_of, auto&& fg_of, std::size_t n_pg, std::size_t n_fg) {
    std::vector<Cell> cells(n_pg * n_fg);
    for (std::size_t i = 0; i < n_pg; ++i)
      for (std::size_t j = 0; j < n_fg; ++j) cells[i * n_fg + j].pg = i, cells[i * n_fg + j].fg = j;
    for (std::uint64_t r = 0; r < m.rows; ++r) {
      for (std::uint64_t c = 0; c < m.cols; ++c) {
        const std::uint64_t i = r * m.cols + c;
        Cell& cell = cells[pg_of(r, c, i) * n_fg + fg_of(r, c, i)];
        const std::uint16_t k = m.errors[i];
        if (k == 0) {
          cell.n0 += 1;
        } else {
          cell.npos += 1;
          cell.k += k;
        }
      }
    }
    // Groups pair one-to-one in model1/2: drop the empty cross pairs.
    std::erase_if(cells, [](const Cell& c) { return c.n0 + c.npos == 0; });
    return em_fit(cells, n_pg, n_fg, N);
  };
  FitResult res;
  auto add = [&](const char* name, const GroupedFit& g, std::size_t k,
                 std::map<std::string, std::vector<double>> params) {
    ModelFit f;
    f.name = name;
    f.log_likelihood = g.loglik + log_binom;
    f.free_params = k;
    f.bic = -2.0 * f.log_likelihood + static_cast<double>(k) * std::log(n_cells);
    f.params = std::move(params);
    res.models.push_back(std::move(f));
  };
  const auto zero = [](std::uint64_t, std::uint64_t, std::uint64_t) -> std::size_t { return 0; };
  const auto col = [](std::uint64_t, std::uint64_t c, std::uint64_t) -> std::size_t { return c; };
  const auto row = [](std::uint64_t r, std::uint64_t, std::uint64_t) -> std::size_t { return r; };
  const auto stored = [&m](std::uint64_t, std::uint64_t, std::uint64_t i) -> std::size_t { return m.stored[i]; };
  const GroupedFit g0 = build(zero, zero, 1, 1);
  add("model0", g0, 2, {{"P", g0.P}, {"F", g0.F}});
  const GroupedFit g1 = build(col, col, m.cols, m.cols);
  add("model1", g1, 2 * m.cols, {{"P_B", g1.P}, {"F_B", g1.F}});
  const GroupedFit g2 = build(row, row, m.rows, m.rows);
  add("model2", g2, 2 * m.rows, {{"P_W", g2.P}, {"F_W", g2.F}});
  const GroupedFit g3 = build(zero, stored, 1, 2);
  add("model3", g3, 3, {{"P", g3.P}, {"F_V1", {g3.F[1]}}, {"F_V0", {g3.F[0]}}});
  // Likelihood-ratio test of each richer model against model0 (model0 is nested in all of them):
  // 2 (lnL_k - lnL_0) ~ chi-square with df = k - 2 under model0 (Wilks), turned into a z-score by
  // the Wilson-Hilferty cube-root approximation. A model is clearly better when z > kSelectZ
  // (one-sided p < 1e-4); among those the largest z (smallest p-value) wins; otherwise model0.
  res.selected = "model0";
  double best_z = kSelectZ;
  for (std::size_t i = 1; i < 4; ++i) {
    ModelFit& f = res.models[i];
    const double df = static_cast<double>(f.free_params - 2);
    const double x = std::max(0.0, 2.0 * (f.log_likelihood - res.models[0].log_likelihood));
    const double c = 2.0 / (9.0 * df);
    f.lrt_z = (std::cbrt(x / df) - (1.0 - c)) / std::sqrt(c);
    if (f.lrt_z > best_z) {
      best_z = f.lrt_z;
      res.selected = f.name;
    }
  }
  return res;
}

std::string fit_result_json(const FitResult& r) {
  nlohmann::json j;
  j["selected"] = r.selected;
  j["criterion"] = "likelihood-ratio test against model0: z (Wilson-Hilferty) > 3.719 (p < 1e-4), largest z wins; else model0";
  j["models"] = nlohmann::json::array();
  for (const ModelFit& f : r.models) {
    nlohmann::json mj;
    mj["name"] = f.name;
    mj["log_likelihood"] = f.log_likelihood;
    mj["bic"] = f.bic;
    if (f.name != "model0") mj["lrt_z"] = f.lrt_z;
    mj["free_params"] = f.free_params;
    nlohmann::json pj = nlohmann::json::object();
    for (const auto& [k, v] : f.params) {
      if (f.name == "model1" || f.name == "model2") {
        pj[k] = v;
      } else {
        pj[k] = v.at(0);
      }
    }
    mj["params"] = pj;
    j["models"].push_back(mj);
  }
  return j.dump(2) + "\n";
}

}  // namespace memlapse
