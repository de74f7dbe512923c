// memlapse run EXPERIMENT.toml: the one pipeline (experiment/runner.h) on an experiment file.
// memlapse results DIR: exports of an experiment's results store (CSV or JSON, filtered).
// memlapse report DIR: the experiment's self-contained HTML report.
#include <CLI/CLI.hpp>

#include <filesystem>
#include <set>

#include "commands.h"
#include "front_end.h"
#include "memlapse/core/error.h"
#include "memlapse/core/text.h"
#include "memlapse/experiment/report.h"
#include "memlapse/experiment/runner.h"
#include "memlapse/experiment/store.h"
#include "spec_flags.h"

namespace memlapse::cli {
namespace {

// One trial as a row of named cells (the columns of results.csv).
struct Row {
  std::vector<std::pair<std::string, nlohmann::json>> cells;
  const nlohmann::json* get(const std::string& k) const {
    for (const auto& [n, v] : cells) if (n == k) return &v;
    return nullptr;
  }
};

std::vector<Row> trial_rows(const ResultsStore& store) {
  std::map<std::uint64_t, PointRecord> points;
  for (auto& p : store.points()) points[p.point] = std::move(p);
  std::set<std::string> parts;
  const auto trials = store.trials();
  for (const auto& t : trials) for (const auto& [k, v] : t.partition_faults) parts.insert(k);
  std::vector<std::string> axes;
  for (const auto& [i, p] : points) {
    for (const auto& [k, v] : p.overrides.items()) {
      if (std::find(axes.begin(), axes.end(), k) == axes.end()) axes.push_back(k);
    }
  }
  std::vector<Row> rows;
  auto num = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); };
  for (const auto& t : trials) {
    Row r;
    r.cells.emplace_back("point", t.point);
    r.cells.emplace_back("chip", t.chip);
    const auto it = points.find(t.point);
    for (const auto& a : axes) {
      r.cells.emplace_back(a, it != points.end() && it->second.overrides.contains(a) ? it->second.overrides[a] : nlohmann::json(nullptr));
    }
    r.cells.emplace_back("seed", t.seed);
    r.cells.emplace_back("examples", t.examples);
    r.cells.emplace_back("error", num(t.error));
    r.cells.emplace_back("mismatch", num(t.mismatch));
    r.cells.emplace_back("faults", t.faults);
    for (const auto& p : parts) {
      auto f = t.partition_faults.find(p);
      r.cells.emplace_back("faults@" + p, f == t.partition_faults.end() ? 0 : f->second);
    }
    r.cells.emplace_back("inject_ms", num(t.inject_ms));
    r.cells.emplace_back("infer_ms", num(t.infer_ms));
    rows.push_back(std::move(r));
  }
  return rows;
}

// "COLUMN OP VALUE", OP one of = != < <= > >=; numbers compare as numbers, other values as text.
struct Filter {
  std::string column, op, value;
  bool keep(const Row& r) const {
    const nlohmann::json* v = r.get(column);
    if (v == nullptr || v->is_null()) return op == "!=";
    double x = 0, y = 0;
    const bool numeric = v->is_number() && [&] {
      char* end = nullptr;
      y = std::strtod(value.c_str(), &end);
      return end != value.c_str() && *end == '\0';
    }();
    int c = 0;
    if (numeric) {
      x = v->get<double>();
      c = x < y ? -1 : x > y ? 1 : 0;
    } else {
      const std::string s = v->is_string() ? v->get<std::string>() : v->dump();
      c = s < value ? -1 : s > value ? 1 : 0;
    }
    if (op == "=" || op == "==") return c == 0;
    if (op == "!=") return c != 0;
    if (op == "<") return c < 0;
    if (op == "<=") return c <= 0;
    if (op == ">") return c > 0;
    return c >= 0;
  }
};

Filter parse_filter(const std::string& text, const std::vector<std::string>& columns) {
  static const char* kOps[] = {"!=", "<=", ">=", "==", "=", "<", ">"};
  for (const char* op : kOps) {
    const auto at = text.find(op);
    if (at == std::string::npos || at == 0) continue;
    Filter f{text.substr(0, at), op, text.substr(at + std::string(op).size())};
    while (!f.column.empty() && f.column.back() == ' ') f.column.pop_back();
    while (!f.value.empty() && f.value.front() == ' ') f.value.erase(f.value.begin());
    if (std::find(columns.begin(), columns.end(), f.column) == columns.end()) {
      std::string msg = "--where '" + text + "': no column '" + f.column + "'";
      const std::string near = closest_match(f.column, columns);
      if (!near.empty()) msg += " (did you mean '" + near + "'?)";
      msg += "; columns:";
      for (const auto& c : columns) msg += " " + c;
      throw Error(msg);
    }
    return f;
  }
  throw Error("--where '" + text + "': expected COLUMN OP VALUE with OP one of = != < <= > >=, e.g. --where 'chip<5'");
}

}  // namespace

