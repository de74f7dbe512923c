#pragma once
// Parameter schemas (STYLE.md habit 2). Every implementation of a layer (format, fault model,
// model architecture, array technology) and every section of an experiment file declares its
// parameters once, here: name, type, default, unit, range or choices, role and doc. The same
// schema validates user input (CLI options, experiment files, placement files), generates CLI
// flags and prints `memlapse describe`; no caller writes its own "is not one of" or range check.
// Example:
//   ParamSchema s{ParamSpec{"bits", ParamType::kInt, "8", "bit", "stored width"}.in(2, 16),
//                 ParamSpec{"round", ParamType::kString, "nearest", "", "rounding"}.one_of({"nearest", "trunc"}),
//                 ParamSpec{"ber", ParamType::kDouble, "", "1/bit", "bit error rate"}.in(0, 1).required_()};
//   ParamValues v = s.resolve({{"ber", "1e-3"}}, "format demo");   // ParamError on bad input
//   int bits = static_cast<int>(v.get_int("bits"));  std::size_t r = v.get_choice("round");
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "memlapse/core/error.h"

namespace memlapse {

enum class ParamType { kInt, kDouble, kString, kBool, kDoubleList, kIntList, kStringList };
const char* to_string(ParamType t);

// What a parameter means to the tools above the implementation: the sweep front end turns every
// operating-point and rate parameter of the fault models into a CLI flag, characterization
// searches over them.
enum class ParamRole { kPlain, kRate, kOperatingPoint };
const char* to_string(ParamRole r);

// kDefault: default_value is used when absent (it must be non-empty for numbers and bools);
// kRequired: absent is an error; kOptional: may be absent, ParamValues::has() tells.
enum class Presence { kDefault, kRequired, kOptional };

struct ParamSpec {
  ParamSpec() = default;
  ParamSpec(std::string n, ParamType t, std::string def, std::string u, std::string d)
      : name(std::move(n)), type(t), default_value(std::move(def)), unit(std::move(u)), doc(std::move(d)) {}
  std::string name;
  ParamType type = ParamType::kString;
  std::string default_value;  // text form (lists: items joined by `separator`)
  std::string unit;           // "" if dimensionless
  std::string doc;
  std::vector<std::string> choices;  // kString / kStringList: the allowed values (empty: any)
  std::optional<double> min, max;    // numbers and number lists: allowed interval
  bool min_open = false, max_open = false;
  Presence presence = Presence::kDefault;
  ParamRole role = ParamRole::kPlain;
  std::string flag;  // CLI flag of a front end when not "--" + name with '_' -> '-'
  char separator = ',';  // string lists: what separates items in the text form

  // Fluent modifiers (each returns a modified copy).
  ParamSpec one_of(std::vector<std::string> c) const;
  ParamSpec in(double lo, double hi) const;      // [lo, hi]
  ParamSpec at_least(double lo) const;           // [lo, inf)
  ParamSpec above(double lo) const;              // (lo, inf)
  ParamSpec open_above(double lo, double hi) const;  // (lo, hi]
  ParamSpec required_() const;
  ParamSpec optional_() const;
  ParamSpec as(ParamRole r) const;
  ParamSpec with_flag(std::string f) const;
  // String lists whose items contain commas (e.g. "ifm:0,3") keep one item per line instead.
  ParamSpec one_per_line() const;
  // Contract: the CLI flag, "--" + name with '_' replaced by '-' unless `flag` is set.
  std::string cli_flag() const;
  // Contract: "[2, 16]", "(0, 1]", ">= 0", "one of a, b" or "" when unconstrained.
  std::string constraint() const;
};

// A user error about one parameter: the config reader adds the file and line of `key`.
class ParamError : public Error {
 public:
  ParamError(std::string key, const std::string& what) : Error(what), key_(std::move(key)) {}
  const std::string& key() const { return key_; }

 private:
  std::string key_;
};

// Resolved parameters: every key with a value (defaults filled in; optional ones only when
// given), each checked against its spec, so the typed accessors cannot fail on user input.
class ParamValues {
 public:
  ParamValues() = default;
  ParamValues(std::map<std::string, std::string> v, std::string owner)
      : values_(std::move(v)), owner_(std::move(owner)) {}
  bool has(const std::string& key) const { return values_.count(key) != 0; }
  long long get_int(const std::string& key) const;
  double get_double(const std::string& key) const;
  bool get_bool(const std::string& key) const;
  const std::string& get_string(const std::string& key) const;
  std::vector<double> get_double_list(const std::string& key) const;
  std::vector<long long> get_int_list(const std::string& key) const;
  std::vector<std::string> get_string_list(const std::string& key) const;
  // Contract: the index of the value in the spec's choices (resolve() checked membership).
  std::size_t get_choice(const std::string& key) const;
  const std::map<std::string, std::string>& all() const { return values_; }
  const std::string& owner() const { return owner_; }

 private:
  friend class ParamSchema;
  const std::string& raw(const std::string& key) const;
  std::map<std::string, std::string> values_;
  std::map<std::string, std::vector<std::string>> choices_;
  std::map<std::string, char> separators_;
  std::string owner_;
};

class ParamSchema {
 public:
  ParamSchema() = default;
  ParamSchema(std::initializer_list<ParamSpec> specs);
  explicit ParamSchema(std::vector<ParamSpec> specs);
  const std::vector<ParamSpec>& specs() const { return specs_; }
  // Contract: the spec named `name`, or null.
  const ParamSpec* find(const std::string& name) const;
  // Contract: every key of the schema with a value (optional ones only when given), checked for
  // type, choices and range; throws ParamError naming `owner` and the key for an unknown key (with
  // the closest known key), a bad value or a missing required key.
  ParamValues resolve(const std::map<std::string, std::string>& given, const std::string& owner) const;
  // Contract: the schema with `more` appended (Error on a duplicate name).
  ParamSchema plus(const std::vector<ParamSpec>& more) const;

 private:
  std::vector<ParamSpec> specs_;
};

// Contract: the text form of a value of type t is valid (for kStringList: any text).
bool param_text_is_valid(ParamType t, const std::string& text);
// Contract: joins string-list items into the text form (items separated by `sep`) and back.
std::string join_string_list(const std::vector<std::string>& items, char sep = ',');
std::vector<std::string> split_string_list(const std::string& text, char sep = ',');

// A registry entry as `memlapse describe` and the CLI see it (type-erased; see registry.h).
struct RegistryEntry {
  std::string name;
  std::string description;
  ParamSchema schema;
  std::vector<std::string> tags;  // e.g. the memory technologies a fault model describes
};

// The closest candidate by edit distance, or "" if none is close.
std::string closest_match(const std::string& word, const std::vector<std::string>& candidates);

// Contract: the entry named `name`; otherwise throws Error "unknown <what> '<name>' (did you mean
// ...?); known <what>s: ..." followed by `hint` when given.
const RegistryEntry& find_registry_entry(const std::vector<RegistryEntry>& entries, const std::string& name,
                                         const std::string& what, const std::string& hint = "");

// Renders entries as an aligned text table for `memlapse describe`.
std::string describe_entries(const std::string& layer, const std::vector<RegistryEntry>& entries);
// Renders one schema (the keys of an experiment-file section) the same way.
std::string describe_schema(const std::string& title, const ParamSchema& schema, const std::string& indent = "  ");

}  // namespace memlapse
