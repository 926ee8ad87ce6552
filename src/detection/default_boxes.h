#ifndef MNAS_DETECTION_DEFAULT_BOXES_H_
#define MNAS_DETECTION_DEFAULT_BOXES_H_

#include <vector>

namespace mnas {

// A box in centre form, relative to the image: centre (cx, cy) and size (w, h), 1 = the image's
// width or height. The form SSD's default boxes and box regression use.
struct CenterBox {
  double cx = 0, cy = 0, w = 0, h = 0;
};

// SSD's default boxes ("anchors", Liu et al. 2016, with MobileNetV2's SSDLite's aspect ratios):
// feature map k of m (k = 0..m-1) has scale s_k = min_scale + (max_scale - min_scale)·k/(m-1)
// and at every cell, centred on it, one box per aspect ratio a (w = s_k·√a, h = s_k/√a) plus one
// of scale √(s_k·s_{k+1}) and ratio 1 (s_m = 1). With reduce_first, the first map has only
// three: scale 0.1 ratio 1, and s_0 at ratios 2 and 1/2 (SSDLite's setting for COCO).
// The defaults are measured on the Fashion-MNIST scenes (96×96, maps 12, 6, 3, 2, 1; objects of
// 10-55 px): scales 0.2-0.8 with every box on the first map give 94% of the objects a default
// box with IoU ≥ 0.5 (4.3 per object; median best IoU 0.65), where SSDLite's 0.2-0.95 reduced
// on maps 6, 3, 2, 1 gave 23% (docs/detection.md).
struct DefaultBoxOptions {
  double min_scale = 0.2, max_scale = 0.8;
  std::vector<double> aspect_ratios{1.0, 2.0, 0.5, 3.0, 1.0 / 3.0};
  bool reduce_first = false;
};

struct FeatureMapSize {
  int height = 0, width = 0;
};

// Boxes per cell of feature map `index` (the prediction layer's outputs per cell: this many times
// classes + 1 scores, and times 4 box offsets).
int boxes_per_cell(const DefaultBoxOptions& options, int index);

// Every default box, map by map, cell by cell in row-major order, the boxes of a cell in the
// order above: the order the prediction layers' outputs are flattened in (NHWC).
std::vector<CenterBox> default_boxes(const std::vector<FeatureMapSize>& maps,
                                     const DefaultBoxOptions& options);

// Throws mnas::Error naming the field for options that cannot make boxes: scales outside (0, 1]
// or min > max, no aspect ratios, a ratio ≤ 0.
void check_default_box_options(const DefaultBoxOptions& options);

}  // namespace mnas

#endif  // MNAS_DETECTION_DEFAULT_BOXES_H_
