#ifndef MNAS_DATA_DETECTION_DATASET_H_
#define MNAS_DATA_DETECTION_DATASET_H_

#include <torch/torch.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "detection/box_coder.h"

namespace mnas {

// A detection data set held in memory: `coco:PATH` (data/coco_images.h) decoded at the
// network's input size.
struct DetectionDataset : ImageSet {
  std::vector<std::vector<LabelledBox>> objects;  // per image, boxes relative to it
  std::vector<int64_t> ids;                       // COCO image ids
  std::vector<std::string> categories;            // names in label order
  int64_t size() const { return static_cast<int64_t>(objects.size()); }
};

constexpr const char* kCocoDatasetPrefix = "coco:";
bool is_detection_dataset(const std::string& name);

// Reads split `split` of "coco:PATH" (PATH/train.json + PATH/train/, PATH/test.json +
// PATH/test/), every image converted to size.channels and resized to size.height × size.width.
// Throws mnas::Error naming the file and field for anything malformed (data/coco_annotations.h).
DetectionDataset load_detection_dataset(const std::string& name, Split split,
                                        const ImageSize& size);

// What a command needs before training on "coco:PATH", from one read of its training
// annotations and one image header: the category names in label order and the first training
// image's size and colour (a zoo model's default input).
struct DetectionDatasetInfo {
  std::vector<std::string> categories;
  int height = 0, width = 0, channels = 0;
};
DetectionDatasetInfo detection_dataset_info(const std::string& name);

// How the pipeline prepares a detection set's images for the network, in words.
std::string detection_preprocess(const std::string& name, int height, int width, int channels);

// Augmentation of one detection batch: the images' bytes (uint8 [B, H, W, C]) and their objects,
// moved together. A random shift of up to `pad` pixels each way (zero fill; boxes shifted and cut
// at the border, dropped when nothing is left) and a random horizontal flip.
void augment_detection_batch(torch::Tensor& bytes, std::vector<std::vector<LabelledBox>>& objects,
                             int pad, bool flip, std::mt19937_64& rng);

}  // namespace mnas

#endif  // MNAS_DATA_DETECTION_DATASET_H_
