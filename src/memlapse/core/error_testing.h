#pragma once
// For tests: the message of the memlapse::Error that `f` throws ("" when it throws none), so a
// test can assert what an error names (file, line, key, expected value).
#include <functional>
#include <string>

#include "memlapse/core/error.h"

namespace memlapse {

inline std::string error_message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace memlapse
