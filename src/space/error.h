#ifndef MNAS_SPACE_ERROR_H_
#define MNAS_SPACE_ERROR_H_

#include <cstdlib>
#include <stdexcept>
#include <string>

namespace mnas {

// The error every mnas module throws for input that comes from outside: command-line arguments,
// architecture strings and JSON, search-space files, data sets, network requests. The message names
// the offending field (e.g. "blocks[2].kernel") and, where it helps, the accepted values.
//
// Broken internal invariants are not Errors: they are MNAS_ASSERT failures (our bug, not the
// user's).
class Error : public std::runtime_error {
 public:
  enum class Kind {
    kInvalidInput,  // the input is malformed or out of range (CLI exit code 2)
    kIo,            // the environment failed us: unreadable file, disk full (CLI exit code 1)
  };

  explicit Error(const std::string& message, Kind kind = Kind::kInvalidInput)
      : std::runtime_error(message), kind_(kind) {}

  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

namespace internal {
[[noreturn]] void assert_fail(const char* expr, const char* file, int line);
}  // namespace internal

}  // namespace mnas

// Checks an internal invariant in every build type; a failure aborts with the location.
#define MNAS_ASSERT(cond) \
  ((cond) ? static_cast<void>(0) : ::mnas::internal::assert_fail(#cond, __FILE__, __LINE__))

#endif  // MNAS_SPACE_ERROR_H_
