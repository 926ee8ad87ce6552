#ifndef MNAS_BASE_PRINTABLE_H_
#define MNAS_BASE_PRINTABLE_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace mnas {

// `text` made safe to print on one terminal line: control characters (ESC, CR, LF, DEL, ...)
// written as \xNN, and text beyond `max_bytes` cut with " ... (N bytes)" after it, so that what
// a device, a command or a stored configuration says cannot move the cursor or forge lines.
std::string printable(std::string_view text, size_t max_bytes = 200);

}  // namespace mnas

#endif  // MNAS_BASE_PRINTABLE_H_
