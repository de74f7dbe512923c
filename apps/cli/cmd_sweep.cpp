// memlapse sweep: a fault campaign over points x chips on a model's stored weights, as flags. It
// builds the experiment document `memlapse run` reads (--print-spec shows it): one partition
// "main" holding every weight (fault model --fault at the values of --ber, --voltage, ... or
// --sweep KEY=...: a comma list makes an axis, several lists their cartesian product), or the
// memory system and placement of --placement FILE.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <map>
#include <set>

#include "commands.h"
#include "front_end.h"
#include "memlapse/core/error.h"
#include "memlapse/experiment/spec.h"
#include "memlapse/faults/fault_model.h"
#include "memlapse/formats/format.h"
#include "memlapse/placement/placement.h"
#include "spec_flags.h"

namespace memlapse::cli {
namespace {

// Every fault-model parameter with a role (a rate or an operating point), once: the flags
// --ber, --voltage, --vdd-delta, ... of the sweep (generated from the registry).
std::vector<ParamSpec> operating_point_specs() {
  std::vector<ParamSpec> out;
  std::set<std::string> seen;
  for (const auto& e : fault_registry().entries()) {
    for (const auto& p : e.schema.specs()) {
      if (p.role == ParamRole::kPlain || !seen.insert(p.name).second) continue;
      out.push_back(p);
    }
  }
  return out;
}

// The spec of fault-model key `key` for typing a CLI value: the chosen model's, else any model's.
const ParamSpec* fault_key_spec(const std::string& model, const std::string& key) {
  if (fault_registry().contains(model)) {
    if (const ParamSpec* s = fault_registry().find(model).entry.schema.find(key)) return s;
  }
  for (const auto& e : fault_registry().entries()) {
    if (const ParamSpec* s = e.schema.find(key)) return s;
  }
  return nullptr;
}

struct SweepFlags {
  SchemaFlags schema;
  ModelFormatFlags model_format;
  std::string fault = "uniform", technology, capacity, placement, faults_in = "weights";
  std::vector<std::string> fault_opts, layout_opts, sweeps, act_faults;
  std::map<std::string, std::shared_ptr<std::string>> knobs;  // flag key -> text
  std::string out;
  CLI::Option* fault_opt = nullptr;
};

// One parameter of partition main's fault model: a value, or (with `sweepable`) an axis when it is
// a comma list; --fault-opt keeps a comma list as one value (per-column lists such as P_B).
void knob(ConfigDoc& doc, const std::string& model, const std::string& key, const std::string& text, const std::string& origin,
          toml::array& axes, bool sweepable = true) {
  const ParamSpec* spec = fault_key_spec(model, key);
  const std::string path = "partition.main.fault." + key;
  if (text.find(',') == std::string::npos || !sweepable) {
    doc.set_node(path, std::move(*toml_value_from_text(text, spec)), origin);
    return;
  }
  ParamSpec as_list = spec != nullptr ? *spec : ParamSpec{key, ParamType::kDouble, "", "", ""}.optional_();
  if (as_list.type == ParamType::kInt || as_list.type == ParamType::kIntList) as_list.type = ParamType::kIntList;
  else if (as_list.type == ParamType::kString || as_list.type == ParamType::kStringList) as_list.type = ParamType::kStringList;
  else as_list.type = ParamType::kDoubleList;
  as_list.separator = ',';
  auto values = toml_value_from_text(text, &as_list);
  axes.push_back(toml::table{{"key", path}, {"values", std::move(*values->as_array())}});
}

ConfigDoc build_doc(const SweepFlags& f) {
  ConfigDoc doc(toml::table{}, "memlapse sweep");
  doc.set_node("experiment.out", toml::value<std::string>(f.out), "--out " + f.out);
  f.schema.apply(doc);
  f.model_format.apply(doc);
  // The memory system: --placement FILE, or one partition "main" holding everything.
  if (!f.placement.empty()) {
    const ConfigDoc pl = ConfigDoc::load(f.placement);
    for (const char* key : {"partition", "placement"}) {
      if (const toml::node* n = pl.root().get(key)) doc.set_node(key, *n, f.placement);
    }
    if (!pl.root().contains("partition")) throw Error(f.placement + ": a placement file needs its [[partition]] tables");
  } else {
    doc.set_node("partition", toml::array{toml::table{{"name", "main"}, {"fault", toml::table{{"model", f.fault}}}}}, "memlapse sweep");
  }
  const toml::node* main = doc.find("partition.main");
  if (main == nullptr && (!f.fault_opts.empty() || !f.layout_opts.empty() || !f.technology.empty() || !f.capacity.empty())) {
    throw Error("--fault-opt, --layout-opt, --technology and --capacity apply to partition 'main', which " + f.placement + " does not define");
  }
  if (main != nullptr && !f.placement.empty() && f.fault_opt->count() > 0) {
    doc.set_node("partition.main.fault", toml::table{{"model", f.fault}}, "--fault " + f.fault);
  }
  const std::string model = main != nullptr && doc.find("partition.main.fault.model") != nullptr
                                ? doc.find("partition.main.fault.model")->value_or(std::string("none"))
                                : f.fault;
  toml::array axes;
  if (main != nullptr) {
    if (!f.technology.empty()) doc.set_node("partition.main.technology", toml::value<std::string>(f.technology), "--technology");
    if (!f.capacity.empty()) doc.set_node("partition.main.capacity", toml::value<std::string>(f.capacity), "--capacity");
    for (const auto& [k, v] : parse_kv(f.fault_opts, "--fault-opt")) knob(doc, model, k, v, "--fault-opt " + k + "=" + v, axes, false);
    set_kv(doc, "partition.main.layout", f.layout_opts, "--layout-opt", &layout_schema());
    for (const auto& [key, text] : f.knobs) {
      if (!text->empty()) knob(doc, model, key, *text, "--" + key + " " + *text, axes);
    }
  }
  for (const auto& item : f.sweeps) {
    const auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0) throw Error("--sweep: '" + item + "' is not of the form KEY=v1,v2,...");
    const std::string key = item.substr(0, eq), text = item.substr(eq + 1);
    if (key.find('.') == std::string::npos) {
      if (main == nullptr) throw Error("--sweep " + key + ": a bare key is a parameter of partition 'main', which is not defined");
      knob(doc, model, key, text, "--sweep " + item, axes);
      continue;
    }
    auto values = toml_value_from_text(text, nullptr);
    toml::array rows;
    if (auto* a = values->as_array()) rows = std::move(*a);
    else rows.push_back(std::move(*values));
    if (text.find(',') != std::string::npos && rows.size() == 1 && rows.get(0)->is_string()) {
      // A comma list of words: split it.
      ParamSpec words{key, ParamType::kStringList, "", "", ""};
      rows = std::move(*toml_value_from_text(text, &words)->as_array());
    }
    axes.push_back(toml::table{{"key", key}, {"values", std::move(rows)}});
  }
  if (!axes.empty()) doc.set_node("sweep.axis", std::move(axes), "memlapse sweep");
  if (!doc.root().contains("sweep")) doc.set_node("sweep", toml::table{}, "memlapse sweep");
  // Activations (000 §3.2): sites TYPE:MODULES[:FORMAT] in partition main.
  ParamSchema{ParamSpec{"faults_in", ParamType::kString, "weights", "", "where the faults are"}.one_of({"weights", "activations", "both"})}
      .resolve({{"faults_in", f.faults_in}}, "--faults-in");
  if (!f.act_faults.empty() && f.faults_in == "weights") throw Error("--act-faults needs --faults-in activations or both");
  if (f.faults_in != "weights") {
    toml::array sites;
    for (const auto& s : f.act_faults.empty() ? std::vector<std::string>{"ofm:conv"} : f.act_faults) sites.push_back(s);
    doc.set_node("activations.sites", std::move(sites), "--act-faults");
    doc.set_node("activations.weights", toml::value<bool>(f.faults_in == "both"), "--faults-in " + f.faults_in);
  }
  return doc;
}

}  // namespace

