#ifndef MNAS_DATA_IMAGE_FOLDER_H_
#define MNAS_DATA_IMAGE_FOLDER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "data/raw_images.h"

namespace mnas {

// An image-folder data set: one sub-folder per class (class index = position of its name in
// sorted order), holding PNG, JPEG, BMP or GIF files (decoded with stb_image). Files with other
// extensions (README, .DS_Store) are ignored; an image file that does not decode is an error.
struct ImageFolderInfo {
  std::vector<std::string> classes;         // sorted sub-folder names
  int height = 0, width = 0, channels = 0;  // of the first image: the default input
  int64_t images = 0;
};

// Lists `root` without decoding more than the first image's header. Throws mnas::Error naming the
// folder: missing or unreadable (kIo), no class folders, a class folder without images.
ImageFolderInfo image_folder_info(const std::string& root);

// Decodes every image under `root`, converted to `channels` (1 = grey, 3 = RGB) and resized to
// height×width, labelled by `classes` (image_folder_info of the training folder, so that test
// labels match; a class folder not in it is an error). Throws mnas::Error naming the file and the
// problem for an unreadable, undecodable or oversized image (data/image_decode.h's limits).
RawImages read_image_folder(const std::string& root, const std::vector<std::string>& classes,
                            int height, int width, int channels);

}  // namespace mnas

#endif  // MNAS_DATA_IMAGE_FOLDER_H_
