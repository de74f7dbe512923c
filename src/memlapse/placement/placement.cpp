#include "memlapse/placement/placement.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>

#include "memlapse/core/error.h"
#include "memlapse/core/text.h"
#include "memlapse/memory/cell.h"

namespace memlapse {

const std::vector<std::string>& partition_technologies() {
  static const std::vector<std::string> kTechs = [] {
    std::vector<std::string> v{"generic"};
    for (const auto& e : memory::array_technology_registry().entries()) v.push_back(e.name);
    return v;
  }();
  return kTechs;
}

const ParamSchema& partition_schema() {
  static const ParamSchema kSchema{
      ParamSpec{"name", ParamType::kString, "", "", "the partition's name (letters, digits, - and _); experiment keys partition.NAME..."}
          .required_(),
      ParamSpec{"technology", ParamType::kString, "", "", "memory technology (default: the one the fault model describes, else generic)"}
          .one_of(partition_technologies())
          .optional_(),
      ParamSpec{"capacity", ParamType::kString, "0", "byte", "capacity, e.g. 64KB or 3MB (0 = unbounded)"},
  };
  return kSchema;
}

const ParamSchema& placement_schema() {
  static const ParamSchema kSchema{
      ParamSpec{"default", ParamType::kString, "", "", "partition of every structure no rule names (default: the first partition)"}.optional_(),
      ParamSpec{"scales", ParamType::kString, kReliablePartition, "",
                "partition of the quantization scales and offsets and BFP tensor exponents (fault-free by default)"},
      ParamSpec{"file", ParamType::kString, "", "", "a placement file whose rules come before this table's (as memlapse writes them)"}
          .optional_(),
  };
  return kSchema;
}

const ParamSchema& placement_rule_schema() {
  static const ParamSchema kSchema{
      ParamSpec{"tensors", ParamType::kStringList, "*", "", "glob patterns (* and ?) over tensor names"},
      ParamSpec{"structures", ParamType::kStringList, "", "", "structures placed (default: every structure but the scales)"}
          .one_of(structure_names())
          .optional_(),
      ParamSpec{"partition", ParamType::kString, "", "", "the partition they go to"}.required_(),
  };
  return kSchema;
}

std::unique_ptr<FaultModel> PartitionSpec::make_fault_model() const {
  try {
    return fault_registry().make(fault_model, fault_params);
  } catch (const Error& e) {
    throw Error(where + ": partition " + name + ": " + e.what());
  }
}

const PartitionSpec* MemorySystem::find(const std::string& name) const {
  for (const auto& p : partitions) if (p.name == name) return &p;
  return nullptr;
}

std::uint32_t MemorySystem::index_of(const std::string& name, const std::string& where) const {
  std::vector<std::string> names;
  for (std::size_t i = 0; i < partitions.size(); ++i) {
    if (partitions[i].name == name) return static_cast<std::uint32_t>(i);
    names.push_back(partitions[i].name);
  }
  std::string msg = where + ": no partition named '" + name + "'";
  const std::string near = closest_match(name, names);
  if (!near.empty()) msg += " (did you mean '" + near + "'?)";
  msg += "; partitions:";
  for (const auto& n : names) msg += " " + n;
  throw Error(msg);
}

namespace {

bool valid_name(const std::string& n) {
  if (n.empty()) return false;
  for (char c : n) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) return false;
  }
  return true;
}

PartitionSpec read_partition(const TableReader& t) {
  const ParamValues v = t.resolve(partition_schema(), {"fault", "layout"});
  PartitionSpec p;
  p.name = v.get_string("name");
  p.where = t.where("");
  if (!valid_name(p.name)) t.fail("name", "'" + p.name + "' is not a partition name (letters, digits, - and _)");
  try {
    p.capacity_bytes = parse_bytes(v.get_string("capacity"), "capacity");
  } catch (const Error& e) {
    t.fail("capacity", e.what());
  }
  if (auto f = t.table("fault")) {
    const auto [impl, values] = f->implementation(fault_registry(), "model");
    p.fault_model = impl->entry.name;
    p.fault_params = f->texts(impl->entry.schema, {"model"});
    // Factories see exactly the keys given (optional keys keep their meaning); build it once here
    // so every bad combination is reported with the file and line now, not mid-run.
    try {
      impl->make(values);
    } catch (const Error& e) {
      f->fail("model", e.what());
    }
  }
  const auto& tags = fault_registry().find(p.fault_model).entry.tags;
  if (v.has("technology")) {
    p.technology = v.get_string("technology");
    const bool any = std::find(tags.begin(), tags.end(), "any") != tags.end();
    if (!any && std::find(tags.begin(), tags.end(), p.technology) == tags.end()) {
      std::string described;
      for (const auto& x : tags) described += (described.empty() ? "" : ", ") + x;
      t.fail("technology", "'" + p.technology + "' does not fit fault model " + p.fault_model + ", which describes " + described);
    }
  } else {
    p.technology = tags.empty() || tags.front() == "any" ? "generic" : tags.front();
  }
  const std::optional<TableReader> lay = t.table("layout");
  static const toml::table kEmpty;
  const TableReader layout = lay ? *lay : TableReader(t.doc(), kEmpty, t.path() + ".layout", t.display() + ".layout");
  const ParamValues lv = layout.resolve(layout_schema());
  p.layout = PhysicalLayout::from(lv);
  p.layout_params = lv.all();
  return p;
}

