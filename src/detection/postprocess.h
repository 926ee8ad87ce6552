#ifndef MNAS_DETECTION_POSTPROCESS_H_
#define MNAS_DETECTION_POSTPROCESS_H_

#include <vector>

#include "detection/box.h"
#include "detection/default_boxes.h"

namespace mnas {

// A detection of one image: category (0-based), box relative to the image (clipped to it), score.
struct Detection {
  int category = 0;
  Box box;
  double score = 0;
};

// What turns the detector's outputs into detections (TensorFlow's SSD defaults, MobileNetV2's
// SSDLite: scores at least 0.01 kept for evaluation, IoU 0.6, 100 per class and per image).
struct PostprocessOptions {
  double score_threshold = 0.01;
  double nms_iou = 0.6;
  int max_per_class = 100;
  int max_per_image = 100;
};

// Greedy non-maximum suppression of one category's candidates: in descending score (ties: the
// earlier candidate first), a box is kept unless its IoU with a kept one exceeds `iou`.
// Returns the indices kept, at most `max_kept`.
std::vector<int> non_maximum_suppression(const std::vector<Box>& boxes,
                                         const std::vector<double>& scores, double iou,
                                         int max_kept);

// One image's detections from the network's outputs for it: `probabilities` [boxes, classes + 1]
// (softmax, column 0 the background) and `offsets` [boxes, 4] against `anchors`: each category's
// boxes above the score threshold decoded, clipped to the image and suppressed, then the
// max_per_image best of all categories, best first.
std::vector<Detection> postprocess(const float* probabilities, const float* offsets,
                                   const std::vector<CenterBox>& anchors, int classes,
                                   const PostprocessOptions& options);

}  // namespace mnas

#endif  // MNAS_DETECTION_POSTPROCESS_H_
