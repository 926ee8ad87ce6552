#ifndef MNAS_TRAIN_EVALUATION_IMAGES_H_
#define MNAS_TRAIN_EVALUATION_IMAGES_H_

#include <string>

#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include "data/dataset.h"
#include "space/architecture.h"

namespace mnas {

// The images a checkpoint's evaluation scores, whatever engine runs it: the test split of its
// run's data set ("test"), or the training images its run held out ("holdout", the same split
// the run made from its options), at the architecture's input size; "train": the images the run
// trained on (what a quantization calibrates on), in the run's shuffled order.
struct EvaluationImages {
  Dataset data;
  torch::Tensor indices;  // into data
};
EvaluationImages evaluation_images(const nlohmann::json& run_options, const std::string& split,
                                   const std::string& data_dir, const Architecture& arch);

}  // namespace mnas

#endif  // MNAS_TRAIN_EVALUATION_IMAGES_H_
