#include "memlapse/core/text.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "memlapse/core/error.h"

namespace memlapse {

std::string format_double(double v) {
  if (v != v) return "nan";
  char buf[64];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, p);
}

double parse_bytes(const std::string& text, const std::string& what) {
  std::string t;
  for (char c : text) if (c != ' ') t += c;
  double v = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || ec != std::errc() || !std::isfinite(v) || v < 0) {
    throw Error(what + ": '" + text + "' is not a size; expected a number of bytes or e.g. 64KB, 3MB, 1GB");
  }
  std::string unit(p, static_cast<const char*>(t.data() + t.size()));
  for (auto& c : unit) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  double mul = 0;
  if (unit.empty() || unit == "B") mul = 1;
  else if (unit == "K" || unit == "KB" || unit == "KIB") mul = 1024.0;
  else if (unit == "M" || unit == "MB" || unit == "MIB") mul = 1024.0 * 1024;
  else if (unit == "G" || unit == "GB" || unit == "GIB") mul = 1024.0 * 1024 * 1024;
  else throw Error(what + ": unit '" + unit + "' in '" + text + "' is unknown; expected B, KB, MB or GB");
  return v * mul;
}

std::string format_bytes(double bytes) {
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  int u = 0;
  while (u < 4 && bytes >= 1024.0) {
    bytes /= 1024.0;
    ++u;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4g %s", bytes, units[u]);
  return buf;
}

}  // namespace memlapse