void add_sweep_command(CLI::App& app, CommandContext& ctx) {
  auto* cmd = app.add_subcommand("sweep", "evaluate a model under faults in its stored weights, over points x chips (a front end of run)");
  auto f = std::make_shared<SweepFlags>();
  auto fe = std::make_shared<FrontEnd>();
  f->schema.add(cmd, model_schema(), "model", {}, {});
  f->schema.add(cmd, data_schema(), "data", {"validation"});
  f->schema.add(cmd, sweep_schema(), "sweep");
  cmd->get_option("--model")->required();
  f->model_format.add(cmd);
  f->fault_opt = cmd->add_option("--fault", f->fault, "fault model of partition main (describe faults)")->capture_default_str();
  cmd->add_option("--fault-opt", f->fault_opts, "fault-model parameter key=value of partition main; a comma list sweeps it");
  cmd->add_option("--layout-opt", f->layout_opts, "physical layout key=value of partition main (row_bits, banks, ...)");
  cmd->add_option("--technology", f->technology, "technology of partition main (default: the fault model's)");
  cmd->add_option("--capacity", f->capacity, "capacity of partition main, e.g. 4MB (default unbounded)");
  cmd->add_option("--placement", f->placement, "memory system and placement file ([[partition]] + [placement], as run writes placement.toml)");
  for (const ParamSpec& p : operating_point_specs()) {
    auto text = std::make_shared<std::string>();
    f->knobs[p.name] = text;
    cmd->add_option(p.cli_flag(), *text, p.doc + " (" + to_string(p.role) + " of partition main's fault model; a comma list sweeps it)");
  }
  cmd->add_option("--sweep", f->sweeps, "KEY=v1,v2,...: sweep any fault-model parameter of partition main, or any experiment key PATH");
  cmd->add_option("--faults-in", f->faults_in, "weights | activations | both")->capture_default_str();
  cmd->add_option("--act-faults", f->act_faults, "activation sites TYPE:MODULES[:FORMAT], e.g. ofm:conv (activations.sites)");
  cmd->add_option("--out", f->out, "output directory (experiment.out)")->required();
  fe->add(cmd);
  cmd->callback([&ctx, f, fe] {
    ctx.action = [&ctx, f, fe] {
      ConfigDoc doc = build_doc(*f);
      return fe->finish(doc, ctx);
    };
  });
}

}  // namespace memlapse::cli
