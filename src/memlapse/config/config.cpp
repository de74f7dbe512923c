#include "memlapse/config/config.h"

#include <algorithm>
#include <charconv>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "memlapse/core/error.h"
#include "memlapse/core/file.h"
#include "memlapse/core/text.h"

namespace memlapse {
namespace {

std::string trim(std::string s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::string location_of(const toml::node& n) {
  const auto& src = n.source();
  if (!src.path || src.path->empty()) return "";
  return *src.path + ":" + std::to_string(src.begin.line);
}

const char* type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a number";
    case toml::node_type::boolean: return "a boolean";
    default: return "a date/time";
  }
}

// "[i]" (append, not operator+: GCC 12 warns falsely with -Wrestrict on "[" + std::string).
std::string index_suffix(std::size_t i) {
  std::string s(1, '[');
  s.append(std::to_string(i)).push_back(']');
  return s;
}

std::string node_text(const toml::node& n) {
  std::ostringstream os;
  n.visit([&](auto&& x) { os << x; });
  return os.str();
}

std::string shown(const toml::node& n) {
  if (const auto* s = n.as_string()) return "'" + s->get() + "'";
  if (n.is_table() || n.is_array()) return type_name(n);
  return node_text(n);
}

// One path segment: a key, optionally followed by [index].
struct Segment {
  std::string key;
  std::optional<std::size_t> index;
};

std::vector<Segment> split_path(const std::string& path) {
  if (path.empty()) throw Error("empty configuration path");
  std::vector<Segment> out;
  std::stringstream ss(path);
  std::string part;
  while (std::getline(ss, part, '.')) {
    Segment s;
    const auto lb = part.find('[');
    s.key = part.substr(0, lb);
    if (lb != std::string::npos) {
      const auto rb = part.find(']', lb);
      std::size_t i = 0;
      const std::string num = part.substr(lb + 1, rb == std::string::npos ? std::string::npos : rb - lb - 1);
      auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), i);
      if (rb != part.size() - 1 || ec != std::errc() || p != num.data() + num.size()) {
        throw Error("configuration path '" + path + "': '" + part + "' is not KEY or KEY[INDEX]");
      }
      s.index = i;
    }
    if (s.key.empty()) throw Error("configuration path '" + path + "' has an empty key");
    out.push_back(std::move(s));
  }
  if (!path.empty() && path.back() == '.') throw Error("configuration path '" + path + "' ends with '.'");
  return out;
}

// The element of an array of tables whose `name` is `name`, or -1.
long find_named(const toml::array& a, const std::string& name) {
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto* t = a.get(i)->as_table();
    if (t == nullptr) continue;
    const auto* n = t->get("name");
    if (n != nullptr && n->as_string() != nullptr && n->as_string()->get() == name) return static_cast<long>(i);
  }
  return -1;
}

bool parse_int(const std::string& s, long long& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return !s.empty() && ec == std::errc() && p == s.data() + s.size();
}

bool parse_double(const std::string& s, double& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return !s.empty() && ec == std::errc() && p == s.data() + s.size();
}

std::unique_ptr<toml::node> scalar_from_text(const std::string& text, ParamType t) {
  long long i;
  double d;
  switch (t) {
    case ParamType::kInt:
    case ParamType::kIntList:
      if (parse_int(text, i)) return std::make_unique<toml::value<std::int64_t>>(i);
      break;
    case ParamType::kDouble:
    case ParamType::kDoubleList:
      if (parse_int(text, i)) return std::make_unique<toml::value<double>>(static_cast<double>(i));
      if (parse_double(text, d)) return std::make_unique<toml::value<double>>(d);
      break;
    case ParamType::kBool:
      if (text == "true" || text == "on" || text == "yes" || text == "1") return std::make_unique<toml::value<bool>>(true);
      if (text == "false" || text == "off" || text == "no" || text == "0") return std::make_unique<toml::value<bool>>(false);
      break;
    default:
      break;
  }
  return std::make_unique<toml::value<std::string>>(text);
}

}  // namespace

