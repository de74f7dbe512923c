#pragma once
// Parameter schemas and registries (STYLE.md habit 2). Every implementation of a layer
// (format, fault model, model architecture, ...) is listed in that layer's builtin.cpp with a
// name, a one-line description and a schema; `memlapse describe <layer>` prints it and the same
// schema validates user parameters (unknown keys are errors with a "did you mean").
// Example:
//   ParamSchema s{{"bits", ParamType::kInt, "8", "bit", "width m of the stored integer (2..16)"}};
//   ParamValues v = s.resolve({{"bits", "4"}}, "format nq");   // throws Error on unknown keys
#include <map>
#include <string>
#include <vector>

namespace memlapse {

enum class ParamType { kInt, kDouble, kString, kBool, kDoubleList };

const char* to_string(ParamType t);

struct ParamSpec {
  std::string name;
  ParamType type;
  std::string default_value;  // as text; "" means required
  std::string unit;           // "" if dimensionless
  std::string doc;
};

// Resolved parameters: every schema key present, typed accessors validate on read.
class ParamValues {
 public:
  ParamValues() = default;
  ParamValues(std::map<std::string, std::string> v, std::string owner)
      : values_(std::move(v)), owner_(std::move(owner)) {}
  long long get_int(const std::string& key) const;
  double get_double(const std::string& key) const;
  bool get_bool(const std::string& key) const;
  const std::string& get_string(const std::string& key) const;
  std::vector<double> get_double_list(const std::string& key) const;
  const std::map<std::string, std::string>& all() const { return values_; }

 private:
  const std::string& raw(const std::string& key) const;
  std::map<std::string, std::string> values_;
  std::string owner_;
};

class ParamSchema {
 public:
  ParamSchema() = default;
  ParamSchema(std::initializer_list<ParamSpec> specs) : specs_(specs) {}
  const std::vector<ParamSpec>& specs() const { return specs_; }
  // Contract: returns every key of the schema, given values checked for type; throws Error naming
  // `owner` and the key for an unknown key (with the closest known key), a bad value or a missing
  // required key.
  ParamValues resolve(const std::map<std::string, std::string>& given, const std::string& owner) const;

 private:
  std::vector<ParamSpec> specs_;
};

// One registry entry.
struct RegistryEntry {
  std::string name;
  std::string description;
  ParamSchema schema;
};

// The closest candidate by edit distance, or "" if none is close.
std::string closest_match(const std::string& word, const std::vector<std::string>& candidates);

// Contract: the entry named `name`; otherwise throws Error "unknown <what> '<name>' (did you mean
// ...?); known <what>s: ..." followed by `hint` when given.
const RegistryEntry& find_registry_entry(const std::vector<RegistryEntry>& entries, const std::string& name,
                                         const std::string& what, const std::string& hint = "");

// Renders entries as an aligned text table for `memlapse describe`.
std::string describe_entries(const std::string& layer, const std::vector<RegistryEntry>& entries);

}  // namespace memlapse