std::vector<PlacementRule> read_rules(const TableReader& t, const MemorySystem& mem) {
  std::vector<PlacementRule> out;
  for (const TableReader& r : t.tables("rule")) {
    const ParamValues v = r.resolve(placement_rule_schema());
    PlacementRule rule;
    rule.tensors = v.get_string_list("tensors");
    if (rule.tensors.empty()) r.fail("tensors", "expected at least one pattern");
    if (v.has("structures")) {
      for (const auto& s : v.get_string_list("structures")) rule.structures.push_back(structure_from_string(s));
    }
    rule.partition = v.get_string("partition");
    rule.where = r.where("");
    mem.index_of(rule.partition, r.where("partition") + ": " + r.display() + ".partition");
    out.push_back(std::move(rule));
  }
  return out;
}

}  // namespace

MemorySystem read_memory_system(const ConfigDoc& doc) {
  MemorySystem mem;
  const TableReader root(doc, doc.root(), "", "");
  std::set<std::string> names;
  for (const TableReader& t : root.tables("partition")) {
    PartitionSpec p = read_partition(t);
    if (!names.insert(p.name).second) t.fail("name", "partition '" + p.name + "' is defined twice");
    mem.partitions.push_back(std::move(p));
  }
  if (names.count(kReliablePartition) == 0) {
    PartitionSpec r;
    r.name = kReliablePartition;
    r.technology = "generic";
    r.where = doc.source();
    r.layout_params = layout_schema().resolve({}, "layout").all();
    mem.partitions.push_back(std::move(r));
  }
  return mem;
}

PlacementSpec read_placement(const ConfigDoc& doc, const MemorySystem& mem) {
  const TableReader t = TableReader::section(doc, "placement");
  const ParamValues v = t.resolve(placement_schema(), {"rule"});
  PlacementSpec spec;
  if (v.has("file")) {
    const std::string file = v.get_string("file");
    ConfigDoc other = ConfigDoc::load(file);
    const TableReader ot = TableReader::section(other, "placement");
    ot.resolve(placement_schema(), {"rule"});
    spec.rules = read_rules(ot, mem);
  }
  if (v.has("default")) {
    spec.default_partition = v.get_string("default");
    mem.index_of(spec.default_partition, t.where("default") + ": placement.default");
  }
  spec.scales_partition = v.get_string("scales");
  mem.index_of(spec.scales_partition, t.where("scales") + ": placement.scales");
  for (auto& r : read_rules(t, mem)) spec.rules.push_back(std::move(r));
  return spec;
}