ConfigDoc::ConfigDoc(toml::table root, std::string source) : root_(std::move(root)), source_(std::move(source)) {
  index_locations(root_, "");
}

ConfigDoc ConfigDoc::load(const std::string& path) {
  const std::string text = read_text_file(path);
  if (path.size() >= 5 && path.compare(path.size() - 5, 5, ".json") == 0) {
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
      const auto upto = std::min<std::size_t>(e.byte, text.size());
      const auto line = 1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(upto), '\n');
      throw Error(path + ":" + std::to_string(line) + ": not valid JSON (" + e.what() + ")");
    }
    if (!j.is_object()) throw Error(path + ": expected a JSON object at the top level");
    return ConfigDoc(toml_from_json(j, path), path);
  }
  return parse(text, path);
}

ConfigDoc ConfigDoc::parse(std::string_view text, const std::string& source) {
  try {
    ConfigDoc d;
    d.source_ = source;
    d.root_ = toml::parse(text, std::string_view(source));
    d.index_locations(d.root_, "");
    return d;
  } catch (const toml::parse_error& e) {
    throw Error(source + ":" + std::to_string(e.source().begin.line) + ":" + std::to_string(e.source().begin.column) + ": " +
                std::string(e.description()));
  }
}

void ConfigDoc::index_locations(const toml::node& n, const std::string& path) {
  if (!path.empty()) {
    const std::string loc = location_of(n);
    if (!loc.empty()) locations_[path] = loc;
  }
  if (const auto* t = n.as_table()) {
    for (const auto& [k, v] : *t) index_locations(v, path.empty() ? std::string(k.str()) : path + "." + std::string(k.str()));
  } else if (const auto* a = n.as_array()) {
    for (std::size_t i = 0; i < a->size(); ++i) index_locations(*a->get(i), path + index_suffix(i));
  }
}

std::string ConfigDoc::canonical_const(const std::string& path) const {
  std::string out;
  const toml::node* cur = &root_;
  for (const Segment& s : split_path(path)) {
    const toml::node* next = nullptr;
    std::string piece = s.key;
    if (const auto* t = cur != nullptr ? cur->as_table() : nullptr) {
      next = t->get(s.key);
    } else if (const auto* a = cur != nullptr ? cur->as_array() : nullptr) {
      const long i = find_named(*a, s.key);
      if (i < 0) return "";
      next = a->get(static_cast<std::size_t>(i));
      out += index_suffix(i);
      piece.clear();
    } else {
      return "";
    }
    if (!piece.empty()) out += (out.empty() ? "" : ".") + piece;
    if (s.index) {
      const auto* a = next != nullptr ? next->as_array() : nullptr;
      if (a == nullptr || *s.index >= a->size()) return "";
      next = a->get(*s.index);
      out += index_suffix(*s.index);
    }
    cur = next;
    if (cur == nullptr) return out;
  }
  return out;
}

const toml::node* ConfigDoc::find(const std::string& path) const {
  const toml::node* cur = &root_;
  for (const Segment& s : split_path(path)) {
    if (cur == nullptr) return nullptr;
    if (const auto* t = cur->as_table()) {
      cur = t->get(s.key);
    } else if (const auto* a = cur->as_array()) {
      const long i = find_named(*a, s.key);
      cur = i < 0 ? nullptr : a->get(static_cast<std::size_t>(i));
    } else {
      return nullptr;
    }
    if (cur != nullptr && s.index) {
      const auto* a = cur->as_array();
      cur = a != nullptr && *s.index < a->size() ? a->get(*s.index) : nullptr;
    }
  }
  return cur;
}

