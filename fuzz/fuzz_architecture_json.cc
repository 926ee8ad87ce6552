// libFuzzer: the architecture JSON reader; what it accepts round-trips through both forms.
#include <cstdint>
#include <string>

#include "base/error.h"
#include "space/architecture_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const mnas::Architecture a = mnas::parse_architecture_json(text);
    MNAS_ASSERT(mnas::parse_architecture_json(mnas::to_json_string(a)) == a);
    MNAS_ASSERT(mnas::parse_architecture_string(mnas::to_canonical_string(a)) == a);
  } catch (const mnas::Error&) {
  }
  return 0;
}
