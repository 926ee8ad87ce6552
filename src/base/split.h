#ifndef MNAS_BASE_SPLIT_H_
#define MNAS_BASE_SPLIT_H_

#include <string_view>
#include <vector>

namespace mnas {

// The parts of `text` between occurrences of `separator`, empty ones kept: "a,,b" -> {"a", "",
// "b"}, "" -> {""}. Views into `text`, which must outlive them.
inline std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

}  // namespace mnas

#endif  // MNAS_BASE_SPLIT_H_
