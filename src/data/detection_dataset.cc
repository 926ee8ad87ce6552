#include "data/detection_dataset.h"

#include <algorithm>
#include <cstring>

#include "base/error.h"
#include "data/coco_annotations.h"
#include "data/coco_images.h"

namespace mnas {
namespace {

std::string coco_root(const std::string& name) {
  const std::string root = name.substr(std::strlen(kCocoDatasetPrefix));
  if (root.empty()) throw Error("--dataset: 'coco:' needs a path, e.g. coco:data/scenes");
  return root;
}

const char* split_name(Split split) { return split == Split::kTrain ? "train" : "test"; }

}  // namespace

bool is_detection_dataset(const std::string& name) {
  return name.rfind(kCocoDatasetPrefix, 0) == 0;
}

DetectionDataset load_detection_dataset(const std::string& name, Split split,
                                        const ImageSize& size) {
  const std::string root = coco_root(name);
  const CocoSplitPaths paths = coco_split_paths(root, split_name(split));
  const CocoAnnotations labels = read_coco_annotations(paths.annotations);
  if (labels.images.empty()) throw Error("COCO annotations '" + paths.annotations + "': no images");
  const DetectionImages decoded =
      read_coco_images(labels, paths.images, size.height, size.width, size.channels);
  DetectionDataset d;
  d.name = name + "/" + split_name(split);
  d.height = size.height;
  d.width = size.width;
  d.channels = size.channels;
  const int64_t n = static_cast<int64_t>(decoded.ids.size());
  d.images = torch::empty({n, size.height, size.width, size.channels}, torch::kUInt8);
  std::memcpy(d.images.data_ptr<uint8_t>(), decoded.pixels.data(), decoded.pixels.size());
  for (const std::vector<CocoObject>& objects : decoded.objects) {
    std::vector<LabelledBox> relative;
    for (const CocoObject& o : objects) {
      relative.push_back({o.category, Box{o.box.x / size.width, o.box.y / size.height,
                                          o.box.w / size.width, o.box.h / size.height}});
    }
    d.objects.push_back(std::move(relative));
  }
  d.ids = decoded.ids;
  d.categories = decoded.categories;
  return d;
}

DetectionDatasetInfo detection_dataset_info(const std::string& name) {
  const CocoSplitPaths p = coco_split_paths(coco_root(name), "train");
  const CocoAnnotations labels = read_coco_annotations(p.annotations);
  if (labels.images.empty()) throw Error("COCO annotations '" + p.annotations + "': no images");
  DetectionDatasetInfo info;
  for (const CocoCategory& c : labels.categories) info.categories.push_back(c.name);
  const ImageHeader h = coco_image_header(labels.images.front(), p.images);
  info.height = h.height;
  info.width = h.width;
  info.channels = h.channels;
  return info;
}

std::string detection_preprocess(const std::string& name, int height, int width, int channels) {
  return "the images of " + name + " decoded (PNG, JPEG, BMP or GIF), converted to " +
         (channels == 1 ? "grey" : "RGB") + " and resized to " + std::to_string(height) + "x" +
         std::to_string(width) + " (stretched, bilinear), scaled to [0, 1]";
}

void augment_detection_batch(torch::Tensor& bytes, std::vector<std::vector<LabelledBox>>& objects,
                             int pad, bool flip, std::mt19937_64& rng) {
  const int64_t h = bytes.size(1), w = bytes.size(2);
  for (int64_t i = 0; i < bytes.size(0); ++i) {
    std::vector<LabelledBox>& boxes = objects[i];
    if (pad > 0) {
      const int dx = static_cast<int>(rng() % (2 * pad + 1)) - pad;
      const int dy = static_cast<int>(rng() % (2 * pad + 1)) - pad;
      if (dx != 0 || dy != 0) {
        const torch::Tensor image = bytes[i];
        torch::Tensor shifted = torch::zeros_like(image);
        const int64_t sx0 = std::max<int64_t>(0, -dx), dx0 = std::max<int64_t>(0, dx);
        const int64_t sy0 = std::max<int64_t>(0, -dy), dy0 = std::max<int64_t>(0, dy);
        const int64_t cw = w - std::abs(dx), ch = h - std::abs(dy);
        shifted.slice(0, dy0, dy0 + ch)
            .slice(1, dx0, dx0 + cw)
            .copy_(image.slice(0, sy0, sy0 + ch).slice(1, sx0, sx0 + cw));
        image.copy_(shifted);
        std::vector<LabelledBox> kept;
        for (LabelledBox b : boxes) {
          const double x0 = std::clamp(b.box.x + double(dx) / w, 0.0, 1.0);
          const double y0 = std::clamp(b.box.y + double(dy) / h, 0.0, 1.0);
          const double x1 = std::clamp(b.box.x + b.box.w + double(dx) / w, 0.0, 1.0);
          const double y1 = std::clamp(b.box.y + b.box.h + double(dy) / h, 0.0, 1.0);
          if (x1 <= x0 || y1 <= y0) continue;
          b.box = {x0, y0, x1 - x0, y1 - y0};
          kept.push_back(b);
        }
        boxes = std::move(kept);
      }
    }
    if (flip && (rng() & 1)) {
      bytes[i].copy_(bytes[i].flip({1}));
      for (LabelledBox& b : boxes) b.box.x = 1.0 - b.box.x - b.box.w;
    }
  }
}

}  // namespace mnas
