#include "options.h"

#include <charconv>
#include <sstream>

#include "memlapse/core/error.h"

namespace memlapse::cli {

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

std::vector<double> parse_doubles(const std::string& text, const std::string& flag) {
  std::vector<double> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    double v = 0;
    auto [p, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
    if (item.empty() || ec != std::errc() || p != item.data() + item.size()) {
      throw Error(flag + ": '" + item + "' is not a number (expected a comma-separated list such as 1e-5,1e-4)");
    }
    out.push_back(v);
  }
  if (out.empty()) throw Error(flag + ": empty list");
  return out;
}

std::vector<std::int64_t> parse_shape(const std::string& text, const std::string& flag) {
  std::vector<std::int64_t> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
    if (item.empty() || ec != std::errc() || p != item.data() + item.size() || v < 1) {
      throw Error(flag + ": '" + item + "' is not a positive integer (expected C,H,W such as 3,32,32)");
    }
    out.push_back(v);
  }
  if (out.size() != 3) throw Error(flag + ": expected 3 dimensions C,H,W, got " + std::to_string(out.size()));
  return out;
}

std::string join_args(int, const std::vector<std::string>& args) {
  std::string s;
  for (const auto& a : args) s += (s.empty() ? "" : " ") + a;
  return s;
}

}  // namespace memlapse::cli
