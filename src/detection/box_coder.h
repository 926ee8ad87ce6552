#ifndef MNAS_DETECTION_BOX_CODER_H_
#define MNAS_DETECTION_BOX_CODER_H_

#include <array>
#include <cstdint>
#include <vector>

#include "detection/box.h"
#include "detection/default_boxes.h"

namespace mnas {

// An object to detect: its category (0-based) and its box relative to the image (x, y, w, h in
// [0, 1]: pixels divided by the image's width and height).
struct LabelledBox {
  int category = 0;
  Box box;
};

// The box coder's constants (below), for engines that decode boxes themselves (the ONNX export).
constexpr double kCentreScale = 10, kSizeScale = 5;
constexpr double kMaxLogSize = 4.135166556742356;  // log(1000 / 16), checked in ssd_test

// SSD's regression of a box from a default box, with the scale factors of MobileNet's SSD
// (10, 10, 5, 5: TensorFlow's faster_rcnn_box_coder): dx = 10·(cx - a.cx)/a.w, dy likewise,
// dw = 5·log(w/a.w), dh = 5·log(h/a.h).
std::array<float, 4> encode_box(const CenterBox& box, const CenterBox& anchor);
// The inverse; dw and dh are clamped at log(1000/16) (as torchvision does) so that a wild
// prediction cannot overflow exp.
CenterBox decode_box(const float* offsets, const CenterBox& anchor);

CenterBox to_center(const Box& b);
Box to_corner(const CenterBox& b);

// What each default box should predict for one image.
struct BoxTargets {
  std::vector<int64_t> labels;  // per default box: 0 background, 1 + category of its object
  std::vector<float> offsets;   // per default box 4: encode_box of its object (0 for background)
  int positives = 0;
};

// A default box whose IoU with an object is at least this is that object's (its best one).
constexpr double kMatchIou = 0.5;

// SSD's matching: each default box takes the object it overlaps most when that IoU ≥ kMatchIou;
// then every object takes its own best default box too (objects in order; the box's IoU must be
// > 0), so that no object is left without one — small or oddly shaped objects would be.
BoxTargets assign_targets(const std::vector<CenterBox>& anchors,
                          const std::vector<LabelledBox>& objects);

}  // namespace mnas

#endif  // MNAS_DETECTION_BOX_CODER_H_
