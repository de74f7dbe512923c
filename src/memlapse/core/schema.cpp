#include "memlapse/core/schema.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <sstream>

#include "memlapse/core/text.h"

namespace memlapse {

const char* to_string(ParamType t) {
  switch (t) {
    case ParamType::kInt: return "int";
    case ParamType::kDouble: return "double";
    case ParamType::kString: return "string";
    case ParamType::kBool: return "bool";
    case ParamType::kDoubleList: return "double-list";
    case ParamType::kIntList: return "int-list";
    case ParamType::kStringList: return "string-list";
  }
  return "?";
}

const char* to_string(ParamRole r) {
  switch (r) {
    case ParamRole::kPlain: return "";
    case ParamRole::kRate: return "rate";
    case ParamRole::kOperatingPoint: return "operating point";
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

// Finite numbers only: NaN and infinities are never valid parameter values.
bool parse_double(const std::string& s, double& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && std::isfinite(out);
}

bool parse_int(const std::string& s, long long& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return !s.empty() && ec == std::errc() && p == s.data() + s.size();
}

bool parse_bool(const std::string& s, bool& out) {
  if (s == "true" || s == "1" || s == "yes" || s == "on") { out = true; return true; }
  if (s == "false" || s == "0" || s == "no" || s == "off") { out = false; return true; }
  return false;
}

std::vector<std::string> split_on(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, sep)) out.push_back(item);
  if (!s.empty() && s.back() == sep) out.emplace_back();
  return out;
}

std::vector<std::string> split_commas(const std::string& s) { return split_on(s, ','); }

// The numbers a value of type t holds (for range checks); false when the text is malformed.
bool numbers_of(ParamType t, const std::string& v, std::vector<double>& nums) {
  nums.clear();
  double d;
  long long i;
  switch (t) {
    case ParamType::kInt:
      if (!parse_int(v, i)) return false;
      nums.push_back(static_cast<double>(i));
      return true;
    case ParamType::kDouble:
      if (!parse_double(v, d)) return false;
      nums.push_back(d);
      return true;
    case ParamType::kDoubleList:
    case ParamType::kIntList: {
      const auto items = split_commas(v);
      if (items.empty()) return false;
      for (const auto& item : items) {
        if (t == ParamType::kIntList) {
          if (!parse_int(item, i)) return false;
          nums.push_back(static_cast<double>(i));
        } else {
          if (!parse_double(item, d)) return false;
          nums.push_back(d);
        }
      }
      return true;
    }
    default:
      return true;
  }
}

std::string choices_text(const std::vector<std::string>& c) {
  std::string s;
  for (std::size_t i = 0; i < c.size(); ++i) s += (i == 0 ? "" : i + 1 == c.size() ? " or " : ", ") + c[i];
  return s;
}

}  // namespace

bool param_text_is_valid(ParamType t, const std::string& text) {
  bool b;
  std::vector<double> nums;
  switch (t) {
    case ParamType::kBool: return parse_bool(text, b);
    case ParamType::kString:
    case ParamType::kStringList: return true;
    default: return numbers_of(t, text, nums);
  }
}

std::string join_string_list(const std::vector<std::string>& items, char sep) {
  std::string s;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) s += sep;
    s += items[i];
  }
  return s;
}

std::vector<std::string> split_string_list(const std::string& text, char sep) {
  if (text.empty()) return {};
  return split_on(text, sep);
}

ParamSpec ParamSpec::one_of(std::vector<std::string> c) const {
  ParamSpec s = *this;
  s.choices = std::move(c);
  return s;
}
ParamSpec ParamSpec::in(double lo, double hi) const {
  ParamSpec s = *this;
  s.min = lo;
  s.max = hi;
  return s;
}
ParamSpec ParamSpec::at_least(double lo) const {
  ParamSpec s = *this;
  s.min = lo;
  return s;
}
ParamSpec ParamSpec::above(double lo) const {
  ParamSpec s = at_least(lo);
  s.min_open = true;
  return s;
}
ParamSpec ParamSpec::open_above(double lo, double hi) const {
  ParamSpec s = in(lo, hi);
  s.min_open = true;
  return s;
}
ParamSpec ParamSpec::required_() const {
  ParamSpec s = *this;
  s.presence = Presence::kRequired;
  s.default_value.clear();
  return s;
}
ParamSpec ParamSpec::optional_() const {
  ParamSpec s = *this;
  s.presence = Presence::kOptional;
  s.default_value.clear();
  return s;
}
ParamSpec ParamSpec::as(ParamRole r) const {
  ParamSpec s = *this;
  s.role = r;
  return s;
}
ParamSpec ParamSpec::one_per_line() const {
  ParamSpec s = *this;
  s.separator = '\n';
  return s;
}

