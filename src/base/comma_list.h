#ifndef MNAS_BASE_COMMA_LIST_H_
#define MNAS_BASE_COMMA_LIST_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "base/split.h"

namespace mnas {

// "a,b,c" -> {"a", "b", "c"}: a comma-separated list (a flag's value, a table field's text).
// Throws mnas::Error naming `field` for an empty item ("a,,b", a trailing comma).
inline std::vector<std::string> comma_list(const std::string& text, const std::string& field) {
  std::vector<std::string> out;
  for (std::string_view item : split(text, ',')) {
    if (item.empty()) throw Error(field + ": '" + text + "' has an empty item");
    out.emplace_back(item);
  }
  return out;
}

}  // namespace mnas

#endif  // MNAS_BASE_COMMA_LIST_H_
