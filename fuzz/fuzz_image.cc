// libFuzzer: one image file of an image folder (PNG, JPEG, BMP, GIF through stb_image), its
// header as image_folder_info reads it and its pixels as read_image_folder decodes them. The
// first byte picks grey or colour and the size to resize to.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "base/error.h"
#include "data/image_decode.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const int channels = (data[0] & 1) ? 3 : 1;
  const int side = 1 + (data[0] >> 1) % 32;
  const std::vector<uint8_t> bytes(data + 1, data + size);
  try {
    const mnas::ImageHeader h = mnas::read_image_header(bytes, "input");
    if (h.width < 1 || h.height < 1 || (h.channels != 1 && h.channels != 3)) std::abort();
    const std::vector<uint8_t> pixels = mnas::decode_image(bytes, "input", side, side, channels);
    if (pixels.size() != size_t(side) * side * channels) std::abort();
  } catch (const mnas::Error&) {
  }
  return 0;
}