ParamSpec ParamSpec::with_flag(std::string f) const {
  ParamSpec s = *this;
  s.flag = std::move(f);
  return s;
}

std::string ParamSpec::cli_flag() const {
  if (!flag.empty()) return flag;
  std::string f = "--" + name;
  std::replace(f.begin(), f.end(), '_', '-');
  return f;
}

std::string ParamSpec::constraint() const {
  if (!choices.empty()) return "one of " + choices_text(choices);
  if (min && max) {
    return std::string(min_open ? "(" : "[") + format_double(*min) + ", " + format_double(*max) + (max_open ? ")" : "]");
  }
  if (min) return std::string(min_open ? "> " : ">= ") + format_double(*min);
  if (max) return std::string(max_open ? "< " : "<= ") + format_double(*max);
  return "";
}

ParamSchema::ParamSchema(std::initializer_list<ParamSpec> specs) : ParamSchema(std::vector<ParamSpec>(specs)) {}

ParamSchema::ParamSchema(std::vector<ParamSpec> specs) : specs_(std::move(specs)) {
  for (std::size_t i = 0; i < specs_.size(); ++i) {
    const ParamSpec& s = specs_[i];
    for (std::size_t j = 0; j < i; ++j) MEMLAPSE_CHECK(specs_[j].name != s.name, "duplicate parameter " + s.name);
    const bool text = s.type == ParamType::kString || s.type == ParamType::kStringList;
    MEMLAPSE_CHECK(s.presence != Presence::kDefault || text || !s.default_value.empty(),
                   "parameter " + s.name + " has no default: mark it required_() or optional_()");
    MEMLAPSE_CHECK(s.default_value.empty() || param_text_is_valid(s.type, s.default_value),
                   "parameter " + s.name + " has a malformed default");
  }
}

const ParamSpec* ParamSchema::find(const std::string& name) const {
  for (const auto& s : specs_) if (s.name == name) return &s;
  return nullptr;
}

ParamSchema ParamSchema::plus(const std::vector<ParamSpec>& more) const {
  std::vector<ParamSpec> all = specs_;
  all.insert(all.end(), more.begin(), more.end());
  return ParamSchema(std::move(all));
}

ParamValues ParamSchema::resolve(const std::map<std::string, std::string>& given, const std::string& owner) const {
  std::vector<std::string> names;
  for (const auto& s : specs_) names.push_back(s.name);
  for (const auto& [k, v] : given) {
    if (find(k) != nullptr) continue;
    std::string msg = owner + ": unknown parameter '" + k + "'";
    const std::string near = closest_match(k, names);
    if (!near.empty()) msg += " (did you mean '" + near + "'?)";
    msg += "; known parameters:";
    for (const auto& n : names) msg += " " + n;
    if (names.empty()) msg += " none";
    throw ParamError(k, msg);
  }
  ParamValues out({}, owner);
  for (const auto& s : specs_) {
    auto it = given.find(s.name);
    if (it == given.end()) {
      if (s.presence == Presence::kRequired) {
        throw ParamError(s.name, owner + ": parameter '" + s.name + "' is required (" + s.doc + ")");
      }
      if (s.presence == Presence::kOptional) continue;
    }
    const std::string& v = it != given.end() ? it->second : s.default_value;
    const std::string shown = "'" + v + "'";
    if (!param_text_is_valid(s.type, v)) {
      std::string expect = std::string("a valid ") + to_string(s.type);
      if (s.type == ParamType::kDouble || s.type == ParamType::kDoubleList) expect += " (finite)";
      if (s.type == ParamType::kBool) expect = "true or false";
      throw ParamError(s.name, owner + ": parameter '" + s.name + "' = " + shown + " is not " + expect);
    }
    if (!s.choices.empty()) {
      const std::vector<std::string> items = s.type == ParamType::kStringList ? split_string_list(v, s.separator) : std::vector<std::string>{v};
      for (const auto& item : items) {
        if (std::find(s.choices.begin(), s.choices.end(), item) != s.choices.end()) continue;
        std::string msg = owner + ": parameter '" + s.name + "' = '" + item + "' is not " + s.constraint();
        const std::string near = closest_match(item, s.choices);
        if (!near.empty()) msg += " (did you mean '" + near + "'?)";
        throw ParamError(s.name, msg);
      }
      out.choices_[s.name] = s.choices;
    }
    std::vector<double> nums;
    numbers_of(s.type, v, nums);
    for (double x : nums) {
      const bool low = s.min && (s.min_open ? !(x > *s.min) : !(x >= *s.min));
      const bool high = s.max && (s.max_open ? !(x < *s.max) : !(x <= *s.max));
      if (low || high) {
        const std::string unit = s.unit.empty() ? "" : " " + s.unit;
        throw ParamError(s.name, owner + ": parameter '" + s.name + "' = " + format_double(x) + unit + " is outside " +
                                     s.constraint() + (s.doc.empty() ? "" : " (" + s.doc + ")"));
      }
    }
    if (s.type == ParamType::kStringList) out.separators_[s.name] = s.separator;
    out.values_[s.name] = v;
  }
  return out;
}

