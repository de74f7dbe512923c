#pragma once
// Shared option parsing for the commands: key=value lists, comma lists of numbers, shapes.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace memlapse::cli {

// Contract: parses "k=v" items into a map; Error naming `flag` and the item when malformed or repeated.
std::map<std::string, std::string> parse_kv(const std::vector<std::string>& items, const std::string& flag);
// Contract: parses "1e-5,1e-4" into doubles; Error naming `flag` and the bad item.
std::vector<double> parse_doubles(const std::string& text, const std::string& flag);
// Contract: parses "3,32,32" into positive integers; Error naming `flag`.
std::vector<std::int64_t> parse_shape(const std::string& text, const std::string& flag);
// The command line as one string, for config.json.
std::string join_args(int argc_like, const std::vector<std::string>& args);

}  // namespace memlapse::cli
