#include "base/error.h"

#include <cstdio>

namespace mnas::internal {

void assert_fail(const char* expr, const char* file, int line) {
  std::fprintf(stderr, "mnas: internal error: %s failed at %s:%d\n", expr, file, line);
  std::abort();
}

}  // namespace mnas::internal
