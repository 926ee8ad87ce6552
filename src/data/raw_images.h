#ifndef MNAS_DATA_RAW_IMAGES_H_
#define MNAS_DATA_RAW_IMAGES_H_

#include <cstdint>
#include <vector>

namespace mnas {

// Images and labels as the readers decode them, before they become tensors (dataset.h's
// to_dataset). Torch-free, so that the readers — which parse files from outside — can be fuzzed
// and sanitized without LibTorch.
struct RawImages {
  int height = 0, width = 0, channels = 0;
  std::vector<uint8_t> pixels;  // NHWC, labels.size() images
  std::vector<int64_t> labels;
};

}  // namespace mnas

#endif  // MNAS_DATA_RAW_IMAGES_H_