void ConfigDoc::set(const std::string& assignment) {
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw Error("--set '" + assignment + "': expected KEY=VALUE, e.g. sweep.chips=5 or partition.main.fault.ber=1e-3");
  }
  const std::string path = trim(assignment.substr(0, eq)), text = trim(assignment.substr(eq + 1));
  std::unique_ptr<toml::node> value;
  try {
    toml::table t = toml::parse("v = " + text, std::string_view("--set " + assignment));
    if (auto* v = t.get("v")) {
      value.reset(v->is_table() ? static_cast<toml::node*>(new toml::table(std::move(*v->as_table())))
                  : v->is_array() ? static_cast<toml::node*>(new toml::array(std::move(*v->as_array())))
                                  : nullptr);
      if (!value) {
        // Scalars: keep their type.
        std::ostringstream os;
        v->visit([&](auto&& x) {
          using X = std::decay_t<decltype(x)>;
          if constexpr (toml::is_value<X>) value = std::make_unique<X>(x.get());
        });
      }
    }
  } catch (const toml::parse_error&) {
  }
  if (!value) value = std::make_unique<toml::value<std::string>>(text);
  set_node(path, std::move(*value), "--set " + assignment);
}

std::string ConfigDoc::canonical(const std::string& path, bool create) {
  std::string out;
  toml::node* cur = &root_;
  const std::vector<Segment> segs = split_path(path);
  for (std::size_t si = 0; si < segs.size(); ++si) {
    const Segment& s = segs[si];
    const bool last = si + 1 == segs.size();
    toml::node* next = nullptr;
    if (auto* t = cur->as_table()) {
      next = t->get(s.key);
      if (next == nullptr && create && !last) {
        t->insert_or_assign(s.key, toml::table{});
        next = t->get(s.key);
      }
      out += (out.empty() ? "" : ".") + s.key;
    } else if (auto* a = cur->as_array()) {
      const long i = find_named(*a, s.key);
      if (i < 0) {
        throw Error("configuration path '" + path + "': no element named '" + s.key + "' in '" + out + "'");
      }
      next = a->get(static_cast<std::size_t>(i));
      out += index_suffix(i);
    } else {
      throw Error("configuration path '" + path + "': '" + out + "' is a value, not a table");
    }
    if (s.index) {
      auto* arr = next != nullptr ? next->as_array() : nullptr;
      if (arr == nullptr || *s.index >= arr->size()) {
        throw Error("configuration path '" + path + "': '" + out + "' has no element " + std::to_string(*s.index));
      }
      next = arr->get(*s.index);
      out += index_suffix(*s.index);
    }
    if (last) return out;
    if (next == nullptr) throw Error("configuration path '" + path + "': '" + out + "' does not exist");
    cur = next;
  }
  return out;
}

void ConfigDoc::set_node(const std::string& path, toml::node&& value, const std::string& origin) {
  const std::string canon = canonical(path, true);
  // The parent of the last segment.
  const auto dot = canon.find_last_of('.');
  const std::string parent = dot == std::string::npos ? "" : canon.substr(0, dot);
  std::string last = dot == std::string::npos ? canon : canon.substr(dot + 1);
  toml::node* container = parent.empty() ? static_cast<toml::node*>(&root_) : const_cast<toml::node*>(find(parent));
  // The last segment may carry an index (key[3]) or be an array element picked by name.
  const auto lb = last.find('[');
  if (lb == 0 || (container == nullptr)) throw Error("configuration path '" + path + "' cannot be set");
  if (lb != std::string::npos) {
    const std::string key = last.substr(0, lb);
    const std::size_t idx = std::stoul(last.substr(lb + 1));
    auto* t = container->as_table();
    auto* a = t != nullptr ? t->get(key)->as_array() : nullptr;
    if (a == nullptr) throw Error("configuration path '" + path + "' cannot be set");
    a->replace(a->cbegin() + static_cast<std::ptrdiff_t>(idx), std::move(value));
  } else {
    auto* t = container->as_table();
    if (t == nullptr) throw Error("configuration path '" + path + "': its parent is not a table");
    toml::node* existing = t->get(last);
    if (existing != nullptr && existing->is_table() && !value.is_table()) {
      throw Error("configuration path '" + path + "' names a table; give one of its keys (" + path + ".KEY=VALUE)");
    }
    if (value.is_table()) {
      t->insert_or_assign(last, std::move(*value.as_table()));
    } else if (value.is_array()) {
      t->insert_or_assign(last, std::move(*value.as_array()));
    } else {
      value.visit([&](auto&& x) {
        using X = std::decay_t<decltype(x)>;
        if constexpr (toml::is_value<X>) t->insert_or_assign(last, x.get());
      });
    }
  }
  for (auto it = locations_.lower_bound(canon); it != locations_.end() && it->first.compare(0, canon.size(), canon) == 0;) {
    it = locations_.erase(it);
  }
  std::function<void(const toml::node&, const std::string&)> mark = [&](const toml::node& n, const std::string& p) {
    locations_[p] = origin;
    if (const auto* tt = n.as_table()) {
      for (const auto& [k, v] : *tt) mark(v, p + "." + std::string(k.str()));
    } else if (const auto* aa = n.as_array()) {
      for (std::size_t i = 0; i < aa->size(); ++i) mark(*aa->get(i), p + index_suffix(i));
    }
  };
  mark(*find(canon), canon);
}

