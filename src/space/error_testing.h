#ifndef MNAS_SPACE_ERROR_TESTING_H_
#define MNAS_SPACE_ERROR_TESTING_H_

// For tests: the message of the mnas::Error a call throws.

#include <functional>
#include <string>

#include "space/error.h"

namespace mnas {

// What `f` throws as an mnas::Error, or "" when it throws nothing.
inline std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace mnas

#endif  // MNAS_SPACE_ERROR_TESTING_H_
