#ifndef MNAS_BASE_ENUM_NAMES_H_
#define MNAS_BASE_ENUM_NAMES_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "base/error.h"

namespace mnas {

// An enum's values and the names files and flags spell them with, in one table per enum: naming
// and parsing both read it, so a value cannot be spelled two ways and a parse error lists every
// name. E.g. `constexpr EnumName<Precision> kPrecisionNames[] = {{Precision::kFp32, "fp32"}, …};`
template <typename E>
struct EnumName {
  E value;
  const char* name;
};

// The name of `value` (every value of the enum is in `names`).
template <typename E, size_t N>
const char* enum_name(E value, const EnumName<E> (&names)[N]) {
  for (const EnumName<E>& n : names) {
    if (n.value == value) return n.name;
  }
  MNAS_ASSERT(false);
}

// The value named `text`. Throws mnas::Error about `field`: "FIELD: unknown KIND 'TEXT'; use a,
// b or c" ("FIELD: 'TEXT'; use a, b or c" when `kind` is empty).
template <typename E, size_t N>
E parse_enum_name(std::string_view text, const EnumName<E> (&names)[N], const std::string& field,
                  const std::string& kind = "") {
  for (const EnumName<E>& n : names) {
    if (text == n.name) return n.value;
  }
  std::string list;  // only for the error: parsing is on the path of every architecture string
  for (size_t i = 0; i < N; ++i) {
    list += (i == 0 ? "" : i + 1 == N ? " or " : ", ") + std::string(names[i].name);
  }
  throw Error::about(field, (kind.empty() ? "" : "unknown " + kind + " ") + "'" +
                                std::string(text) + "'; use " + list);
}

}  // namespace mnas

#endif  // MNAS_BASE_ENUM_NAMES_H_