void ConfigDoc::set_node(const std::string& path, const toml::node& value, const std::string& origin) {
  std::unique_ptr<toml::node> copy;
  value.visit([&](auto&& x) { copy = std::make_unique<std::decay_t<decltype(x)>>(x); });
  set_node(path, std::move(*copy), origin);
}

void ConfigDoc::erase(const std::string& path) {
  const std::string canon = canonical_const(path);
  if (canon.empty() || find(canon) == nullptr) return;
  const auto dot = canon.find_last_of('.');
  const std::string parent = dot == std::string::npos ? "" : canon.substr(0, dot);
  const std::string last = dot == std::string::npos ? canon : canon.substr(dot + 1);
  if (last.find('[') != std::string::npos) return;
  auto* container = parent.empty() ? static_cast<toml::node*>(&root_) : const_cast<toml::node*>(find(parent));
  if (auto* t = container != nullptr ? container->as_table() : nullptr) t->erase(last);
}

std::string ConfigDoc::where(const std::string& path) const {
  std::string p = path;
  while (!p.empty()) {
    auto it = locations_.find(p);
    if (it != locations_.end()) return it->second;
    const auto cut = p.find_last_of(".[");
    if (cut == std::string::npos) break;
    p = p.substr(0, cut);
  }
  return source_;
}

namespace {

// TOML text for people: basic (double-quoted) strings, floats in their shortest round-trip form
// (0.1, not toml++'s 0.10000000000000001), inline tables kept inline, every other table a section.

bool is_bare_key(const std::string& k) {
  return !k.empty() && std::all_of(k.begin(), k.end(), [](unsigned char c) { return std::isalnum(c) || c == '_' || c == '-'; });
}

void write_string(std::ostream& os, std::string_view s) {
  os << '"';
  for (const unsigned char c : s) {
    switch (c) {
      case '"': os << "\\\""; break;
      case '\\': os << "\\\\"; break;
      case '\n': os << "\\n"; break;
      case '\t': os << "\\t"; break;
      case '\r': os << "\\r"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04X", c);
          os << buf;
        } else {
          os << static_cast<char>(c);
        }
    }
  }
  os << '"';
}

void write_key(std::ostream& os, const std::string& k) {
  if (is_bare_key(k)) {
    os << k;
  } else {
    write_string(os, k);
  }
}

void write_float(std::ostream& os, double v) {
  if (std::isnan(v)) {
    os << "nan";
  } else if (std::isinf(v)) {
    os << (v < 0 ? "-inf" : "inf");
  } else {
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general);  // 0.0001, 1e-05
    std::string t(buf, r.ptr);
    if (t.find_first_of(".e") == std::string::npos) t += ".0";
    os << t;
  }
}

bool is_table_array(const toml::node& n) {
  const auto* a = n.as_array();
  return a && !a->empty() && std::all_of(a->begin(), a->end(), [](const toml::node& e) { return e.is_table(); });
}

void write_inline(std::ostream& os, const toml::node& n);

