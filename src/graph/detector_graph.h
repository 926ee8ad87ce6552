#ifndef MNAS_GRAPH_DETECTOR_GRAPH_H_
#define MNAS_GRAPH_DETECTOR_GRAPH_H_

#include <cstdint>

#include "detection/default_boxes.h"
#include "graph/graph.h"
#include "space/architecture.h"

namespace mnas {

// SSDLite on `backbone` (detection/ssdlite_layout.h; the LibTorch module is nn/detector.h)
// lowered for inference: the backbone without its classifier, the extra layers and, on every
// map, a class and a box prediction layer (3×3 depthwise → ReLU → 1×1 convolution), BatchNorm
// folded as everywhere in graph.h. Parameters are named as DetectorImpl::folded_weights names
// them; weights are random (seeded) until apply_weights.
//
// Outputs: the class predictions of every map, then the box predictions of every map, NHWC
// [1, H, W, boxes per cell · (categories + 1)] and [1, H, W, boxes per cell · 4]. Their floats in
// that order are the detector's scores [boxes, categories + 1] (logits) followed by its box
// offsets [boxes, 4] — what DetectorImpl::forward gives for one image, default boxes in
// default_boxes()'s order. Softmax, box decoding and non-maximum suppression are not in the graph
// (detection/postprocess.h runs them on the outputs, whichever engine produced them).
//
// Throws mnas::Error for an invalid backbone, one without two resolutions, categories < 1 or
// default-box options that cannot make boxes.
Graph lower_detector(const Architecture& backbone, int categories,
                     const DefaultBoxOptions& boxes = {}, uint64_t seed = 1);

}  // namespace mnas

#endif  // MNAS_GRAPH_DETECTOR_GRAPH_H_
