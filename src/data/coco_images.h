#ifndef MNAS_DATA_COCO_IMAGES_H_
#define MNAS_DATA_COCO_IMAGES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "data/coco_annotations.h"
#include "data/image_decode.h"

namespace mnas {

// Where a split of a `coco:ROOT` data set lives: ROOT/<split>.json and its images under
// ROOT/<split>/ (split "train" or "test"). `mnas data make-scenes` writes this layout; COCO 2017
// itself takes two links (docs/detection.md).
struct CocoSplitPaths {
  std::string annotations;
  std::string images;
};
CocoSplitPaths coco_split_paths(const std::string& root, const std::string& split);

// One split decoded for a network: every image converted to `channels` (1 grey, 3 RGB) and
// resized to height×width, its boxes scaled with it (pixels of the resized image).
struct DetectionImages {
  int height = 0, width = 0, channels = 0;
  std::vector<uint8_t> pixels;                   // NHWC, ids.size() images
  std::vector<std::vector<CocoObject>> objects;  // per image
  std::vector<int64_t> ids;                      // COCO image ids, in the file's order
  std::vector<std::string> categories;           // names in label order (CocoObject::category)
};

// Decodes the images `labels` lists from `image_dir`. Throws mnas::Error naming the file for a
// missing, unreadable or undecodable image, or one whose size is not what the annotations say
// (its boxes would be wrong).
DetectionImages read_coco_images(const CocoAnnotations& labels, const std::string& image_dir,
                                 int height, int width, int channels);

// What an image's header says, checked against its annotation, without decoding the pixels
// (`mnas data check`). Throws as read_coco_images does.
ImageHeader coco_image_header(const CocoImage& image, const std::string& image_dir);

}  // namespace mnas

#endif  // MNAS_DATA_COCO_IMAGES_H_
