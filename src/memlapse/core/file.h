#pragma once
// Files that results depend on are written whole or not at all.
// Example:
//   write_text_file(dir + "/results.json", j.dump(2));   // temp file, fsync, rename
//   std::string text = read_text_file(path);              // Error naming the path
#include <string>

namespace memlapse {

// Contract: writes atomically and durably (temp file, flush, fsync, rename); throws Error naming
// the path when any step fails (a full disk leaves the old file, never a truncated one).
void write_text_file(const std::string& path, const std::string& text);
// Contract: the whole file; Error naming the path when it cannot be read.
std::string read_text_file(const std::string& path);

}  // namespace memlapse
