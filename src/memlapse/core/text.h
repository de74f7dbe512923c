#pragma once
// Number <-> text helpers shared by every layer (results files, schemas, fault parameters).
// Example:
//   std::string s = format_double(0.1);   // "0.1"; strtod(s) == 0.1 exactly
#include <string>

namespace memlapse {

// Contract: the shortest text that reads back as exactly v ("nan" for NaN).
std::string format_double(double v);

}  // namespace memlapse