bool glob_match(const std::string& pattern, const std::string& name) {
  // Iterative matcher with one backtrack point per '*'.
  std::size_t p = 0, n = 0, star = std::string::npos, mark = 0;
  while (n < name.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == name[n])) {
      ++p;
      ++n;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = n;
    } else if (star != std::string::npos) {
      p = star + 1;
      n = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

ResolvedPlacement resolve_placement(const MemoryImage& image, const MemorySystem& mem, const PlacementSpec& spec) {
  ResolvedPlacement r;
  const std::uint32_t def =
      spec.default_partition.empty() ? 0 : mem.index_of(spec.default_partition, "placement.default");
  const std::uint32_t scales = mem.index_of(spec.scales_partition, "placement.scales");
  r.partition_of_region.resize(image.tensor_count());
  for (std::uint32_t reg = 0; reg < image.tensor_count(); ++reg) {
    r.partition_of_region[reg] = image.tensor(reg).structure == Structure::kScales ? scales : def;
  }
  for (const PlacementRule& rule : spec.rules) {
    const std::uint32_t to = mem.index_of(rule.partition, rule.where);
    bool matched = false;
    for (std::uint32_t reg = 0; reg < image.tensor_count(); ++reg) {
      const TensorSlot& s = image.tensor(reg);
      const std::string& name = image.parameter_name(s.tensor);
      const bool name_ok = std::any_of(rule.tensors.begin(), rule.tensors.end(), [&](const std::string& g) { return glob_match(g, name); });
      if (!name_ok) continue;
      const bool structure_ok = rule.structures.empty()
                                    ? s.structure != Structure::kScales
                                    : std::find(rule.structures.begin(), rule.structures.end(), s.structure) != rule.structures.end();
      matched = matched || structure_ok;
      if (structure_ok) r.partition_of_region[reg] = to;
    }
    if (!matched) {
      std::string pats;
      for (const auto& g : rule.tensors) pats += (pats.empty() ? "" : ", ") + g;
      std::string some;
      for (std::uint32_t t = 0; t < image.parameter_count() && t < 6; ++t) some += (some.empty() ? "" : ", ") + image.parameter_name(t);
      throw Error(rule.where + ": placement rule (tensors " + pats + ") matches no stored structure; the tensors are named like " +
                  some + (image.parameter_count() > 6 ? ", ..." : ""));
    }
  }
  r.bytes.assign(mem.partitions.size(), 0);
  for (std::uint32_t reg = 0; reg < image.tensor_count(); ++reg) r.bytes[r.partition_of_region[reg]] += image.tensor(reg).byte_count();
  for (std::size_t p = 0; p < mem.partitions.size(); ++p) {
    const double cap = mem.partitions[p].capacity_bytes;
    if (cap > 0 && static_cast<double>(r.bytes[p]) > cap) {
      throw Error(mem.partitions[p].where + ": partition " + mem.partitions[p].name + " holds " + format_bytes(static_cast<double>(r.bytes[p])) +
                  " (" + std::to_string(r.bytes[p]) + " bytes) under this placement, more than its capacity " + format_bytes(cap));
    }
  }
  return r;
}

namespace {

std::string quoted(const std::string& s) {
  std::string o = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\';
    o += c;
  }
  return o + "\"";
}

}  // namespace

std::string placement_file_text(const MemoryImage& image, const MemorySystem& mem, const ResolvedPlacement& r) {
  std::ostringstream o;
  o << "# memlapse placement: every stored structure and the partition holding it.\n"
    << "# Read back with `memlapse run` ([placement] file = \"THIS\") or `memlapse sweep --placement THIS`.\n\n";
  for (std::size_t p = 0; p < mem.partitions.size(); ++p) {
    const PartitionSpec& ps = mem.partitions[p];
    o << "[[partition]]  # index " << p << ", " << r.bytes[p] << " bytes placed\n"
      << "name = " << quoted(ps.name) << "\ntechnology = " << quoted(ps.technology) << "\ncapacity = "
      << quoted(ps.capacity_bytes > 0 ? format_double(ps.capacity_bytes) : "0") << "\n";
    o << "fault = {model = " << quoted(ps.fault_model);
    for (const auto& [k, v] : ps.fault_params) {
      const ParamSpec* spec = fault_registry().find(ps.fault_model).entry.schema.find(k);
      const bool text = spec == nullptr || spec->type == ParamType::kString;
      const bool list = spec != nullptr && (spec->type == ParamType::kDoubleList || spec->type == ParamType::kIntList);
      o << ", " << k << " = " << (text ? quoted(v) : list ? "[" + v + "]" : v);
    }
    o << "}\nlayout = {";
    bool first = true;
    for (const auto& [k, v] : ps.layout_params) {
      o << (first ? "" : ", ") << k << " = " << (k == "interleave" ? quoted(v) : v);
      first = false;
    }
    o << "}\n\n";
  }
  o << "[placement]\ndefault = " << quoted(mem.partitions.front().name) << "\nscales = " << quoted(kReliablePartition) << "\n\n";
  for (std::uint32_t reg = 0; reg < image.tensor_count(); ++reg) {
    const TensorSlot& s = image.tensor(reg);
    o << "[[placement.rule]]  # " << s.byte_count() << " bytes\ntensors = [" << quoted(image.parameter_name(s.tensor))
      << "]\nstructures = [" << quoted(to_string(s.structure)) << "]\npartition = " << quoted(mem.partitions[r.partition_of_region[reg]].name)
      << "\n\n";
  }
  return o.str();
}

}  // namespace memlapse
