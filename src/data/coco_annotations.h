#ifndef MNAS_DATA_COCO_ANNOTATIONS_H_
#define MNAS_DATA_COCO_ANNOTATIONS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "detection/box.h"

namespace mnas {

// A detection data set's labels in COCO's JSON annotation format: `images` (id, file_name,
// width, height), `annotations` (image_id, category_id, bbox [x, y, width, height] in pixels,
// optional iscrowd) and `categories` (id, name). Other keys (info, licenses, segmentation, area,
// supercategory, ...) are allowed and not read.

struct CocoCategory {
  int id = 0;
  std::string name;
};

struct CocoObject {
  int category = 0;  // index into CocoAnnotations::categories (0-based), not the COCO id
  Box box;           // pixels of the image as stored (width × height below)
};

struct CocoImage {
  int64_t id = 0;
  std::string file_name;  // relative to the split's image folder
  int width = 0, height = 0;
  std::vector<CocoObject> objects;  // none: an image without objects (kept: it teaches "nothing")
};

struct CocoAnnotations {
  std::vector<CocoCategory> categories;  // ascending id
  std::vector<CocoImage> images;         // in the file's order
  int64_t crowd_skipped = 0;             // iscrowd = 1 annotations: COCO's ignore regions, not used
  int64_t boxes_clipped = 0;  // boxes reaching at most 1 pixel past their image, clipped to it
};

// Limits of what is read: more is refused before it is held.
constexpr int64_t kMaxCocoImages = 10'000'000;
constexpr int64_t kMaxCocoAnnotations = 50'000'000;
constexpr int kMaxCocoCategories = 10'000;
// How far past its image a box may reach (COCO's own files have boxes a fraction of a pixel out)
// before it is an error rather than clipped.
constexpr double kCocoBoxTolerance = 1.0;

// Parses and checks `json`; `what` names the document in errors ("COCO annotations 'x.json'").
// Throws mnas::Error "<what>: <field>: <problem>" for anything malformed: missing or mistyped
// fields, duplicate image or category ids, duplicate file names, file names that leave the image
// folder (absolute, "..", empty), annotations of an unknown image or category, a bbox that is not
// four finite numbers, has no area or reaches more than kCocoBoxTolerance pixels outside its image.
CocoAnnotations parse_coco_annotations(std::string_view json, const std::string& what);

// Reads `path` (at most 1 GiB) and parses it as above.
CocoAnnotations read_coco_annotations(const std::string& path);

}  // namespace mnas

#endif  // MNAS_DATA_COCO_ANNOTATIONS_H_