// A table written as a section or [[array]] element, not inline. Below the top level, a small
// table of plain values reads better inline (fault = { model = "sram", voltage = 0.9 }).
bool is_section(const toml::node& n, bool top_level) {
  if (is_table_array(n)) return true;
  const auto* t = n.as_table();
  if (!t || t->is_inline()) return false;
  if (top_level || t->empty()) return true;
  const bool plain = std::all_of(t->begin(), t->end(), [](const auto& kv) { return !kv.second.is_table() && !is_table_array(kv.second); });
  if (!plain) return true;
  std::ostringstream os;
  write_inline(os, n);
  return os.str().size() > 100;
}

void write_inline(std::ostream& os, const toml::node& n) {
  if (const auto* t = n.as_table()) {
    if (t->empty()) {
      os << "{}";
      return;
    }
    os << "{ ";
    bool first = true;
    for (const auto& [k, v] : *t) {
      if (!first) os << ", ";
      first = false;
      write_key(os, std::string(k.str()));
      os << " = ";
      write_inline(os, v);
    }
    os << " }";
  } else if (const auto* a = n.as_array()) {
    os << "[";
    for (std::size_t i = 0; i < a->size(); ++i) {
      if (i) os << ", ";
      write_inline(os, *a->get(i));
    }
    os << "]";
  } else if (const auto* s = n.as_string()) {
    write_string(os, s->get());
  } else if (const auto* f = n.as_floating_point()) {
    write_float(os, f->get());
  } else if (const auto* i = n.as_integer()) {
    os << i->get();
  } else if (const auto* b = n.as_boolean()) {
    os << (b->get() ? "true" : "false");
  } else {
    os << toml::toml_formatter{n};  // dates and times
  }
}

void write_section(std::ostream& os, const toml::table& t, const std::string& path, bool header, bool array_element) {
  const bool top = path.empty();
  auto is_section = [top](const toml::node& n) { return ::memlapse::is_section(n, top); };
  const bool has_values = std::any_of(t.begin(), t.end(), [&](const auto& kv) { return !is_section(kv.second); });
  const bool has_sections = std::any_of(t.begin(), t.end(), [&](const auto& kv) { return is_section(kv.second); });
  if (header && (array_element || has_values || !has_sections)) {
    os << (os.tellp() > 0 ? "\n" : "") << (array_element ? "[[" : "[") << path << (array_element ? "]]" : "]") << "\n";
  }
  for (const auto& [k, v] : t) {
    if (is_section(v)) continue;
    write_key(os, std::string(k.str()));
    os << " = ";
    write_inline(os, v);
    os << "\n";
  }
  for (const auto& [k, v] : t) {
    if (!is_section(v)) continue;
    std::ostringstream key;
    write_key(key, std::string(k.str()));
    const std::string sub = path.empty() ? key.str() : path + "." + key.str();
    if (const auto* st = v.as_table()) {
      write_section(os, *st, sub, true, false);
    } else {
      for (const auto& e : *v.as_array()) write_section(os, *e.as_table(), sub, true, true);
    }
  }
}

}  // namespace

std::string toml_inline_text(const toml::node& n) {
  std::ostringstream os;
  write_inline(os, n);
  return os.str();
}

std::string ConfigDoc::toml_text() const {
  std::ostringstream os;
  write_section(os, root_, "", false, false);
  return os.str();
}

nlohmann::json ConfigDoc::to_json() const {
  std::ostringstream os;
  os << toml::json_formatter{root_};
  return nlohmann::json::parse(os.str());
}

