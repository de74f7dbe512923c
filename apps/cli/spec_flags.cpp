#include "spec_flags.h"

#include <CLI/CLI.hpp>

#include "memlapse/core/error.h"
#include "memlapse/formats/format.h"

namespace memlapse::cli {

void SchemaFlags::add(CLI::App* cmd, const ParamSchema& schema, const std::string& section, const std::set<std::string>& skip,
                      const std::map<std::string, std::string>& rename) {
  for (const ParamSpec& s : schema.specs()) {
    if (skip.count(s.name) != 0) continue;
    Entry e;
    e.spec = s;
    e.section = section;
    auto r = rename.find(s.name);
    e.flag = r != rename.end() ? r->second : s.cli_flag();
    std::string help = s.doc;
    const std::string c = s.constraint();
    if (!c.empty()) help += " {" + c + "}";
    if (!s.unit.empty()) help += " [" + s.unit + "]";
    if (s.type == ParamType::kBool) {
      e.on = std::make_shared<bool>(false);
      e.option = cmd->add_flag(e.flag, *e.on, help + " (" + section + "." + s.name + ")");
    } else {
      if (!s.default_value.empty()) help += " (default " + s.default_value + ")";
      e.text = std::make_shared<std::string>();
      if (s.type == ParamType::kStringList && s.separator == '\n') {
        // Items may hold commas: one item per flag, repeatable.
        auto items = std::make_shared<std::vector<std::string>>();
        e.option = cmd->add_option(e.flag, *items, help + " (repeatable; " + section + "." + s.name + ")");
        e.option->each([text = e.text](const std::string& v) { *text += (text->empty() ? "" : "\n") + v; });
      } else {
        e.option = cmd->add_option(e.flag, *e.text, help + " (" + section + "." + s.name + ")");
      }
    }
    entries_.push_back(std::move(e));
  }
}

void SchemaFlags::apply(ConfigDoc& doc) const {
  for (const auto& e : entries_) {
    if (e.option->count() == 0) continue;
    const std::string path = e.section + "." + e.spec.name;
    if (e.on) {
      doc.set_node(path, toml::value<bool>(*e.on), e.flag);
      continue;
    }
    ParamSpec spec = e.spec;
    auto node = toml_value_from_text(*e.text, &spec);
    doc.set_node(path, std::move(*node), e.flag + " " + *e.text);
  }
}

bool SchemaFlags::given(const std::string& section, const std::string& key) const {
  for (const auto& e : entries_) {
    if (e.section == section && e.spec.name == key) return e.option->count() > 0;
  }
  return false;
}

std::map<std::string, std::string> parse_kv(const std::vector<std::string>& items, const std::string& flag) {
  std::map<std::string, std::string> out;
  for (const auto& it : items) {
    auto eq = it.find('=');
    if (eq == std::string::npos || eq == 0) throw Error(flag + ": '" + it + "' is not of the form key=value");
    std::string k = it.substr(0, eq);
    if (out.count(k) != 0) throw Error(flag + ": key '" + k + "' given twice");
    out[k] = it.substr(eq + 1);
  }
  return out;
}

void set_kv(ConfigDoc& doc, const std::string& path, const std::vector<std::string>& items, const std::string& flag,
            const ParamSchema* schema) {
  for (const auto& [k, v] : parse_kv(items, flag)) {
    const ParamSpec* spec = schema != nullptr ? schema->find(k) : nullptr;
    auto node = toml_value_from_text(v, spec);
    doc.set_node(path + "." + k, std::move(*node), flag + " " + k + "=" + v);
  }
}

std::string join_args(const std::vector<std::string>& args) {
  std::string s;
  for (const auto& a : args) s += (s.empty() ? "" : " ") + a;
  return s;
}

void ModelFormatFlags::add(CLI::App* cmd) {
  cmd->add_option("--arch-opt", arch_opts, "zoo architecture parameter key=value (model.arch; describe models)");
  cmd->add_option("--format", format, "storage format (format.name; describe formats)");
  cmd->add_option("--bits", bits, "format.bits: the width of any format with a bits parameter");
  cmd->add_option("--format-opt", format_opts, "format parameter key=value (format.KEY)");
}

void ModelFormatFlags::apply(ConfigDoc& doc) const {
  set_kv(doc, "model.arch", arch_opts, "--arch-opt", nullptr);
  if (format.empty() && bits == 0 && format_opts.empty()) return;  // the checkpoint's format (or 8-bit fixed)
  const std::string name = format.empty() ? "fixed" : format;
  doc.set_node("format.name", toml::value<std::string>(name), format.empty() ? "--bits" : "--format " + name);
  const ParamSchema* schema = format_registry().contains(name) ? &format_registry().find(name).entry.schema : nullptr;
  set_kv(doc, "format", format_opts, "--format-opt", schema);
  if (bits == 0) return;
  if (schema != nullptr && schema->find("bits") == nullptr) {
    throw Error("--bits " + std::to_string(bits) + ": format " + name + " has no bits parameter (describe formats)");
  }
  const auto given = parse_kv(format_opts, "--format-opt");
  if (given.count("bits") && given.at("bits") != std::to_string(bits)) {
    throw Error("--bits " + std::to_string(bits) + " contradicts --format-opt bits=" + given.at("bits") + "; give one of them");
  }
  doc.set_node("format.bits", toml::value<std::int64_t>(bits), "--bits " + std::to_string(bits));
}

}  // namespace memlapse::cli
