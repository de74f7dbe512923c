// memlapse array: memory array models (issue 6). One design point, `array sweep` over
// technologies x capacities (CSV + SVG), `array iso-area` (capacity per technology in an area budget).
//   memlapse array --tech stt --capacity 3MB --node 16 --target edap --cache --assoc 16 --json
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <sstream>
#include <fstream>
#include <iomanip>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "memlapse/core/error.h"
#include "memlapse/memory/report.h"

namespace memlapse::cli {
namespace {

using namespace memlapse::memory;

struct ArrayOptions {
  std::string tech = "sram", capacity = "1MB", target = "edap", mode = "normal", write_accounting = "physical";
  int node = 16, bits_per_cell = 1, word_bits = 512, assoc = 16, line_bytes = 128, sector_bytes = 128;
  double temperature_k = 350.0;
  bool cache = false, json = false, list = false, htree_repeaters = false;
  std::vector<std::string> cell;  // key=value overrides
};

// "3MB", "512KB", "1.5 MiB", "1048576" (bytes) -> bytes.
double parse_capacity(const std::string& text) {
  size_t pos = 0;
  double v = 0;
  try {
    v = std::stod(text, &pos);
  } catch (...) {
    throw Error("capacity: '" + text + "' is not a number with an optional unit (B, KB, MB, GB)");
  }
  std::string unit = text.substr(pos);
  unit.erase(std::remove(unit.begin(), unit.end(), ' '), unit.end());
  for (auto& ch : unit) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  double mul = 0;
  if (unit.empty() || unit == "B") mul = 1;
  else if (unit == "KB" || unit == "KIB" || unit == "K") mul = 1024;
  else if (unit == "MB" || unit == "MIB" || unit == "M") mul = 1024.0 * 1024;
  else if (unit == "GB" || unit == "GIB" || unit == "G") mul = 1024.0 * 1024 * 1024;
  else throw Error("capacity: unit '" + unit + "' in '" + text + "' is unknown; expected B, KB, MB or GB");
  if (!(v > 0)) throw Error("capacity: '" + text + "' must be > 0");
  return v * mul;
}

AccessMode parse_mode(const std::string& m) {
  if (m == "normal") return AccessMode::kNormal;
  if (m == "fast") return AccessMode::kFast;
  if (m == "sequential") return AccessMode::kSequential;
  throw Error("mode: '" + m + "' is unknown; expected normal, fast or sequential");
}

ArraySpec make_spec(const ArrayOptions& o, const std::string& tech) {
  std::map<std::string, std::string> ov;
  for (const auto& kv : o.cell) {
    auto eq = kv.find('=');
    if (eq == std::string::npos) throw Error("--cell: '" + kv + "' is not key=value");
    ov[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  if (o.bits_per_cell != 1) ov["bits_per_cell"] = std::to_string(o.bits_per_cell);
  technology_for_node(o.node);
  if (!(o.temperature_k > 200 && o.temperature_k < 450))
    throw Error("temperature: " + std::to_string(o.temperature_k) + " K is out of range 200..450 K");
  ArraySpec s;
  s.cell = make_cell(tech, ov);
  s.node_nm = o.node;
  s.capacity_bytes = parse_capacity(o.capacity);
  s.word_bits = o.word_bits;
  s.cache = o.cache;
  s.htree_repeaters = o.htree_repeaters;
  s.write_accounting = parse_write_accounting(o.write_accounting);
  s.assoc = o.assoc;
  s.line_bytes = o.line_bytes;
  s.sector_bytes = o.sector_bytes;
  s.temperature_k = o.temperature_k;
  s.mode = parse_mode(o.mode);
  return s;
}

nlohmann::json figures_json(const ArrayFigures& f) {
  return {{"area_mm2", f.area_mm2},           {"read_latency_ns", f.read_latency_ns},
          {"write_latency_ns", f.write_latency_ns}, {"read_energy_nj", f.read_energy_nj},
          {"write_energy_nj", f.write_energy_nj},   {"leakage_mw", f.leakage_mw},
          {"refresh_mw", f.refresh_mw},       {"area_efficiency", f.area_efficiency}};
}

nlohmann::json org_json(const Organization& o) {
  return {{"mats_r", o.mats_r}, {"mats_c", o.mats_c}, {"subarrays_per_mat", o.subarrays_per_mat},
          {"rows", o.rows},     {"cols", o.cols},     {"mux", o.mux}};
}

int run_one(const ArrayOptions& o, std::ostream& out) {
  const ArraySpec s = make_spec(o, o.tech);
  const Target target = parse_target(o.target);
  const SearchResult r = optimize(s, target);
  const ArrayFigures& f = r.best.figures;
  if (o.json) {
    nlohmann::json j = figures_json(f);
    j["tech"] = o.tech;
    j["node_nm"] = s.node_nm;
    j["capacity_bytes"] = s.capacity_bytes;
    j["bits_per_cell"] = s.cell.bits_per_cell;
    j["target"] = to_string(target);
    j["organization"] = org_json(r.best.org);
    j["organization"]["text"] = to_string(r.best.org);
    j["evaluated"] = r.evaluated;
    if (s.cache) {
      j["cache"] = {{"assoc", s.assoc}, {"line_bytes", s.line_bytes}, {"sector_bytes", s.sector_bytes},
                    {"write_accounting", to_string(s.write_accounting)},
                    {"access_mode", to_string(r.mode)}, {"tag_organization", org_json(r.best.tag_org)},
                    {"data", figures_json(r.best.data)}, {"tag", figures_json(r.best.tag)}};
      if (target == Target::kEdap) j["cache"]["algorithm1_target"] = to_string(r.via);
    }
    out << j.dump(2) << "\n";
    return 0;
  }
  out << o.tech << " " << s.capacity_bytes / (1024.0 * 1024.0) << " MB at " << s.node_nm << " nm, "
      << s.cell.bits_per_cell << " bit/cell, " << (s.cache ? "cache" : "RAM") << ", target " << to_string(target);
  if (s.cache) out << " (access mode " << to_string(r.mode) << (target == Target::kEdap ? std::string(", via ") + to_string(r.via) : "") << ")";
  out << "\n  organization      " << to_string(r.best.org) << "\n";
  if (s.cache) out << "  tag organization  " << to_string(r.best.tag_org) << "\n";
  out << std::setprecision(4) << "  area              " << f.area_mm2 << " mm^2 (efficiency " << f.area_efficiency << ")\n"
      << "  read latency      " << f.read_latency_ns << " ns\n  write latency     " << f.write_latency_ns << " ns\n"
      << "  read energy       " << f.read_energy_nj << " nJ\n  write energy      " << f.write_energy_nj << " nJ\n"
      << "  leakage           " << f.leakage_mw << " mW (refresh " << f.refresh_mw << " mW)\n"
      << "  organizations     " << r.evaluated << " evaluated\n";
  return 0;
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> v;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) if (!item.empty()) v.push_back(item);
  return v;
}

void add_common(CLI::App* c, ArrayOptions& o) {
  c->add_option("--node", o.node, "process node in nm (16, 22, 28, 32, 40, 45)");
  c->add_option("--target", o.target, "read-latency|write-latency|read-energy|write-energy|read-edp|write-edp|area|leakage|edap|edap-global");
  c->add_option("--bits-per-cell", o.bits_per_cell, "MLC bits per cell (rram, ctt: 1..3; pcm: 1..2)");
  c->add_option("--word-bits", o.word_bits, "RAM access width in bits");
  c->add_flag("--cache", o.cache, "cache mode (tag + data)");
  c->add_flag("--htree-repeaters", o.htree_repeaters,
              "route the bank H-tree on repeated wires (CACTI) instead of NVSim's default unrepeated global wires");
  c->add_option("--write-accounting", o.write_accounting,
                 "cache write energy: physical (every written cell) or nvsim (NVSim's bookkeeping: max(set,reset) "
                 "per cell, divided by the associativity in normal/fast modes; see docs/array_model.md)");
  c->add_option("--assoc", o.assoc, "cache associativity");
  c->add_option("--line-bytes", o.line_bytes, "cache line size");
  c->add_option("--sector-bytes", o.sector_bytes, "bytes per cache access (default: a whole line, as NVSim)");
  c->add_option("--mode", o.mode, "cache access mode for non-EDAP targets: normal|fast|sequential");
  c->add_option("--temperature-k", o.temperature_k, "operating temperature (K)");
  c->add_option("--cell", o.cell, "cell parameter override key=value (see --list)");
}

}  // namespace

void add_array_command(CLI::App& app, CommandContext& ctx) {
  auto* cmd = app.add_subcommand("array", "memory array area/latency/energy/leakage model with organization search");
  auto o = std::make_shared<ArrayOptions>();
  cmd->add_option("--tech", o->tech, "sram|edram3t|dram|stt|sot|rram|ctt|pcm");
  cmd->add_option("--capacity", o->capacity, "capacity, e.g. 3MB, 512KB");
  cmd->add_flag("--json", o->json, "print a JSON object");
  cmd->add_flag("--list", o->list, "list technologies and their cell parameters");
  add_common(cmd, *o);
  cmd->callback([&ctx, o, cmd] {
    if (!cmd->get_subcommands().empty()) return;
    ctx.action = [&ctx, o] {
      if (o->list) {
        ctx.out << describe_entries("array technologies", array_technology_registry());
        return 0;
      }
      return run_one(*o, ctx.out);
    };
  });

  auto* sw = cmd->add_subcommand("sweep", "technologies x capacities: CSV and SVG plots (003 Fig. 9 style)");
  auto so = std::make_shared<ArrayOptions>();
  auto techs = std::make_shared<std::string>("sram,stt,sot");
  auto caps = std::make_shared<std::string>("1,2,4,8,16,32");
  auto outdir = std::make_shared<std::string>("array_sweep");
  sw->add_option("--techs", *techs, "comma-separated technologies");
  sw->add_option("--capacities-mb", *caps, "comma-separated capacities in MB");
  sw->add_option("--out", *outdir, "output directory for sweep.csv and <metric>.svg");
  add_common(sw, *so);
  sw->callback([&ctx, so, techs, caps, outdir] {
    ctx.action = [&ctx, so, techs, caps, outdir] {
      std::vector<double> mbs;
      for (const auto& c : split(*caps)) {
        try { mbs.push_back(std::stod(c)); } catch (...) { throw Error("--capacities-mb: '" + c + "' is not a number"); }
      }
      const ArraySpec base = make_spec(*so, "sram");
      ArraySpec b2 = base;
      b2.cell.bits_per_cell = so->bits_per_cell;
      const auto rows = sweep(split(*techs), mbs, b2, parse_target(so->target));
      std::filesystem::create_directories(*outdir);
      auto write = [&](const std::string& name, const std::string& text) {
        std::ofstream f(*outdir + "/" + name);
        if (!f) throw Error("--out: cannot write " + *outdir + "/" + name);
        f << text;
      };
      write("sweep.csv", sweep_csv(rows));
      for (const auto& m : figure_names())
        if (m != "area_efficiency" && m != "refresh_mw") write(m + ".svg", sweep_svg(rows, m));
      ctx.out << sweep_csv(rows) << "wrote " << *outdir << "/sweep.csv and 6 SVG plots\n";
      return 0;
    };
  });

  auto* iso = cmd->add_subcommand("iso-area", "largest capacity of each technology within an area budget");
  auto io = std::make_shared<ArrayOptions>();
  auto budget = std::make_shared<double>(0.0);
  auto itechs = std::make_shared<std::string>("sram,stt,sot");
  auto step = std::make_shared<double>(1.0);
  iso->add_option("--budget-mm2", *budget, "area budget in mm^2")->required();
  iso->add_option("--techs", *itechs, "comma-separated technologies");
  iso->add_option("--step-mb", *step, "capacity step in MB");
  add_common(iso, *io);
  iso->callback([&ctx, io, budget, itechs, step] {
    ctx.action = [&ctx, io, budget, itechs, step] {
      ctx.out << "tech,capacity_mb,budget_mm2\n";
      for (const auto& tech : split(*itechs)) {
        ArraySpec s = make_spec(*io, tech);
        ctx.out << tech << "," << iso_area_capacity_mb(s, *budget, parse_target(io->target), *step) << "," << *budget << "\n";
      }
      return 0;
    };
  });
}

}  // namespace memlapse::cli
