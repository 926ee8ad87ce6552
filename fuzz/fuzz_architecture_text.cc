// libFuzzer: the canonical architecture string parser. Whatever it accepts must be valid and read
// back to itself; whatever it refuses must be an mnas::Error.
#include <cstdint>
#include <string>

#include "base/error.h"
#include "space/architecture_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const mnas::Architecture a = mnas::parse_architecture_string(text);
    const std::string canonical = mnas::to_canonical_string(a);
    MNAS_ASSERT(mnas::parse_architecture_string(canonical) == a);
    MNAS_ASSERT(mnas::to_canonical_string(mnas::parse_architecture_string(canonical)) == canonical);
  } catch (const mnas::Error&) {
  }
  return 0;
}