void add_run_command(CLI::App& app, CommandContext& ctx) {
  auto* cmd = app.add_subcommand("run", "run an experiment file (TOML): train, sweep, array sections; resumable");
  auto file = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto fe = std::make_shared<FrontEnd>();
  cmd->add_option("EXPERIMENT", *file, "experiment file (configs/*.toml; memlapse describe experiment)")->required();
  cmd->add_option("--out", *out, "results directory (experiment.out; default runs/FILE-STEM)");
  fe->add(cmd);
  cmd->callback([&ctx, file, out, fe] {
    ctx.action = [&ctx, file, out, fe] {
      ConfigDoc doc = ConfigDoc::load(*file);
      if (!out->empty()) {
        doc.set_node("experiment.out", toml::value<std::string>(*out), "--out " + *out);
      } else if (doc.find("experiment.out") == nullptr) {
        doc.set_node("experiment.out", toml::value<std::string>("runs/" + std::filesystem::path(*file).stem().string()), *file);
      }
      return fe->finish(doc, ctx);
    };
  });
}

void add_results_command(CLI::App& app, CommandContext& ctx) {
  auto* cmd = app.add_subcommand("results", "export the trials (or per-point summaries) of an experiment directory");
  auto dir = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false), csv = std::make_shared<bool>(false), points = std::make_shared<bool>(false);
  auto where = std::make_shared<std::vector<std::string>>();
  cmd->add_option("DIR", *dir, "experiment directory (holds results.db)")->required();
  cmd->add_flag("--json", *json, "JSON instead of CSV");
  cmd->add_flag("--csv", *csv, "CSV (the default)");
  cmd->add_flag("--points", *points, "per-point summaries (mean, std, confidence intervals) instead of trials");
  cmd->add_option("--where", *where, "keep rows with COLUMN OP VALUE (OP = != < <= > >=), e.g. 'chip<5'; repeatable, all must hold");
  cmd->callback([&ctx, dir, json, csv, points, where] {
    ctx.action = [&ctx, dir, json, csv, points, where] {
      if (*json && *csv) throw Error("results: give --json or --csv, not both");
      const ResultsStore store = ResultsStore::open_read(*dir);
      std::vector<Row> rows;
      if (*points) {
        const auto ci = store.meta("ci_level"), delta = store.meta("prop1_delta");
        for (const auto& p : summarize_store(store, ci ? std::stod(*ci) : 0.95, delta ? std::stod(*delta) : 0.05)) {
          Row r;
          nlohmann::json j = point_json(p);
          r.cells.emplace_back("point", j["point"]);
          for (const auto& [k, v] : p.overrides.items()) r.cells.emplace_back(k, v);
          for (const char* k : {"chips", "error_mean", "error_std", "error_ci_low", "error_ci_high", "error_prop1_upper", "mismatch_mean",
                                "mismatch_std", "mismatch_ci_low", "mismatch_ci_high", "faults_mean", "inject_ms_mean", "infer_ms_mean"}) {
            r.cells.emplace_back(k, j[k]);
          }
          r.cells.emplace_back("clean_error", p.info.value("clean_error", nlohmann::json()));
          r.cells.emplace_back("format", p.info.value("format", nlohmann::json()));
          rows.push_back(std::move(r));
        }
      } else {
        rows = trial_rows(store);
      }
      std::vector<std::string> columns;
      if (!rows.empty()) for (const auto& [k, v] : rows.front().cells) columns.push_back(k);
      std::vector<Filter> filters;
      for (const auto& w : *where) filters.push_back(parse_filter(w, columns));
      std::vector<const Row*> kept;
      for (const auto& r : rows) {
        if (std::all_of(filters.begin(), filters.end(), [&](const Filter& f) { return f.keep(r); })) kept.push_back(&r);
      }
      if (*json) {
        nlohmann::json a = nlohmann::json::array();
        for (const Row* r : kept) {
          nlohmann::json o = nlohmann::json::object();
          for (const auto& [k, v] : r->cells) o[k] = v;
          a.push_back(std::move(o));
        }
        ctx.out << a.dump(2) << "\n";
        return 0;
      }
      for (std::size_t i = 0; i < columns.size(); ++i) ctx.out << (i ? "," : "") << columns[i];
      ctx.out << "\n";
      for (const Row* r : kept) {
        for (std::size_t i = 0; i < r->cells.size(); ++i) ctx.out << (i ? "," : "") << csv_cell(r->cells[i].second);
        ctx.out << "\n";
      }
      return 0;
    };
  });
}

void add_report_command(CLI::App& app, CommandContext& ctx) {
  auto* cmd = app.add_subcommand("report", "write DIR/report.html: a self-contained HTML report of an experiment directory");
  auto dir = std::make_shared<std::string>();
  cmd->add_option("DIR", *dir, "experiment directory (holds results.db)")->required();
  cmd->callback([&ctx, dir] {
    ctx.action = [&ctx, dir] {
      ctx.out << "wrote " << write_report(*dir) << "\n";
      return 0;
    };
  });
}

}  // namespace memlapse::cli
