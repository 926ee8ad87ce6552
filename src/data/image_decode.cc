#include "data/image_decode.h"

#include <stb/stb_image.h>
#include <stb/stb_image_resize.h>

#include <climits>
#include <cstdint>
#include <cstring>
#include <memory>

#include "base/error.h"

namespace mnas {
namespace {

int stb_length(const std::vector<uint8_t>& bytes, const std::string& path) {
  if (bytes.empty()) throw Error("image '" + path + "': cannot be decoded (empty file)");
  if (bytes.size() > size_t{INT_MAX}) throw Error("image '" + path + "': larger than 2 GiB");
  return static_cast<int>(bytes.size());
}

}  // namespace

ImageHeader read_image_header(const std::vector<uint8_t>& bytes, const std::string& path) {
  ImageHeader h;
  if (!stbi_info_from_memory(bytes.data(), stb_length(bytes, path), &h.width, &h.height,
                             &h.channels)) {
    throw Error("image '" + path + "': cannot be decoded (" + stbi_failure_reason() + ")");
  }
  if (h.width < 1 || h.height < 1 || h.width > kMaxImageSide || h.height > kMaxImageSide ||
      int64_t{h.width} * h.height > kMaxImagePixels) {
    throw Error("image '" + path + "': " + std::to_string(h.width) + "x" +
                std::to_string(h.height) + " pixels is larger than mnas reads (" +
                std::to_string(kMaxImageSide) + " a side, " + std::to_string(kMaxImagePixels) +
                " in all)");
  }
  h.channels = h.channels <= 2 ? 1 : 3;  // grey (+alpha) → 1, colour (+alpha) → 3
  return h;
}

std::vector<uint8_t> decode_image(const std::vector<uint8_t>& bytes, const std::string& path,
                                  int height, int width, int channels) {
  if (height < 1 || width < 1 || height > kMaxImageSide || width > kMaxImageSide)
    throw Error("image '" + path + "': cannot be resized to " + std::to_string(height) + "x" +
                std::to_string(width));
  if (channels != 1 && channels != 3)
    throw Error("image '" + path + "': channels must be 1 or 3, not " + std::to_string(channels));
  read_image_header(bytes, path);  // the size limits, before stb allocates anything
  int w = 0, h = 0, original = 0;
  std::unique_ptr<unsigned char, void (*)(void*)> pixels(
      stbi_load_from_memory(bytes.data(), stb_length(bytes, path), &w, &h, &original, channels),
      stbi_image_free);
  if (!pixels) {
    throw Error("image '" + path + "': cannot be decoded (" + stbi_failure_reason() + ")");
  }
  std::vector<uint8_t> out(size_t{static_cast<size_t>(height)} * width * channels);
  if (w == width && h == height) {
    std::memcpy(out.data(), pixels.get(), out.size());
  } else if (!stbir_resize_uint8(pixels.get(), w, h, 0, out.data(), width, height, 0, channels)) {
    throw Error("image '" + path + "': cannot be resized to " + std::to_string(height) + "x" +
                std::to_string(width));
  }
  return out;
}

}  // namespace mnas