toml::table toml_from_json(const nlohmann::json& j, const std::string& where) {
  std::function<std::unique_ptr<toml::node>(const nlohmann::json&, const std::string&)> conv =
      [&](const nlohmann::json& v, const std::string& at) -> std::unique_ptr<toml::node> {
    if (v.is_object()) {
      auto t = std::make_unique<toml::table>();
      for (const auto& [k, x] : v.items()) {
        auto n = conv(x, at + "." + k);
        t->insert_or_assign(k, std::move(*n));
      }
      return t;
    }
    if (v.is_array()) {
      auto a = std::make_unique<toml::array>();
      for (std::size_t i = 0; i < v.size(); ++i) {
        auto n = conv(v[i], at + index_suffix(i));
        a->push_back(std::move(*n));
      }
      return a;
    }
    if (v.is_boolean()) return std::make_unique<toml::value<bool>>(v.get<bool>());
    if (v.is_number_integer()) return std::make_unique<toml::value<std::int64_t>>(v.get<std::int64_t>());
    if (v.is_number_unsigned()) return std::make_unique<toml::value<std::int64_t>>(static_cast<std::int64_t>(v.get<std::uint64_t>()));
    if (v.is_number_float()) return std::make_unique<toml::value<double>>(v.get<double>());
    if (v.is_string()) return std::make_unique<toml::value<std::string>>(v.get<std::string>());
    throw Error(where + ": " + at.substr(1) + ": null is not a configuration value");
  };
  auto root = conv(j, "");
  return std::move(*root->as_table());
}

std::unique_ptr<toml::node> toml_value_from_text(const std::string& text, const ParamSpec* spec) {
  if (spec == nullptr) {
    try {
      toml::table t = toml::parse("v = " + text);
      if (auto* v = t.get("v"); v != nullptr && !v->is_table()) {
        std::unique_ptr<toml::node> out;
        v->visit([&](auto&& x) { out = std::make_unique<std::decay_t<decltype(x)>>(std::move(x)); });
        return out;
      }
    } catch (const toml::parse_error&) {
    }
    return std::make_unique<toml::value<std::string>>(text);
  }
  switch (spec->type) {
    case ParamType::kDoubleList:
    case ParamType::kIntList:
    case ParamType::kStringList: {
      auto a = std::make_unique<toml::array>();
      std::stringstream ss(text);
      std::string item;
      while (std::getline(ss, item, spec->type == ParamType::kStringList ? spec->separator : ',')) {
        a->push_back(std::move(*scalar_from_text(trim(item), spec->type)));
      }
      return a;
    }
    default:
      return scalar_from_text(text, spec->type);
  }
}

// ---------------------------------------------------------------------------------------------

TableReader::TableReader(const ConfigDoc& doc, const toml::table& table, std::string path, std::string display)
    : doc_(&doc), table_(&table), path_(std::move(path)), display_(std::move(display)) {}

TableReader TableReader::section(const ConfigDoc& doc, const std::string& key) {
  static const toml::table kEmpty;
  const toml::node* n = doc.root().get(key);
  if (n == nullptr) return TableReader(doc, kEmpty, key, key);
  if (!n->is_table()) throw Error(doc.where(key) + ": " + key + ": expected a table ([" + key + "]), got " + type_name(*n));
  return TableReader(doc, *n->as_table(), key, key);
}

std::string TableReader::where(const std::string& key) const { return doc_->where(key.empty() ? path_ : child(key)); }

void TableReader::fail(const std::string& key, const std::string& message) const {
  throw Error(where(key) + ": " + display_ + (key.empty() ? "" : (display_.empty() ? "" : ".") + key) + ": " + message);
}