const std::string& ParamValues::raw(const std::string& key) const {
  auto it = values_.find(key);
  MEMLAPSE_CHECK(it != values_.end(), owner_ + ": no value for parameter '" + key + "'");
  return it->second;
}

long long ParamValues::get_int(const std::string& key) const {
  long long v = 0;
  MEMLAPSE_CHECK(parse_int(raw(key), v), owner_ + ": parameter '" + key + "' is not an int");
  return v;
}

double ParamValues::get_double(const std::string& key) const {
  double v = 0;
  MEMLAPSE_CHECK(parse_double(raw(key), v), owner_ + ": parameter '" + key + "' is not a number");
  return v;
}

bool ParamValues::get_bool(const std::string& key) const {
  bool v = false;
  MEMLAPSE_CHECK(parse_bool(raw(key), v), owner_ + ": parameter '" + key + "' is not a bool");
  return v;
}

const std::string& ParamValues::get_string(const std::string& key) const { return raw(key); }

std::vector<double> ParamValues::get_double_list(const std::string& key) const {
  std::vector<double> out;
  for (const auto& item : split_commas(raw(key))) {
    double d = 0;
    MEMLAPSE_CHECK(parse_double(item, d), owner_ + ": parameter '" + key + "' has a bad number");
    out.push_back(d);
  }
  return out;
}

std::vector<long long> ParamValues::get_int_list(const std::string& key) const {
  std::vector<long long> out;
  for (const auto& item : split_commas(raw(key))) {
    long long i = 0;
    MEMLAPSE_CHECK(parse_int(item, i), owner_ + ": parameter '" + key + "' has a bad int");
    out.push_back(i);
  }
  return out;
}

std::vector<std::string> ParamValues::get_string_list(const std::string& key) const {
  auto it = separators_.find(key);
  return split_string_list(raw(key), it == separators_.end() ? ',' : it->second);
}

std::size_t ParamValues::get_choice(const std::string& key) const {
  auto c = choices_.find(key);
  MEMLAPSE_CHECK(c != choices_.end(), owner_ + ": parameter '" + key + "' has no choices");
  const auto it = std::find(c->second.begin(), c->second.end(), raw(key));
  MEMLAPSE_CHECK(it != c->second.end(), owner_ + ": parameter '" + key + "' is not one of its choices");
  return static_cast<std::size_t>(it - c->second.begin());
}

std::string closest_match(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_d = word.size() / 2 + 2;
  for (const auto& c : candidates) {
    std::size_t d = edit_distance(word, c);
    if (d < best_d) { best_d = d; best = c; }
  }
  return best;
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

std::string describe_schema(const std::string& title, const ParamSchema& schema, const std::string& indent) {
  std::ostringstream os;
  if (!title.empty()) os << indent << title << "\n";
  for (const auto& p : schema.specs()) {
    os << indent << "    " << p.name << " : " << to_string(p.type) << " = ";
    if (p.presence == Presence::kRequired) os << "(required)";
    else if (p.presence == Presence::kOptional) os << "(optional)";
    else if (p.default_value.empty()) os << "\"\"";
    else if (p.type == ParamType::kStringList) os << "[" << choices_text(split_string_list(p.default_value, p.separator)) << "]";
    else os << p.default_value;
    if (!p.unit.empty()) os << " [" << p.unit << "]";
    const std::string c = p.constraint();
    if (!c.empty()) os << " {" << c << "}";
    if (p.role != ParamRole::kPlain) os << " <" << to_string(p.role) << ">";
    os << "  " << p.doc << "\n";
  }
  return os.str();
}

std::string describe_entries(const std::string& layer, const std::vector<RegistryEntry>& entries) {
  std::ostringstream os;
  os << layer << ":\n";
  for (const auto& e : entries) {
    std::string head = e.name + " — " + e.description;
    if (!e.tags.empty()) {
      head += " (technology:";
      for (const auto& t : e.tags) head += " " + t;
      head += ")";
    }
    os << describe_schema(head, e.schema, "  ");
  }
  return os.str();
}

}  // namespace memlapse
