#include "memlapse/experiment/spec.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>

#include "memlapse/core/error.h"
#include "memlapse/core/text.h"
#include "memlapse/characterize/search.h"
#include "memlapse/experiment/checkpoint.h"
#include "memlapse/experiment/zoo.h"
#include "memlapse/faults/fault_model.h"
#include "memlapse/formats/format.h"
#include "memlapse/memory/search.h"

namespace memlapse {
namespace {

const std::vector<std::string> kSections = {"experiment", "model",  "data",  "format", "partition", "placement",
                                            "activations", "train", "sweep", "characterize", "array",  "output"};

ParamSpec open_unit(const char* name, const char* def, const char* doc) {
  ParamSpec s = ParamSpec{name, ParamType::kDouble, def, "", doc}.open_above(0, 1);
  s.max_open = true;
  return s;
}

std::vector<std::string> target_names() {
  return {"read-latency", "write-latency", "read-energy", "write-energy", "read-edp", "write-edp", "area", "leakage", "edap", "edap-global"};
}

nlohmann::json json_of(const toml::node& n) {
  toml::table t;
  t.insert_or_assign("v", n);
  std::ostringstream os;
  os << toml::json_formatter{t};
  return nlohmann::json::parse(os.str())["v"];
}

std::string text_of(const toml::node& n) {
  if (const auto* s = n.as_string()) return s->get();
  if (n.is_table() || n.is_array()) return json_of(n).dump();
  return toml_inline_text(n);
}

// Activation sites, as `memlapse sweep --act-faults` takes them: TYPE:MODULES[:FORMAT].
void check_site(const std::string& site, const TableReader& t) {
  std::vector<std::string> parts;
  std::stringstream ss(site);
  std::string item;
  while (std::getline(ss, item, ':')) parts.push_back(item);
  if (parts.size() < 2 || parts.size() > 3 || (parts[0] != "ifm" && parts[0] != "ofm") || parts[1].empty()) {
    t.fail("sites", "'" + site + "' is not TYPE:MODULES[:FORMAT] (TYPE ifm | ofm; MODULES all | conv | indices such as 0,3; "
                    "FORMAT a format name with ,k=v parameters)");
  }
  if (parts[1] != "all" && parts[1] != "conv") {
    std::stringstream ms(parts[1]);
    std::string idx;
    while (std::getline(ms, idx, ',')) {
      if (idx.empty() || idx.find_first_not_of("0123456789") != std::string::npos) {
        t.fail("sites", "'" + site + "': module '" + idx + "' is not all, conv or a module index");
      }
    }
  }
  if (parts.size() == 3) {
    std::stringstream fs(parts[2]);
    std::string name, kv;
    std::getline(fs, name, ',');
    std::map<std::string, std::string> p;
    while (std::getline(fs, kv, ',')) {
      const auto eq = kv.find('=');
      if (eq == std::string::npos || eq == 0) t.fail("sites", "'" + site + "': '" + kv + "' is not key=value");
      p[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    try {
      make_format(name, p);
    } catch (const Error& e) {
      t.fail("sites", "'" + site + "': " + e.what());
    }
  }
}

// What a checkpoint (or the [train] section that will write it) says about how to evaluate it.
struct CheckpointDefaults {
  bool known = false;
  std::string quant;
  std::map<std::string, std::string> quant_params;
  std::string correct = "none";
  bool bn_batch_stats = false;
  double pattbet = 0;
  std::string randbet_fault = "uniform";
  std::map<std::string, std::string> randbet_fault_params;
  std::uint64_t seed = 1;
  int sampler_version = kFaultSamplerVersion;
};

CheckpointDefaults defaults_of(const std::optional<TrainOptions>& train, const std::string& source) {
  CheckpointDefaults d;
  if (train) {
    d.known = true;
    d.quant = train->quant;
    d.quant_params = train->quant_params;
    d.correct = train->correct;
    d.bn_batch_stats = train->bn_batch_stats;
    d.pattbet = train->pattbet;
    d.randbet_fault = train->randbet_fault;
    d.randbet_fault_params = train->randbet_fault_params;
    d.seed = train->seed;
    return d;
  }
  const auto meta = read_checkpoint_meta_file(source);
  if (!meta) return d;
  d.known = true;
  const nlohmann::json ft = meta->value("fault_training", nlohmann::json::object());
  d.quant = ft.value("quant", std::string());
  d.quant_params = ft.value("quant_params", std::map<std::string, std::string>{});
  d.correct = ft.value("correct", std::string("none"));
  d.bn_batch_stats = ft.value("bn_batch_stats", false);
  d.pattbet = ft.value("pattbet", 0.0);
  d.randbet_fault = ft.value("randbet_fault", std::string("uniform"));
  d.randbet_fault_params = ft.value("randbet_fault_params", std::map<std::string, std::string>{});
  d.seed = meta->value("seed", std::uint64_t{1});
  d.sampler_version = meta->value("fault_sampler_version", 0);
  return d;
}

std::vector<AxisSpec> read_axes(const TableReader& sweep) {
  std::vector<AxisSpec> out;
  for (const TableReader& t : sweep.tables("axis")) {
    const ParamValues v = t.resolve(axis_schema(), {"values"});
    AxisSpec a;
    a.where = t.where("");
    if (v.has("key") == v.has("keys")) t.fail("key", "give key = \"PATH\" (one key) or keys = [\"PATH\", ...] (keys that move together)");
    a.keys = v.has("key") ? std::vector<std::string>{v.get_string("key")} : v.get_string_list("keys");
    if (a.keys.empty()) t.fail("keys", "expected at least one key");
    const toml::node* vals = t.raw().get("values");
    if (vals == nullptr || vals->as_array() == nullptr || vals->as_array()->empty()) t.fail("values", "expected a non-empty array of values");
    for (const auto& row : *vals->as_array()) {
      toml::array r;
      if (a.keys.size() == 1) {
        // A value may be a table (a whole fault = {...} at each point) but not an array: rows of
        // several keys are written with keys = [...].
        if (row.is_array()) t.fail("values", "expected values of key " + a.keys[0] + ", got an array (several keys: keys = [...])");
        r.push_back(row);
      } else {
        const auto* ra = row.as_array();
        if (ra == nullptr || ra->size() != a.keys.size()) {
          t.fail("values", "expected rows of " + std::to_string(a.keys.size()) + " values (one per key in keys)");
        }
        r = *ra;
      }
      a.rows.push_back(std::move(r));
    }
    for (const auto& k : a.keys) {
      if (k.rfind("sweep", 0) == 0 || k.rfind("experiment", 0) == 0) t.fail("keys", "'" + k + "' cannot be swept");
    }
    out.push_back(std::move(a));
  }
  return out;
}

ArraySection read_array(const TableReader& t) {
  const ParamValues v = t.resolve(array_schema(), {"cell"});
  ArraySection a;
  a.techs = v.get_string_list("tech");
  if (a.techs.empty()) t.fail("tech", "expected at least one technology");
  a.capacities_bytes.clear();
  for (const auto& c : v.get_string_list("capacity")) {
    try {
      const double b = parse_bytes(c, "capacity");
      if (!(b > 0)) t.fail("capacity", "'" + c + "' must be > 0");
      a.capacities_bytes.push_back(b);
    } catch (const Error& e) {
      t.fail("capacity", e.what());
    }
  }
  if (a.capacities_bytes.empty()) t.fail("capacity", "expected at least one capacity");
  a.node_nm = static_cast<int>(v.get_int("node"));
  a.target = v.get_string("target");
  a.mode = v.get_string("mode");
  a.write_accounting = v.get_string("write_accounting");
  a.bits_per_cell = static_cast<int>(v.get_int("bits_per_cell"));
  a.word_bits = static_cast<int>(v.get_int("word_bits"));
  a.assoc = static_cast<int>(v.get_int("assoc"));
  a.line_bytes = static_cast<int>(v.get_int("line_bytes"));
  a.sector_bytes = static_cast<int>(v.get_int("sector_bytes"));
  a.temperature_k = v.get_double("temperature_k");
  a.cache = v.get_bool("cache");
  a.htree_repeaters = v.get_bool("htree_repeaters");
  if (v.has("iso_area_mm2")) a.iso_area_mm2 = v.get_double("iso_area_mm2");
  a.step_mb = v.get_double("step_mb");
  if (auto c = t.table("cell")) a.cell = c->texts(ParamSchema{}, {});
  return a;
}

}  // namespace

const ParamSchema& experiment_schema() {
  static const ParamSchema kSchema{
      ParamSpec{"name", ParamType::kString, "", "", "a name for reports"},
      ParamSpec{"description", ParamType::kString, "", "", "free text, shown in the report"},
      ParamSpec{"out", ParamType::kString, "", "", "results directory (default: runs/NAME)"}.optional_(),
  };
  return kSchema;
}

const ParamSchema& sweep_schema() {
  static const ParamSchema kSchema{
      ParamSpec{"chips", ParamType::kInt, "10", "", "simulated chips per point"}.in(1, 10000000),
      ParamSpec{"seed", ParamType::kInt, "1", "", "fault seed: chip c's faults are a function of (seed, c, partition, cell)"}.at_least(0),
      ParamSpec{"correct", ParamType::kString, "checkpoint", "", "weights outside their fault-free range read as 0 (000 §3.2); checkpoint: as trained"}
          .one_of({"checkpoint", "none", "zero"}),
      ParamSpec{"own_pattern", ParamType::kBool, "false", "", "PATTBET checkpoint: evaluate the one pattern it was trained on (004 §5.3)"},
      open_unit("ci_level", "0.95", "level of the Student-t interval over chips"),
      open_unit("prop1_delta", "0.05", "delta of 004 App. C.2 Prop. 1's bound"),
  };
  return kSchema;
}

const ParamSchema& characterize_schema() {
  static const ParamSchema kSchema{
      ParamSpec{"mode", ParamType::kString, "coarse", "", "coarse: one rate for the whole network (000 §3.3); fine: per data type, from the coarse result; map: fine, then Algorithm 1 onto `memory` and a verification"}
          .one_of({"coarse", "fine", "map"}),
      ParamSpec{"key", ParamType::kString, "", "", "the searched key, partition.NAME.fault.PARAM: a rate (log-scale search) or an operating point (linear); default: the first partition's rate"}.optional_(),
      ParamSpec{"from", ParamType::kDouble, "", "", "the safe end of the search (default for a rate: 1e-7)"}.optional_(),
      ParamSpec{"to", ParamType::kDouble, "", "", "the aggressive end (default for a rate: 0.1)"}.optional_(),
      ParamSpec{"resolution", ParamType::kDouble, "", "", "bracket width at which the search stops: a ratio > 1 on a log scale (default 1.25), an absolute width on a linear one (default range/32)"}.optional_(),
      ParamSpec{"scale", ParamType::kString, "auto", "", "auto: log for a rate, linear for an operating point (integers step by 1)"}.one_of({"auto", "log", "linear"}),
      ParamSpec{"grid", ParamType::kInt, "5", "", "linear scale: grid points visited (monotonicity check) before bisecting"}.in(2, 1000),
      ParamSpec{"target", ParamType::kString, "error", "", "error: expected error <= fault-free error + max_loss; mismatch: expected mismatch with the fault-free predictions <= max_mismatch (unlabelled data)"}
          .one_of({"error", "mismatch"}),
      ParamSpec{"max_loss", ParamType::kDouble, "1", "points", "accuracy the faults may cost (000: < 1%)"}.in(0, 100),
      ParamSpec{"max_mismatch", ParamType::kDouble, "0.01", "", "target = mismatch: the bound"}.in(0, 1),
      ParamSpec{"confidence", ParamType::kDouble, "0.95", "", "1 - delta: each decision is wrong with probability <= delta"}.open_above(0, 1),
      ParamSpec{"decision", ParamType::kString, "sequential", "", "sequential: chips with random example blocks until decided (anytime-valid test martingales); fixed: fixed_chips x the full test set, one-sided Student-t bound"}
          .one_of({"sequential", "fixed"}),
      ParamSpec{"examples", ParamType::kInt, "20", "", "sequential: examples per chip (drawn at random from the test set)"}.in(1, 100000000),
      ParamSpec{"max_chips", ParamType::kInt, "2000", "", "sequential: chips per decision before it is reported undecided"}.in(1, 100000000),
      ParamSpec{"fixed_chips", ParamType::kInt, "50", "", "fixed: chips per decision"}.in(2, 100000000),
      ParamSpec{"seed", ParamType::kInt, "1", "", "fault and example seed"}.at_least(0),
      ParamSpec{"correct", ParamType::kString, "checkpoint", "", "weights outside their fault-free range read as 0 (000 §3.2); checkpoint: as trained"}
          .one_of({"checkpoint", "none", "zero"}),
      ParamSpec{"types", ParamType::kString, "layer", "", "fine/map: a data type is a layer's weights (its tensors together) or one tensor"}.one_of({"layer", "tensor"}),
      ParamSpec{"fine", ParamType::kString, "sweep", "", "sweep: EDEN's joint sweep, every type faulty at its own rate, raised in turn (000 §3.3); isolated: each type alone faulty (the others fault-free), its highest rate found by the coarse search's log bisection from `start` to `to`"}
          .one_of({"sweep", "isolated"}),
      ParamSpec{"reuse_prefix", ParamType::kBool, "true", "", "fine = isolated: the layers before the faulty type are evaluated once per test set and their output reused (zoo models; same predictions)"},
      ParamSpec{"fault", ParamType::kString, "uniform", "", "fine/map: the fault model each data type sees (it needs a rate parameter)"},
      ParamSpec{"step", ParamType::kDouble, "0.5", "", "fine: a type's k-th raise gives it start x (1 + k x step) (000 §6.6: 0.5 increments)"}.above(0),
      ParamSpec{"rounds", ParamType::kInt, "20", "", "fine: at most this many raises per type"}.in(1, 1000),
      ParamSpec{"start", ParamType::kDouble, "", "", "fine: the starting rate (default: the coarse search's result)"}.optional_().in(0, 1),
      ParamSpec{"memory", ParamType::kString, "", "", "map: a TOML file of [[partition]] tables at fixed operating points (000 Fig. 12)"}.optional_(),
      ParamSpec{"boost_rounds", ParamType::kInt, "0", "", "coarse: rounds of boost (retrain at the tolerable rate, 000 §3.2) -> characterize, stopping when the rate stops improving (000 §3.3)"}.in(0, 20),
      ParamSpec{"boost_epochs", ParamType::kInt, "4", "", "boost: retraining epochs per round"}.in(1, 1000),
      ParamSpec{"boost_lr", ParamType::kDouble, "0.01", "", "boost: retraining learning rate (cosine schedule)"}.above(0),
      ParamSpec{"boost_curricular", ParamType::kBool, "true", "", "boost: curricular retraining (the rate rises over the epochs, 000 §3.2); false: the rate from the first epoch"},
  };
  return kSchema;
}

const ParamSchema& axis_schema() {
  static const ParamSchema kSchema{
      ParamSpec{"key", ParamType::kString, "", "", "the swept key, a path as --set takes it (partition.main.fault.ber)"}.optional_(),
      ParamSpec{"keys", ParamType::kStringList, "", "", "several keys that move together; values is then a list of rows"}.optional_(),
  };
  return kSchema;
}

const ParamSchema& activations_schema() {
  static const ParamSchema kSchema{
      ParamSpec{"sites", ParamType::kStringList, "", "", "TYPE:MODULES[:FORMAT], e.g. ofm:conv (FORMAT default: the weights' format)"}.one_per_line(),
      ParamSpec{"partition", ParamType::kString, "", "", "the partition whose fault model they see (default: placement.default)"}.optional_(),
      ParamSpec{"weights", ParamType::kBool, "true", "", "false: only the activations are faulty"},
  };
  return kSchema;
}

const ParamSchema& array_schema() {
  static const ParamSchema kSchema{
      ParamSpec{"tech", ParamType::kStringList, "sram", "", "array technologies (several: a sweep)"}.one_of([] {
        std::vector<std::string> v;
        for (const auto& e : memory::array_technology_registry().entries()) v.push_back(e.name);
        return v;
      }()),
      ParamSpec{"capacity", ParamType::kStringList, "1MB", "byte", "capacities, e.g. 3MB (several: a sweep)"},
      ParamSpec{"node", ParamType::kInt, "16", "nm", "process node (16, 22, 28, 32, 40, 45)"}.in(16, 45),
      ParamSpec{"target", ParamType::kString, "edap", "", "optimization target of the organization search"}.one_of(target_names()),
      ParamSpec{"mode", ParamType::kString, "normal", "", "cache access mode for non-EDAP targets"}.one_of({"normal", "fast", "sequential"}),
      ParamSpec{"bits_per_cell", ParamType::kInt, "1", "bit", "MLC bits per cell (rram, ctt: 1..3; pcm: 1..2)"}.in(1, 4),
      ParamSpec{"word_bits", ParamType::kInt, "512", "bit", "RAM access width"}.in(1, 1 << 16),
      ParamSpec{"cache", ParamType::kBool, "false", "", "cache mode (tag + data)"},
      ParamSpec{"assoc", ParamType::kInt, "16", "", "cache associativity"}.in(1, 1024),
      ParamSpec{"line_bytes", ParamType::kInt, "128", "byte", "cache line"}.in(1, 1 << 16),
      ParamSpec{"sector_bytes", ParamType::kInt, "128", "byte", "bytes per cache access (a whole line, as NVSim)"}.in(1, 1 << 16),
      ParamSpec{"temperature_k", ParamType::kDouble, "350", "K", "operating temperature"}.in(200, 450),
      ParamSpec{"htree_repeaters", ParamType::kBool, "false", "", "repeated H-tree wires (CACTI) instead of NVSim's unrepeated ones"},
      ParamSpec{"write_accounting", ParamType::kString, "physical", "", "cache write energy: physical | nvsim (docs/array_model.md)"}
          .one_of({"physical", "nvsim"}),
      ParamSpec{"iso_area_mm2", ParamType::kDouble, "", "mm^2", "iso-area: the largest capacity of each technology in this area"}.above(0).optional_(),
      ParamSpec{"step_mb", ParamType::kDouble, "1", "MB", "iso-area: capacity step"}.above(0),
  };
  return kSchema;
}

const ParamSchema& output_schema() {
  static const ParamSchema kSchema{ParamSpec{"report", ParamType::kBool, "true", "", "write report.html after the run"}};
  return kSchema;
}

std::string describe_experiment_file() {
  std::ostringstream o;
  o << "experiment file sections (TOML; --set PATH=VALUE overrides any key; docs/experiments.md):\n";
  o << describe_schema("[experiment]", experiment_schema());
  o << describe_schema("[model]  (+ arch = {...}: the zoo architecture's parameters, describe models)", model_schema());
  o << describe_schema("[data]", data_schema());
  o << "  [format]  name = FORMAT and the format's parameters (describe formats); default fixed, bits = 8\n";
  o << describe_schema("[[partition]]  (+ fault = {model = NAME, ...} (describe faults), layout = {...} below)", partition_schema());
  o << describe_schema("  layout", layout_schema(), "  ");
  o << describe_schema("[placement]", placement_schema());
  o << describe_schema("[[placement.rule]]", placement_rule_schema());
  o << describe_schema("[activations]", activations_schema());
  o << describe_schema("[train]  (+ quant = {name = FORMAT, ...}, randbet_fault = {model = NAME, ...}, curricular_fault = {...})", train_schema());
  o << describe_schema("[sweep]", sweep_schema());
  o << describe_schema("[[sweep.axis]]  (+ values = [...], or rows [[...], ...] with keys)", axis_schema());
  o << describe_schema("[characterize]", characterize_schema());
  o << describe_schema("[array]  (+ cell = {...}: the technology's cell parameters, describe technologies)", array_schema());
  o << describe_schema("[output]", output_schema());
  return o.str();
}

namespace {

// [characterize] searches partition.NAME.fault.PARAM: the document need not give it a value (a
// required rate gets the search's safe end, so the partition can be read).
ConfigDoc with_search_start(const ConfigDoc& doc) {
  const toml::node* ch = doc.find("characterize");
  if (ch == nullptr || !ch->is_table()) return doc;
  std::vector<std::string> keys;
  if (const toml::node* k = doc.find("characterize.key"); k != nullptr && k->is_string()) keys.push_back(k->value_or(std::string()));
  // The first partition's rate (the default key; also filled when the given key is wrong, so that
  // the error is about the key, not about a rate the search would have supplied).
  const toml::array* parts = doc.root().get("partition") != nullptr ? doc.root().get("partition")->as_array() : nullptr;
  if (parts != nullptr && !parts->empty() && parts->get(0)->is_table()) {
    const toml::table& p0 = *parts->get(0)->as_table();
    const toml::node* name = p0.get("name");
    const toml::node* fault = p0.get("fault");
    const toml::node* model = fault != nullptr && fault->is_table() ? fault->as_table()->get("model") : nullptr;
    if (name != nullptr && model != nullptr && fault_registry().contains(model->value_or(std::string()))) {
      for (const auto& ps : fault_registry().find(model->value_or(std::string())).entry.schema.specs()) {
        if (ps.role == ParamRole::kRate) {
          keys.push_back("partition." + name->value_or(std::string()) + ".fault." + ps.name);
          break;
        }
      }
    }
  }
  // Only a parameter the partition's fault model has (a wrong key is reported by the reader).
  auto known = [&](const std::string& key) {
    const auto mid = key.find(".fault.");
    if (key.rfind("partition.", 0) != 0 || mid == std::string::npos || parts == nullptr) return false;
    const std::string name = key.substr(10, mid - 10), param = key.substr(mid + 7);
    for (const auto& n : *parts) {
      const toml::table* t = n.as_table();
      if (t == nullptr || t->get("name") == nullptr || t->get("name")->value_or(std::string()) != name) continue;
      const toml::node* f = t->get("fault");
      const toml::node* m = f != nullptr && f->is_table() ? f->as_table()->get("model") : nullptr;
      const std::string model = m != nullptr ? m->value_or(std::string()) : "";
      return fault_registry().contains(model) && fault_registry().find(model).entry.schema.find(param) != nullptr;
    }
    return false;
  };
  ConfigDoc filled = doc;
  const toml::node* from = doc.find("characterize.from");
  for (const auto& key : keys) {
    const auto dot = key.rfind('.');
    if (!known(key) || filled.find(key) != nullptr || filled.find(key.substr(0, dot)) == nullptr) continue;
    filled.set_node(key, toml::value<double>(from != nullptr ? from->value_or(1e-7) : 1e-7), "the search's safe end (characterize.from)");
  }
  return filled;
}

CharacterizeSpec read_characterize(const ConfigDoc& doc, const ExperimentSpec& s, const std::string& checkpoint_correct) {
  const TableReader t = TableReader::section(doc, "characterize");
  const ParamValues v = t.resolve(characterize_schema());
  CharacterizeSpec c;
  c.mode = v.get_string("mode");
  if (s.model.source.empty()) TableReader::section(doc, "model").fail("source", "missing: [characterize] evaluates a model");
  // The searched key: partition.NAME.fault.PARAM.
  const PartitionSpec* part = nullptr;
  if (v.has("key")) {
    c.key = v.get_string("key");
    const std::string pre = "partition.", mid = ".fault.";
    const auto m = c.key.find(mid);
    if (c.key.rfind(pre, 0) != 0 || m == std::string::npos) t.fail("key", "'" + c.key + "' is not of the form partition.NAME.fault.PARAM");
    c.partition = c.key.substr(pre.size(), m - pre.size());
    c.param = c.key.substr(m + mid.size());
    part = s.memory.find(c.partition);
    if (part == nullptr) t.fail("key", "no partition '" + c.partition + "' in this experiment");
  } else {
    part = &s.memory.partitions.front();
    c.partition = part->name;
  }
  if (part->fault_model == "none") t.fail("key", "partition " + part->name + " has no fault model to search over (fault = {model = ...})");
  const ParamSchema& fs = fault_registry().find(part->fault_model).entry.schema;
  if (c.param.empty()) {
    for (const auto& ps : fs.specs()) {
      if (ps.role == ParamRole::kRate && c.param.empty()) c.param = ps.name;
    }
    if (c.param.empty()) t.fail("key", "fault model " + part->fault_model + " has no rate parameter; give key = partition." + part->name + ".fault.PARAM (an operating point)");
    c.key = "partition." + part->name + ".fault." + c.param;
  }
  const ParamSpec* ps = fs.find(c.param);
  if (ps == nullptr || ps->role == ParamRole::kPlain || (ps->type != ParamType::kDouble && ps->type != ParamType::kInt)) {
    std::string known;
    for (const auto& q : fs.specs()) {
      if (q.role != ParamRole::kPlain) known += " " + q.name;
    }
    t.fail("key", "'" + c.param + "' is not a rate or operating-point parameter of fault model " + part->fault_model + " (those are:" + known + ")");
  }
  const bool rate = ps->role == ParamRole::kRate;
  const std::string scale = v.get_string("scale");
  c.integer = ps->type == ParamType::kInt;
  c.log_scale = scale == "log" || (scale == "auto" && rate && !c.integer);
  if (c.integer && c.log_scale) t.fail("scale", "an integer parameter is searched linearly");
  if (!v.has("from") && !rate) t.fail("from", "missing: the safe end of " + c.param + " (an operating point has no default range)");
  if (!v.has("to") && !rate) t.fail("to", "missing: the aggressive end of " + c.param);
  c.from = v.has("from") ? v.get_double("from") : 1e-7;
  c.to = v.has("to") ? v.get_double("to") : 0.1;
  for (const char* end : {"from", "to"}) {
    const double x = std::string(end) == "from" ? c.from : c.to;
    std::map<std::string, std::string> fp = part->fault_params;
    fp[c.param] = c.integer ? std::to_string(std::llround(x)) : format_double(x);
    try {
      fault_registry().resolve(part->fault_model, fp);
    } catch (const Error& e) {
      t.fail(end, std::string("fault model ") + part->fault_model + " does not accept " + c.param + " = " + format_double(x) + ": " + e.what());
    }
  }
  c.resolution = v.has("resolution") ? v.get_double("resolution") : c.log_scale ? 1.25 : std::fabs(c.to - c.from) / 32;
  c.grid = static_cast<int>(v.get_int("grid"));
  try {
    Axis a = c.log_scale ? Axis::log(c.from, c.to, c.resolution)
             : c.integer ? Axis::integers(std::llround(c.from), std::llround(c.to))
                         : Axis::linear(c.from, c.to, c.resolution, c.grid);
    a.check();
  } catch (const Error& e) {
    t.fail(v.has("resolution") ? "resolution" : "from", e.what());
  }
  c.target = v.get_string("target");
  c.max_loss = v.get_double("max_loss") / 100.0;
  c.max_mismatch = v.get_double("max_mismatch");
  c.confidence = v.get_double("confidence");
  if (!(c.confidence < 1)) t.fail("confidence", "must be below 1 (1 - delta with delta > 0: no finite number of chips proves anything with certainty)");
  c.decision = v.get_string("decision");
  c.examples = static_cast<std::uint64_t>(v.get_int("examples"));
  c.max_chips = static_cast<std::uint64_t>(v.get_int("max_chips"));
  c.fixed_chips = static_cast<std::uint64_t>(v.get_int("fixed_chips"));
  c.seed = static_cast<std::uint64_t>(v.get_int("seed"));
  const std::string corr = v.get_string("correct");
  c.correct = corr == "checkpoint" ? checkpoint_correct : corr;
  c.types = v.get_string("types");
  c.fine = v.get_string("fine");
  c.reuse_prefix = v.get_bool("reuse_prefix");
  c.fault = v.get_string("fault");
  if (!fault_registry().contains(c.fault)) t.fail("fault", "unknown fault model '" + c.fault + "' (describe faults)");
  c.fault_rate_param.clear();
  for (const auto& q : fault_registry().find(c.fault).entry.schema.specs()) {
    if (q.role == ParamRole::kRate && c.fault_rate_param.empty()) c.fault_rate_param = q.name;
  }
  if (c.mode != "coarse" && c.fault_rate_param.empty()) t.fail("fault", "fault model " + c.fault + " has no rate parameter to give each data type");
  if (c.mode != "coarse" && !c.log_scale && !v.has("start")) {
    t.fail("start", "missing: fine characterization raises rates; with an operating-point key give the starting rate");
  }
  c.step = v.get_double("step");
  c.rounds = static_cast<int>(v.get_int("rounds"));
  if (v.has("start")) c.start = v.get_double("start");
  if (c.start && !(*c.start > 0)) t.fail("start", "must be > 0");
  if (v.has("memory")) c.memory_file = v.get_string("memory");
  c.boost_rounds = static_cast<int>(v.get_int("boost_rounds"));
  c.boost_epochs = static_cast<int>(v.get_int("boost_epochs"));
  c.boost_lr = v.get_double("boost_lr");
  c.boost_curricular = v.get_bool("boost_curricular");
  if (c.boost_rounds > 0 && (c.mode != "coarse" || !c.log_scale)) t.fail("boost_rounds", "boosting retrains at the coarse tolerable rate: use mode = \"coarse\" over a rate");
  if (c.boost_rounds > 0 && !s.train && !read_checkpoint_meta_file(s.model.source)) {
    t.fail("boost_rounds", "boosting retrains the model: model.source must be a checkpoint written by memlapse train (" + s.model.source + " is not)");
  }
  if (c.mode == "map" && c.memory_file.empty()) t.fail("memory", "missing: map mode maps onto the [[partition]] tables of this file");
  if (c.mode == "map") {
    // Checked now, not after the hour the fine sweep may take.
    try {
      const MemorySystem target = read_memory_system(ConfigDoc::load(c.memory_file));
      for (const auto& p : target.partitions) {
        if (p.fault_model != "none") p.make_fault_model();
      }
    } catch (const Error& e) {
      t.fail("memory", e.what());
    }
  }
  if (c.target == "error" && s.synthetic > 0) t.fail("target", "synthetic data has no labels: use target = \"mismatch\"");
  return c;
}

}  // namespace

ExperimentSpec read_experiment(const ConfigDoc& doc) {
  // The top level holds sections only.
  const TableReader root(doc, doc.root(), "", "");
  for (const auto& [k, v] : doc.root()) {
    const std::string key(k.str());
    if (std::find(kSections.begin(), kSections.end(), key) != kSections.end()) continue;
    std::string msg = "unknown section '" + key + "'";
    const std::string near = closest_match(key, kSections);
    if (!near.empty()) msg += " (did you mean '" + near + "'?)";
    msg += "; sections:";
    for (const auto& s : kSections) msg += " " + s;
    throw Error(doc.where(key) + ": " + msg);
  }
  ExperimentSpec s;
  const ParamValues ev = TableReader::section(doc, "experiment").resolve(experiment_schema());
  s.name = ev.get_string("name");
  s.description = ev.get_string("description");
  s.out = ev.has("out") ? ev.get_string("out") : "runs/" + (s.name.empty() ? std::string("experiment") : s.name);

  const TableReader model = TableReader::section(doc, "model");
  const ParamValues mv = model.resolve(model_schema(), {"arch"});
  if (doc.root().contains("train")) s.train = read_train_options(doc, s.out + "/model");
  s.model.source = mv.has("source") ? mv.get_string("source") : "";
  if (s.train) {
    // The experiment trains model.source (a zoo architecture) and evaluates the checkpoint.
    s.model.arch = s.train->arch_params;
    s.model.source = s.train->out;
  } else if (!s.model.source.empty()) {
    // Whether a name that is neither a zoo architecture nor a file is an error is the backend's to
    // say (the LibTorch adapter suggests the closest zoo name; the tests' toy backend has its own).
    s.model.arch = read_arch_params(doc, s.model.source);
  }
  if (mv.has("input_shape")) {
    for (long long d : mv.get_int_list("input_shape")) s.model.input_shape.push_back(d);
    if (s.model.input_shape.size() != 3) model.fail("input_shape", "expected 3 dimensions C,H,W");
  }
  s.model.batch_size = static_cast<int>(mv.get_int("batch_size"));
  s.model.threads = static_cast<int>(mv.get_int("threads"));
  const ParamValues dv = TableReader::section(doc, "data").resolve(data_schema());
  s.data = read_dataset_spec(doc);
  s.synthetic = static_cast<std::size_t>(dv.get_int("synthetic"));
  if (s.synthetic > 0 && s.model.input_shape.empty()) TableReader::section(doc, "data").fail("synthetic", "needs model.input_shape = [C, H, W]");

  const CheckpointDefaults ck = defaults_of(s.train, s.model.source);
  const std::string bn = mv.get_string("bn_batch_stats");
  s.model.bn_batch_stats = bn == "checkpoint" ? ck.bn_batch_stats : bn == "on";

  // [format]: as given, else the checkpoint's quantization format, else 8-bit fixed point.
  const TableReader format = TableReader::section(doc, "format");
  if (format.has("name")) {
    const auto [impl, values] = format.implementation(format_registry(), "name");
    s.format = impl->entry.name;
    s.format_params = values.all();
  } else if (!format.raw().empty()) {
    format.fail("name", "missing: the format's name (describe formats)");
  } else {
    s.format = ck.quant.empty() ? "fixed" : ck.quant;
    s.format_params = format_registry().resolve(s.format, ck.quant.empty() ? std::map<std::string, std::string>{} : ck.quant_params).all();
  }

  s.memory = read_memory_system(with_search_start(doc));
  s.placement = read_placement(doc, s.memory);

  const TableReader act = TableReader::section(doc, "activations");
  const ParamValues av = act.resolve(activations_schema());
  s.activations.sites = av.get_string_list("sites");
  for (const auto& site : s.activations.sites) check_site(site, act);
  s.activations.weights = av.get_bool("weights");
  s.activations.partition = av.has("partition") ? av.get_string("partition")
                            : s.placement.default_partition.empty() ? s.memory.partitions.front().name
                                                                    : s.placement.default_partition;
  s.memory.index_of(s.activations.partition, act.where("partition") + ": activations.partition");
  if (!s.activations.weights && s.activations.sites.empty()) {
    act.fail("weights", "false leaves nothing faulty: give activations.sites");
  }

  if (doc.root().contains("sweep")) {
    const TableReader sw = TableReader::section(doc, "sweep");
    const ParamValues v = sw.resolve(sweep_schema(), {"axis"});
    SweepSpec sp;
    sp.chips = static_cast<std::uint64_t>(v.get_int("chips"));
    sp.seed = static_cast<std::uint64_t>(v.get_int("seed"));
    const std::string c = v.get_string("correct");
    sp.correct = c == "checkpoint" ? ck.correct : c;
    sp.ci_level = v.get_double("ci_level");
    sp.prop1_delta = v.get_double("prop1_delta");
    sp.own_pattern = v.get_bool("own_pattern");
    sp.axes = read_axes(sw);
    if (s.model.source.empty()) model.fail("source", "missing: a [sweep] evaluates a model (zoo name, checkpoint or TorchScript file)");
    if (sp.own_pattern) {
      // 004 §5.3: the fixed pattern PATTBET trained on is chip 0 of the training's fault seed, drawn
      // on all weights in one memory with the training's fault model.
      const PartitionSpec& main = s.memory.partitions.front();
      if (!ck.known || !(ck.pattbet > 0)) sw.fail("own_pattern", "needs a PATTBET checkpoint; " + s.model.source + " was not trained with pattbet");
      // The rate is the sweep's (as it was train.pattbet's): compare the other parameters.
      auto without_rates = [](const std::string& fault, std::map<std::string, std::string> p) {
        if (fault_registry().contains(fault)) {
          for (const auto& spec : fault_registry().find(fault).entry.schema.specs()) {
            if (spec.role == ParamRole::kRate) p.erase(spec.name);
          }
        }
        return p;
      };
      if (main.fault_model != ck.randbet_fault ||
          without_rates(main.fault_model, main.fault_params) != without_rates(ck.randbet_fault, ck.randbet_fault_params)) {
        sw.fail("own_pattern", "the checkpoint's pattern comes from fault model '" + ck.randbet_fault +
                                   "' with its randbet_fault parameters; give partition " + main.name + " the same fault model");
      }
      if (!s.placement.rules.empty() || (!s.placement.default_partition.empty() && s.placement.default_partition != main.name)) {
        sw.fail("own_pattern", "the training pattern covers every weight in one memory: use no placement rules");
      }
      if (ck.sampler_version != kFaultSamplerVersion) {
        sw.fail("own_pattern", s.model.source + " was trained with fault sampler version " + std::to_string(ck.sampler_version) +
                                   ", this build draws version " + std::to_string(kFaultSamplerVersion) + " patterns");
      }
      sp.seed = weight_fault_seed(ck.seed);
      sp.chips = 1;
    }
    bool faulty = !s.activations.sites.empty();
    for (const auto& p : s.memory.partitions) faulty = faulty || p.fault_model != "none";
    if (!faulty && sp.axes.empty()) {
      throw Error(doc.where("partition") + ": the [sweep] has no fault model anywhere: give a [[partition]] a fault = {model = ...}");
    }
    s.sweep = std::move(sp);
  }
  if (doc.root().contains("characterize")) s.characterize = read_characterize(doc, s, ck.correct);
  if (doc.root().contains("array")) s.array = read_array(TableReader::section(doc, "array"));
  s.report = TableReader::section(doc, "output").resolve(output_schema()).get_bool("report");
  if (s.sweep && s.characterize) throw Error(doc.where("characterize") + ": give [sweep] or [characterize], not both (one results directory each)");
  if (!s.sweep && !s.train && !s.array && !s.characterize) {
    throw Error(doc.source() + ": nothing to run: give a [sweep], a [characterize], a [train] or an [array] section");
  }
  return s;
}

std::string SweepPoint::label() const {
  std::string s;
  for (const auto& [k, v] : values) s += (s.empty() ? "" : ", ") + k + "=" + v;
  return s.empty() ? "(the experiment as written)" : s;
}

std::vector<SweepPoint> expand_points(const ConfigDoc& doc) {
  SweepSpec sweep;
  if (doc.root().contains("sweep")) {
    const TableReader sw = TableReader::section(doc, "sweep");
    sw.resolve(sweep_schema(), {"axis"});
    sweep.axes = read_axes(sw);
  }
  std::size_t total = 1;
  for (const auto& a : sweep.axes) {
    if (total > 1000000 / std::max<std::size_t>(1, a.rows.size())) throw Error(a.where + ": the axes make more than 10^6 points");
    total *= a.rows.size();
  }
  std::vector<SweepPoint> out;
  for (std::size_t i = 0; i < total; ++i) {
    SweepPoint p;
    p.index = i;
    p.overrides = nlohmann::json::object();
    ConfigDoc d = doc;
    std::size_t rest = i;
    std::vector<std::size_t> pick(sweep.axes.size());
    for (std::size_t a = sweep.axes.size(); a-- > 0;) {
      pick[a] = rest % sweep.axes[a].rows.size();
      rest /= sweep.axes[a].rows.size();
    }
    try {
      for (std::size_t a = 0; a < sweep.axes.size(); ++a) {
        const AxisSpec& ax = sweep.axes[a];
        const auto& row = *ax.rows.get(pick[a])->as_array();
        for (std::size_t k = 0; k < ax.keys.size(); ++k) {
          p.values.emplace_back(ax.keys[k], text_of(*row.get(k)));
          p.overrides[ax.keys[k]] = json_of(*row.get(k));
          d.set_node(ax.keys[k], *row.get(k), ax.where + " (sweep.axis " + ax.keys[k] + ")");
        }
      }
      p.spec = read_experiment(d);
    } catch (const Error& e) {
      throw Error("sweep point " + std::to_string(i) + " (" + p.label() + "): " + e.what());
    }
    out.push_back(std::move(p));
  }
  return out;
}

ExperimentSpec read_experiment_checked(const ConfigDoc& doc) {
  const bool axes = doc.find("sweep.axis") != nullptr;
  if (!axes) return read_experiment(doc);
  std::vector<SweepPoint> points = expand_points(doc);
  return std::move(points.front().spec);
}

bool key_changes_no_result(const std::string& k) {
  static const char* kIgnored[] = {"experiment.", "output.", "model.threads", "model.batch_size", "train.threads",
                                   "train.resume", "train.stop_after", "array."};
  for (const char* p : kIgnored) {
    if (k.rfind(p, 0) == 0) return true;
  }
  return false;
}

std::map<std::string, std::string> result_defining_keys(const ConfigDoc& doc) {
  std::map<std::string, std::string> out;
  std::function<void(const nlohmann::json&, const std::string&)> walk = [&](const nlohmann::json& j, const std::string& path) {
    if (j.is_object()) {
      for (const auto& [k, v] : j.items()) walk(v, path.empty() ? k : path + "." + k);
    } else if (j.is_array() && !j.empty() && j.front().is_object()) {
      for (std::size_t i = 0; i < j.size(); ++i) {
        std::string name = j[i].is_object() && j[i].contains("name") && j[i]["name"].is_string() ? j[i]["name"].get<std::string>() : std::to_string(i);
        walk(j[i], path + "." + name);
      }
    } else if (!key_changes_no_result(path)) {
      out[path] = j.dump();
    }
  };
  walk(doc.to_json(), "");
  return out;
}

}  // namespace memlapse
