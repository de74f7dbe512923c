#include "memlapse/core/error.h"

namespace memlapse {

void throw_internal(const char* cond, const std::string& msg, const char* file, int line) {
  throw InternalError(std::string("internal error: ") + msg + " [" + cond + "] at " + file + ":" +
                      std::to_string(line));
}

}  // namespace memlapse
