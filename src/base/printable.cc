#include "base/printable.h"

#include <cstdio>

namespace mnas {

std::string printable(std::string_view text, size_t max_bytes) {
  std::string out;
  const size_t n = text.size() < max_bytes ? text.size() : max_bytes;
  for (size_t i = 0; i < n; ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  if (text.size() > max_bytes) out += " ... (" + std::to_string(text.size()) + " bytes)";
  return out;
}

}  // namespace mnas
