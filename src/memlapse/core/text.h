#pragma once
// Number <-> text helpers shared by every layer (results files, schemas, fault parameters).
// Example:
//   std::string s = format_double(0.1);   // "0.1"; strtod(s) == 0.1 exactly
#include <string>

namespace memlapse {

// Contract: the shortest text that reads back as exactly v ("nan" for NaN).
std::string format_double(double v);
// Contract: a byte count from "3MB", "512KB", "1.5 MiB", "64kB" or "1048576" (bytes; K/M/G are
// powers of 1024); Error naming `what` and the text when it is not a non-negative size.
double parse_bytes(const std::string& text, const std::string& what);
// Contract: "3 MB", "512 KB", "100 B": the largest unit that keeps the value >= 1.
std::string format_bytes(double bytes);

}  // namespace memlapse
