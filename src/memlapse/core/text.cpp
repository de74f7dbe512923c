#include "memlapse/core/text.h"

#include <charconv>

namespace memlapse {

std::string format_double(double v) {
  if (v != v) return "nan";
  char buf[64];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, p);
}

}  // namespace memlapse
