#ifndef MNAS_BASE_COMMA_LIST_H_
#define MNAS_BASE_COMMA_LIST_H_

#include <algorithm>
#include <string>
#include <vector>

#include "base/error.h"

namespace mnas {

// "a,b,c" -> {"a", "b", "c"}: a comma-separated list (a flag's value, a table field's text).
// Throws mnas::Error naming `field` for an empty item ("a,,b", a trailing comma).
inline std::vector<std::string> comma_list(const std::string& text, const std::string& field) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = std::min(text.find(',', start), text.size());
    std::string item = text.substr(start, comma - start);
    if (item.empty()) throw Error(field + ": '" + text + "' has an empty item");
    out.push_back(std::move(item));
    start = comma + 1;
  }
  return out;
}

}  // namespace mnas

#endif  // MNAS_BASE_COMMA_LIST_H_