std::map<std::string, std::string> TableReader::texts(const ParamSchema& schema, const std::vector<std::string>& skip) const {
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : *table_) {
    const std::string key(k.str());
    if (std::find(skip.begin(), skip.end(), key) != skip.end()) continue;
    const ParamSpec* spec = schema.find(key);
    auto expect = [&](const std::string& what) { fail(key, "expected " + what + ", got " + shown(v)); };
    auto scalar = [&](const toml::node& n, ParamType t) -> std::string {
      switch (t) {
        case ParamType::kInt:
        case ParamType::kIntList:
          if (const auto* i = n.as_integer()) return std::to_string(i->get());
          expect("an integer");
          break;
        case ParamType::kDouble:
        case ParamType::kDoubleList:
          if (const auto* i = n.as_integer()) return std::to_string(i->get());
          if (const auto* d = n.as_floating_point()) {
            if (!std::isfinite(d->get())) expect("a finite number");
            return format_double(d->get());
          }
          expect("a number");
          break;
        case ParamType::kBool:
          if (const auto* b = n.as_boolean()) return b->get() ? "true" : "false";
          expect("true or false");
          break;
        case ParamType::kString:
        case ParamType::kStringList:
          if (const auto* s = n.as_string()) {
            if (t == ParamType::kStringList && s->get().find(spec->separator) != std::string::npos) {
              expect(spec->separator == ',' ? "list items without commas" : "list items on one line each");
            }
            return s->get();
          }
          expect("a string");
          break;
      }
      return "";
    };
    if (spec == nullptr) {
      // Unknown key: resolve() reports it with the known keys; keep any text.
      out[key] = v.is_table() || v.is_array() ? "" : node_text(v);
      continue;
    }
    const bool list = spec->type == ParamType::kDoubleList || spec->type == ParamType::kIntList || spec->type == ParamType::kStringList;
    if (v.is_table()) expect(std::string(list ? "a list" : "a value") + " for " + to_string(spec->type));
    if (const auto* a = v.as_array()) {
      if (!list) expect(std::string("a single ") + to_string(spec->type));
      std::string text;
      for (std::size_t i = 0; i < a->size(); ++i) {
        if (i) text += spec->type == ParamType::kStringList ? spec->separator : ',';
        text += scalar(*a->get(i), spec->type);
      }
      if (a->empty() && spec->type != ParamType::kStringList) expect("a non-empty list");
      out[key] = text;
    } else {
      out[key] = scalar(v, spec->type);
    }
  }
  return out;
}

ParamValues TableReader::resolve(const ParamSchema& schema, const std::vector<std::string>& tables) const {
  for (const auto& t : tables) {
    const toml::node* n = table_->get(t);
    if (n != nullptr && !n->is_table() && !n->is_array()) fail(t, std::string("expected a table or an array of tables, got ") + type_name(*n));
  }
  const auto given = texts(schema, tables);
  // Unknown keys: suggest among the schema's keys and the allowed tables.
  for (const auto& [k, v] : given) {
    if (schema.find(k) != nullptr) continue;
    std::vector<std::string> known;
    for (const auto& s : schema.specs()) known.push_back(s.name);
    known.insert(known.end(), tables.begin(), tables.end());
    std::string msg = "unknown key '" + k + "'";
    const std::string near = closest_match(k, known);
    if (!near.empty()) msg += " (did you mean '" + near + "'?)";
    msg += "; known keys:";
    for (const auto& n : known) msg += " " + n;
    fail(k, msg);
  }
  try {
    return schema.resolve(given, display_.empty() ? "experiment" : display_);
  } catch (const ParamError& e) {
    throw Error(where(e.key()) + ": " + e.what());
  }
}

std::optional<TableReader> TableReader::table(const std::string& key) const {
  const toml::node* n = table_->get(key);
  if (n == nullptr) return std::nullopt;
  if (!n->is_table()) fail(key, std::string("expected a table, got ") + type_name(*n));
  return TableReader(*doc_, *n->as_table(), child(key), display_.empty() ? key : display_ + "." + key);
}

std::vector<TableReader> TableReader::tables(const std::string& key) const {
  std::vector<TableReader> out;
  const toml::node* n = table_->get(key);
  if (n == nullptr) return out;
  const auto* a = n->as_array();
  if (a == nullptr || !a->is_array_of_tables()) {
    if (a != nullptr && a->empty()) return out;
    fail(key, "expected an array of tables ([[" + (display_.empty() ? key : display_ + "." + key) + "]]), got " + type_name(*n));
  }
  for (std::size_t i = 0; i < a->size(); ++i) {
    const auto& t = *a->get(i)->as_table();
    std::string disp = (display_.empty() ? key : display_ + "." + key);
    const auto* nm = t.get("name");
    disp += nm != nullptr && nm->as_string() != nullptr ? "." + nm->as_string()->get() : index_suffix(i);
    out.emplace_back(*doc_, t, child(key) + index_suffix(i), disp);
  }
  return out;
}

}  // namespace memlapse
