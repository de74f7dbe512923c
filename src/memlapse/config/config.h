#pragma once
// Configuration documents (STYLE.md habit 3): an experiment or placement file parsed once into a
// TOML tree with the file and line of every value, `--set a.b=value` overrides, and strict readers
// that turn each table into schema-checked values (core/schema.h). Every error names the file,
// line, key and what was expected, with a "did you mean" for unknown keys.
// Paths: "a.b.c" addresses nested tables; a segment may index an array ("rule[1]") or pick an
// element of an array of tables by its `name` key ("partition.dram.fault.ber").
// Example:
//   ConfigDoc doc = ConfigDoc::load("configs/004_table1.toml");
//   doc.set("sweep.chips=3");
//   TableReader sweep(doc, "sweep");
//   ParamValues v = sweep.resolve(sweep_schema(), {"axis"});   // "configs/x.toml:12: sweep: unknown ..."
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>
#include <toml++/toml.h>

#include "memlapse/core/registry.h"
#include "memlapse/core/schema.h"

namespace memlapse {

class ConfigDoc {
 public:
  ConfigDoc() = default;
  // Contract: a document built in code; `source` names it in messages (e.g. "memlapse sweep").
  ConfigDoc(toml::table root, std::string source);
  // Contract: parses a TOML file (JSON when the name ends in .json); Error "file:line:col: ..." on
  // a syntax error, or naming the file when it cannot be read.
  static ConfigDoc load(const std::string& path);
  static ConfigDoc parse(std::string_view text, const std::string& source);

  // Contract: applies "path=value": value is a TOML value (4, 1e-3, true, "sram", [1, 2],
  // {model = "sram"}) or, when it is not one, a string. Error naming the assignment when it has no
  // '=', the path is malformed or crosses a value that is not a table.
  void set(const std::string& assignment);
  // Contract: sets `path` to `value` (tables on the way are created); `origin` is where the value
  // came from, reported by where().
  void set_node(const std::string& path, toml::node&& value, const std::string& origin);
  void set_node(const std::string& path, const toml::node& value, const std::string& origin);
  // Contract: removes `path` if present.
  void erase(const std::string& path);

  const toml::table& root() const { return root_; }
  const std::string& source() const { return source_; }
  // Contract: the node at `path`, or null.
  const toml::node* find(const std::string& path) const;
  // Contract: "file:line" of the value at index path `path` (or of the closest enclosing value),
  // or the document's source when unknown.
  std::string where(const std::string& path) const;
  // Contract: the canonical TOML text (keys sorted) and the same tree as JSON.
  std::string toml_text() const;
  nlohmann::json to_json() const;

 private:
  void index_locations(const toml::node& n, const std::string& path);
  // Resolves a user path ("partition.dram.x") to index form ("partition[1].x"); creates tables
  // when `create`; Error naming the path otherwise.
  std::string canonical(const std::string& path, bool create);
  std::string canonical_const(const std::string& path) const;
  toml::table root_;
  std::string source_;
  std::map<std::string, std::string> locations_;  // index path -> "file:line"
};

// Contract: one value as TOML writes it inline ("x", 0.1, [1, 2], { a = true }); floats in their
// shortest round-trip form.
std::string toml_inline_text(const toml::node& n);

// Contract: a JSON document as a TOML table (objects -> tables, arrays -> arrays); Error naming
// `where` for nulls.
toml::table toml_from_json(const nlohmann::json& j, const std::string& where);
// Contract: the TOML value a CLI text stands for, typed by `spec` when given (an int, a double, a
// bool, a list), else parsed as a TOML value or kept as a string.
std::unique_ptr<toml::node> toml_value_from_text(const std::string& text, const ParamSpec* spec);

// One table of a document, read strictly.
class TableReader {
 public:
  // `path` is the index path of the table in doc (empty: the root), `display` its name in messages.
  TableReader(const ConfigDoc& doc, const toml::table& table, std::string path, std::string display);
  // Contract: the reader of the top-level table `key` (an empty table when absent); Error when
  // present and not a table.
  static TableReader section(const ConfigDoc& doc, const std::string& key);
  // Contract: the table's values for `schema` (owner = the display path); every key that is
  // neither in the schema nor in `tables` is an Error with file:line and the closest known key;
  // a value of the wrong type or out of its range is an Error naming file:line and the allowed
  // values.
  ParamValues resolve(const ParamSchema& schema, const std::vector<std::string>& tables = {}) const;
  // Contract: the implementation named by key `name_key` in this table, and the table's other keys
  // resolved by its schema (file:line errors as resolve()). `what` names the section in messages.
  template <class Product>
  std::pair<const Implementation<Product>*, ParamValues> implementation(const Registry<Product>& registry,
                                                                       const std::string& name_key,
                                                                       const std::vector<std::string>& tables = {}) const;
  // Contract: the sub-table `key` as a reader, or nullopt when absent; Error when not a table.
  std::optional<TableReader> table(const std::string& key) const;
  // Contract: the array of tables `key` as readers (empty when absent); Error when not an array of
  // tables. Element display names use their `name` key when they have one.
  std::vector<TableReader> tables(const std::string& key) const;
  bool has(const std::string& key) const { return table_->contains(key); }
  const toml::table& raw() const { return *table_; }
  const ConfigDoc& doc() const { return *doc_; }
  const std::string& path() const { return path_; }
  const std::string& display() const { return display_; }
  // Contract: "file:line" of key `key` in this table (of the table when absent).
  std::string where(const std::string& key) const;
  // Contract: throws Error "where(key): display.key: message".
  [[noreturn]] void fail(const std::string& key, const std::string& message) const;
  // Contract: the table's scalar and array values as schema text, for a key set that is only known
  // at run time (implementation parameters); the values are typed by `schema` where it names them.
  std::map<std::string, std::string> texts(const ParamSchema& schema, const std::vector<std::string>& skip) const;

 private:
  std::string child(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }
  const ConfigDoc* doc_;
  const toml::table* table_;
  std::string path_, display_;
};

template <class Product>
std::pair<const Implementation<Product>*, ParamValues> TableReader::implementation(const Registry<Product>& registry,
                                                                                   const std::string& name_key,
                                                                                   const std::vector<std::string>& tables) const {
  const toml::node* n = table_->get(name_key);
  if (n == nullptr) fail(name_key, "missing; expected the name of a " + registry.what());
  const auto* name = n->as_string();
  if (name == nullptr) fail(name_key, "expected a string naming a " + registry.what());
  const Implementation<Product>* impl = nullptr;
  try {
    impl = &registry.find(name->get());
  } catch (const Error& e) {
    fail(name_key, e.what());
  }
  std::vector<std::string> skip = tables;
  skip.push_back(name_key);
  const auto given = texts(impl->entry.schema, skip);
  try {
    return {impl, impl->entry.schema.resolve(given, display_ + " (" + registry.what() + " " + name->get() + ")")};
  } catch (const ParamError& e) {
    throw Error(where(e.key()) + ": " + e.what());
  }
}

}  // namespace memlapse
