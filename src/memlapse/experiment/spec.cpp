#include "memlapse/experiment/spec.h"

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "memlapse/core/error.h"
#include "memlapse/core/text.h"
#include "memlapse/experiment/checkpoint.h"
#include "memlapse/experiment/zoo.h"
#include "memlapse/faults/fault_model.h"
#include "memlapse/formats/format.h"
#include "memlapse/memory/search.h"

namespace memlapse {
namespace {

const std::vector<std::string> kSections = {"experiment", "model",  "data",  "format", "partition", "placement",
                                            "activations", "train", "sweep", "array",  "output"};

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
  o << describe_schema("[array]  (+ cell = {...}: the technology's cell parameters, describe technologies)", array_schema());
  o << describe_schema("[output]", output_schema());
  return o.str();
}

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

  s.memory = read_memory_system(doc);
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
  if (doc.root().contains("array")) s.array = read_array(TableReader::section(doc, "array"));
  s.report = TableReader::section(doc, "output").resolve(output_schema()).get_bool("report");
  if (!s.sweep && !s.train && !s.array) {
    throw Error(doc.source() + ": nothing to run: give a [sweep], a [train] or an [array] section");
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
