#pragma once
// Two kinds of error, never an abort (STYLE.md habit 4).
//   memlapse::Error          a user-fixable problem: names the file, key or value and what was expected.
//   MEMLAPSE_CHECK(cond,msg) an internal invariant: throws InternalError with the condition and file:line.
// Example:
//   if (m < 2 || m > 16) throw Error("format.bits: " + std::to_string(m) + " is out of range 2..16");
//   MEMLAPSE_CHECK(offset + n <= bytes.size(), "tensor overruns the image");
#include <stdexcept>
#include <string>

namespace memlapse {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

class InternalError : public std::logic_error {
 public:
  explicit InternalError(const std::string& what) : std::logic_error(what) {}
};

[[noreturn]] void throw_internal(const char* cond, const std::string& msg, const char* file, int line);

}  // namespace memlapse

#define MEMLAPSE_CHECK(cond, msg)                                          \
  do {                                                                     \
    if (!(cond)) ::memlapse::throw_internal(#cond, (msg), __FILE__, __LINE__); \
  } while (0)
