// libFuzzer: the framing of checkpoint files (magic, version, CRC-32, length) that guards the
// LibTorch archive inside.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "base/error.h"
#include "train/checkpoint_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  try {
    const std::string_view archive = mnas::checkpoint_archive(bytes, "input");
    if (archive.size() > bytes.size()) std::abort();
    // What passes the check frames back to the same bytes.
    if (archive.size() != bytes.size() && mnas::frame_checkpoint(archive) != bytes) std::abort();
  } catch (const mnas::Error&) {
  }
  return 0;
}
