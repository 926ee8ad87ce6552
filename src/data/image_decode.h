#ifndef MNAS_DATA_IMAGE_DECODE_H_
#define MNAS_DATA_IMAGE_DECODE_H_

#include <cstdint>
#include <string>
#include <vector>

namespace mnas {

// What an encoded image's header says, without decoding it.
struct ImageHeader {
  int height = 0, width = 0;
  int channels = 0;  // 1 (grey, with or without alpha) or 3 (colour, with or without alpha)
};

// Images larger than this are refused before any pixel is decoded: a 100-byte PNG may claim
// 60000×60000 pixels.
constexpr int kMaxImageSide = 8192;
constexpr int64_t kMaxImagePixels = int64_t{1} << 26;

// The header of a PNG, JPEG, BMP or GIF held in `bytes`. Throws mnas::Error naming `path` when
// it is not an image stb_image can read or it is larger than the limits above.
ImageHeader read_image_header(const std::vector<uint8_t>& bytes, const std::string& path);

// Decodes `bytes`, converts to `channels` (1 or 3) and resizes to height×width: height·width·
// channels bytes, HWC. Throws mnas::Error naming `path` for an undecodable or oversized image.
std::vector<uint8_t> decode_image(const std::vector<uint8_t>& bytes, const std::string& path,
                                  int height, int width, int channels);

}  // namespace mnas

#endif  // MNAS_DATA_IMAGE_DECODE_H_
