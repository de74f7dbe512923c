// memlapse array: memory array models (issue 6), a front end of the experiment file's [array]
// section (--print-spec shows it). One design point, `array sweep` over technologies x capacities
// (CSV + SVG), `array iso-area` (capacity per technology in an area budget).
//   memlapse array --tech stt --capacity 3MB --node 16 --target edap --cache --assoc 16 --json
#include <CLI/CLI.hpp>

#include <sstream>

#include "commands.h"
#include "memlapse/core/error.h"
#include "memlapse/experiment/array_run.h"
#include "memlapse/experiment/spec.h"
#include "memlapse/memory/cell.h"
#include "spec_flags.h"

namespace memlapse::cli {
namespace {

struct ArrayFlags {
  SchemaFlags schema;
  std::vector<std::string> cell, sets;
  bool json = false, list = false, print_spec = false;
};

void add_common(CLI::App* c, ArrayFlags& f, const std::set<std::string>& skip) {
  f.schema.add(c, array_schema(), "array", skip);
  c->add_option("--cell", f.cell, "cell parameter override key=value (array.cell; see --list)");
  c->add_option("--set", f.sets, "override any experiment key, PATH=VALUE; repeatable");
  c->add_flag("--print-spec", f.print_spec, "print the experiment file this command stands for, and exit");
}

// Builds the [array] document from the flags, then prints it or runs it.
int finish(ArrayFlags& f, ConfigDoc& doc, CommandContext& ctx, const std::string& out_dir) {
  f.schema.apply(doc);
  if (!doc.root().contains("array")) doc.set_node("array", toml::table{}, "memlapse array");
  set_kv(doc, "array.cell", f.cell, "--cell", nullptr);
  for (const auto& s : f.sets) doc.set(s);
  const ExperimentSpec spec = read_experiment_checked(doc);
  if (f.print_spec) {
    ctx.out << "# " << doc.source() << "\n" << doc.toml_text();
    return 0;
  }
  ctx.out << run_array(*spec.array, f.json, out_dir);
  return 0;
}

std::string mb_list(const std::string& text) {
  std::stringstream ss(text);
  std::string item, out;
  while (std::getline(ss, item, ',')) {
    if (item.empty()) continue;
    char* end = nullptr;
    std::strtod(item.c_str(), &end);
    if (end == item.c_str() || *end != '\0') throw Error("--capacities-mb: '" + item + "' is not a number of MB");
    out += (out.empty() ? "" : ",") + item + "MB";
  }
  return out;
}

}  // namespace

void add_array_command(CLI::App& app, CommandContext& ctx) {
  auto* cmd = app.add_subcommand("array", "memory array area/latency/energy/leakage model with organization search");
  auto f = std::make_shared<ArrayFlags>();
  add_common(cmd, *f, {"iso_area_mm2", "step_mb"});
  cmd->add_flag("--json", f->json, "print a JSON object");
  cmd->add_flag("--list", f->list, "list technologies and their cell parameters");
  cmd->callback([&ctx, f, cmd] {
    if (!cmd->get_subcommands().empty()) return;
    ctx.action = [&ctx, f] {
      if (f->list) {
        ctx.out << describe_entries("array technologies", memory::array_technology_registry().entries());
        return 0;
      }
      ConfigDoc doc(toml::table{}, "memlapse array");
      return finish(*f, doc, ctx, "");
    };
  });

  auto* sw = cmd->add_subcommand("sweep", "technologies x capacities: CSV and SVG plots (003 Fig. 9 style)");
  auto sf = std::make_shared<ArrayFlags>();
  auto techs = std::make_shared<std::string>("sram,stt,sot");
  auto caps = std::make_shared<std::string>("1,2,4,8,16,32");
  auto outdir = std::make_shared<std::string>("array_sweep");
  sw->add_option("--techs", *techs, "comma-separated technologies (array.tech)")->capture_default_str();
  sw->add_option("--capacities-mb", *caps, "comma-separated capacities in MB (array.capacity)")->capture_default_str();
  sw->add_option("--out", *outdir, "output directory for sweep.csv and <metric>.svg")->capture_default_str();
  add_common(sw, *sf, {"tech", "capacity", "iso_area_mm2", "step_mb"});
  sw->callback([&ctx, sf, techs, caps, outdir] {
    ctx.action = [&ctx, sf, techs, caps, outdir] {
      ConfigDoc doc(toml::table{}, "memlapse array sweep");
      ParamSpec list{"tech", ParamType::kStringList, "", "", ""};
      doc.set_node("array.tech", std::move(*toml_value_from_text(*techs, &list)), "--techs " + *techs);
      doc.set_node("array.capacity", std::move(*toml_value_from_text(mb_list(*caps), &list)), "--capacities-mb " + *caps);
      return finish(*sf, doc, ctx, *outdir);
    };
  });

  auto* iso = cmd->add_subcommand("iso-area", "largest capacity of each technology within an area budget");
  auto io = std::make_shared<ArrayFlags>();
  auto budget = std::make_shared<std::string>();
  auto itechs = std::make_shared<std::string>("sram,stt,sot");
  iso->add_option("--budget-mm2", *budget, "area budget in mm^2 (array.iso_area_mm2)")->required();
  iso->add_option("--techs", *itechs, "comma-separated technologies (array.tech)")->capture_default_str();
  add_common(iso, *io, {"tech", "iso_area_mm2"});
  iso->callback([&ctx, io, budget, itechs] {
    ctx.action = [&ctx, io, budget, itechs] {
      ConfigDoc doc(toml::table{}, "memlapse array iso-area");
      ParamSpec list{"tech", ParamType::kStringList, "", "", ""};
      doc.set_node("array.tech", std::move(*toml_value_from_text(*itechs, &list)), "--techs " + *itechs);
      ParamSpec num{"iso_area_mm2", ParamType::kDouble, "", "", ""};
      doc.set_node("array.iso_area_mm2", std::move(*toml_value_from_text(*budget, &num)), "--budget-mm2 " + *budget);
      return finish(*io, doc, ctx, "");
    };
  });
}

}  // namespace memlapse::cli
