#include "memlapse/core/schema.h"

#include <algorithm>
#include <charconv>
#include <sstream>

#include "memlapse/core/error.h"

namespace memlapse {

const char* to_string(ParamType t) {
  switch (t) {
    case ParamType::kInt: return "int";
    case ParamType::kDouble: return "double";
    case ParamType::kString: return "string";
    case ParamType::kBool: return "bool";
    case ParamType::kDoubleList: return "double-list";
  }
  return "?";
}

namespace {

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

bool parse_double(const std::string& s, double& out) {
  if (s.empty()) return false;
  std::istringstream is(s);
  is >> out;
  return !is.fail() && is.eof();
}

bool parse_int(const std::string& s, long long& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

bool parse_bool(const std::string& s, bool& out) {
  if (s == "true" || s == "1" || s == "yes" || s == "on") { out = true; return true; }
  if (s == "false" || s == "0" || s == "no" || s == "off") { out = false; return true; }
  return false;
}

bool check_value(ParamType t, const std::string& v) {
  double d; long long i; bool b;
  switch (t) {
    case ParamType::kInt: return parse_int(v, i);
    case ParamType::kDouble: return parse_double(v, d);
    case ParamType::kBool: return parse_bool(v, b);
    case ParamType::kString: return true;
    case ParamType::kDoubleList: {
      std::stringstream ss(v);
      std::string item;
      bool any = false;
      while (std::getline(ss, item, ',')) { if (!parse_double(item, d)) return false; any = true; }
      return any;
    }
  }
  return false;
}

}  // namespace

std::string closest_match(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_d = word.size() / 2 + 2;
  for (const auto& c : candidates) {
    std::size_t d = edit_distance(word, c);
    if (d < best_d) { best_d = d; best = c; }
  }
  return best;
}

ParamValues ParamSchema::resolve(const std::map<std::string, std::string>& given,
                                 const std::string& owner) const {
  std::vector<std::string> names;
  for (const auto& s : specs_) names.push_back(s.name);
  for (const auto& [k, v] : given) {
    if (std::find(names.begin(), names.end(), k) == names.end()) {
      std::string msg = owner + ": unknown parameter '" + k + "'";
      std::string near = closest_match(k, names);
      if (!near.empty()) msg += " (did you mean '" + near + "'?)";
      msg += "; known parameters:";
      for (const auto& n : names) msg += " " + n;
      throw Error(msg);
    }
  }
  std::map<std::string, std::string> out;
  for (const auto& s : specs_) {
    auto it = given.find(s.name);
    std::string v = it != given.end() ? it->second : s.default_value;
    if (v.empty() && s.type != ParamType::kString) {
      throw Error(owner + ": parameter '" + s.name + "' is required (" + s.doc + ")");
    }
    if (!check_value(s.type, v)) {
      throw Error(owner + ": parameter '" + s.name + "' = '" + v + "' is not a valid " + to_string(s.type));
    }
    out[s.name] = v;
  }
  return ParamValues(std::move(out), owner);
}

const std::string& ParamValues::raw(const std::string& key) const {
  auto it = values_.find(key);
  if (it == values_.end()) throw Error(owner_ + ": no parameter '" + key + "'");
  return it->second;
}

long long ParamValues::get_int(const std::string& key) const {
  long long v;
  if (!parse_int(raw(key), v)) throw Error(owner_ + ": parameter '" + key + "' is not an int");
  return v;
}

double ParamValues::get_double(const std::string& key) const {
  double v;
  if (!parse_double(raw(key), v)) throw Error(owner_ + ": parameter '" + key + "' is not a number");
  return v;
}

bool ParamValues::get_bool(const std::string& key) const {
  bool v;
  if (!parse_bool(raw(key), v)) throw Error(owner_ + ": parameter '" + key + "' is not a bool");
  return v;
}

const std::string& ParamValues::get_string(const std::string& key) const { return raw(key); }

std::vector<double> ParamValues::get_double_list(const std::string& key) const {
  std::vector<double> out;
  std::stringstream ss(raw(key));
  std::string item;
  while (std::getline(ss, item, ',')) {
    double d;
    if (!parse_double(item, d)) throw Error(owner_ + ": parameter '" + key + "' has a bad number '" + item + "'");
    out.push_back(d);
  }
  return out;
}

const RegistryEntry& find_registry_entry(const std::vector<RegistryEntry>& entries, const std::string& name,
                                         const std::string& what, const std::string& hint) {
  std::vector<std::string> names;
  for (const auto& e : entries) {
    if (e.name == name) return e;
    names.push_back(e.name);
  }
  std::string msg = "unknown " + what + " '" + name + "'";
  const std::string near = closest_match(name, names);
  if (!near.empty()) msg += " (did you mean '" + near + "'?)";
  msg += "; known " + what + "s:";
  for (const auto& n : names) msg += " " + n;
  throw Error(msg + hint);
}

std::string describe_entries(const std::string& layer, const std::vector<RegistryEntry>& entries) {
  std::ostringstream os;
  os << layer << ":\n";
  for (const auto& e : entries) {
    os << "  " << e.name << " — " << e.description << "\n";
    for (const auto& p : e.schema.specs()) {
      os << "      " << p.name << " : " << to_string(p.type)
         << " = "
         << (!p.default_value.empty() ? p.default_value : p.type == ParamType::kString ? "\"\"" : "(required)");
      if (!p.unit.empty()) os << " [" << p.unit << "]";
      os << "  " << p.doc << "\n";
    }
  }
  return os.str();
}

}  // namespace memlapse
