#include "memlapse/core/error.h"

#include <sstream>

namespace memlapse {

void throw_internal(const char* cond, const std::string& msg, const char* file, int line) {
  // A stream rather than operator+ chains: GCC 12 raises a false -Wrestrict on the latter.
  std::ostringstream os;
  os << "internal error: " << msg << " [" << cond << "] at " << file << ":" << line;
  throw InternalError(os.str());
}

}  // namespace memlapse
