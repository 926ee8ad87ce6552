#ifndef MNAS_BASE_ERROR_H_
#define MNAS_BASE_ERROR_H_

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

  // An error about one field of a configuration or a file ("proxy.epochs", "--epochs"): the
  // message is "FIELD: DETAIL", and field() tells callers which one without parsing the text
  // (the CLI names the flag that set it; the Python module the dict key).
  static Error about(const std::string& field, const std::string& detail,
                     Kind kind = Kind::kInvalidInput) {
    Error e(field + ": " + detail, kind);
    e.field_ = field;
    return e;
  }

  Kind kind() const { return kind_; }
  // The field the error is about, or "" when it is not about one.
  const std::string& field() const { return field_; }

 private:
  Kind kind_;
  std::string field_;
};

namespace internal {
[[noreturn]] void assert_fail(const char* expr, const char* file, int line);
}  // namespace internal

}  // namespace mnas

// Checks an internal invariant in every build type; a failure aborts with the location.
#define MNAS_ASSERT(cond) \
  ((cond) ? static_cast<void>(0) : ::mnas::internal::assert_fail(#cond, __FILE__, __LINE__))

#endif  // MNAS_BASE_ERROR_H_
