#include "memlapse/experiment/array_run.h"

#include <filesystem>
#include <iomanip>
#include <sstream>

#include <nlohmann/json.hpp>

#include "memlapse/core/error.h"
#include "memlapse/core/file.h"
#include "memlapse/memory/report.h"
#include "memlapse/memory/search.h"

namespace memlapse {
namespace {

using namespace memlapse::memory;

AccessMode mode_of(const std::string& m) {
  return m == "fast" ? AccessMode::kFast : m == "sequential" ? AccessMode::kSequential : AccessMode::kNormal;
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

std::string one_design(const ArraySection& a, bool json) {
  const ArraySpec s = array_spec_of(a, a.techs.front(), a.capacities_bytes.front());
  const Target target = parse_target(a.target);
  const SearchResult r = optimize(s, target);
  const ArrayFigures& f = r.best.figures;
  std::ostringstream out;
  if (json) {
    nlohmann::json j = figures_json(f);
    j["tech"] = a.techs.front();
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
    return out.str();
  }
  out << a.techs.front() << " " << s.capacity_bytes / (1024.0 * 1024.0) << " MB at " << s.node_nm << " nm, "
      << s.cell.bits_per_cell << " bit/cell, " << (s.cache ? "cache" : "RAM") << ", target " << to_string(target);
  if (s.cache) out << " (access mode " << to_string(r.mode) << (target == Target::kEdap ? std::string(", via ") + to_string(r.via) : "") << ")";
  out << "\n  organization      " << to_string(r.best.org) << "\n";
  if (s.cache) out << "  tag organization  " << to_string(r.best.tag_org) << "\n";
  out << std::setprecision(4) << "  area              " << f.area_mm2 << " mm^2 (efficiency " << f.area_efficiency << ")\n"
      << "  read latency      " << f.read_latency_ns << " ns\n  write latency     " << f.write_latency_ns << " ns\n"
      << "  read energy       " << f.read_energy_nj << " nJ\n  write energy      " << f.write_energy_nj << " nJ\n"
      << "  leakage           " << f.leakage_mw << " mW (refresh " << f.refresh_mw << " mW)\n"
      << "  organizations     " << r.evaluated << " evaluated\n";
  return out.str();
}

}  // namespace

ArraySpec array_spec_of(const ArraySection& a, const std::string& tech, double bytes) {
  technology_for_node(a.node_nm);  // Error listing the supported nodes
  std::map<std::string, std::string> ov = a.cell;
  if (a.bits_per_cell != 1) ov["bits_per_cell"] = std::to_string(a.bits_per_cell);
  ArraySpec s;
  s.cell = make_cell(tech, ov);
  s.node_nm = a.node_nm;
  s.capacity_bytes = bytes;
  s.word_bits = a.word_bits;
  s.cache = a.cache;
  s.htree_repeaters = a.htree_repeaters;
  s.write_accounting = parse_write_accounting(a.write_accounting);
  s.assoc = a.assoc;
  s.line_bytes = a.line_bytes;
  s.sector_bytes = a.sector_bytes;
  s.temperature_k = a.temperature_k;
  s.mode = mode_of(a.mode);
  return s;
}

std::vector<nlohmann::json> array_design_rows(const ArraySection& a) {
  std::vector<nlohmann::json> rows;
  for (const auto& tech : a.techs) {
    for (double bytes : a.capacities_bytes) {
      const ArraySpec s = array_spec_of(a, tech, bytes);
      const SearchResult r = optimize(s, parse_target(a.target));
      nlohmann::json j = figures_json(r.best.figures);
      j["tech"] = tech;
      j["capacity_mb"] = bytes / (1024.0 * 1024.0);
      j["node_nm"] = s.node_nm;
      j["bits_per_cell"] = s.cell.bits_per_cell;
      j["target"] = a.target;
      j["organization"] = to_string(r.best.org);
      rows.push_back(std::move(j));
    }
  }
  return rows;
}

std::string run_array(const ArraySection& a, bool json, const std::string& out_dir) {
  if (a.iso_area_mm2) {
    std::ostringstream out;
    out << "tech,capacity_mb,budget_mm2\n";
    for (const auto& tech : a.techs) {
      const ArraySpec s = array_spec_of(a, tech, a.capacities_bytes.front());
      out << tech << "," << iso_area_capacity_mb(s, *a.iso_area_mm2, parse_target(a.target), a.step_mb) << "," << *a.iso_area_mm2 << "\n";
    }
    return out.str();
  }
  if (a.techs.size() == 1 && a.capacities_bytes.size() == 1) return one_design(a, json);
  std::vector<double> mbs;
  for (double b : a.capacities_bytes) mbs.push_back(b / (1024.0 * 1024.0));
  ArraySpec base = array_spec_of(a, "sram", a.capacities_bytes.front());
  base.cell.bits_per_cell = a.bits_per_cell;
  const auto rows = sweep(a.techs, mbs, base, parse_target(a.target));
  const std::string csv = sweep_csv(rows);
  std::string wrote;
  if (!out_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(out_dir, ec);
    if (ec) throw Error(out_dir + ": cannot create (" + ec.message() + ")");
    write_text_file(out_dir + "/sweep.csv", csv);
    int n = 0;
    for (const auto& m : figure_names()) {
      if (m == "area_efficiency" || m == "refresh_mw") continue;
      write_text_file(out_dir + "/" + m + ".svg", sweep_svg(rows, m));
      ++n;
    }
    wrote = "wrote " + out_dir + "/sweep.csv and " + std::to_string(n) + " SVG plots\n";
  }
  return csv + wrote;
}

}  // namespace memlapse
