#ifndef MNAS_DETECTION_SSDLITE_LAYOUT_H_
#define MNAS_DETECTION_SSDLITE_LAYOUT_H_

#include <string>
#include <vector>

#include "detection/default_boxes.h"
#include "space/architecture.h"
#include "space/layer_plan.h"

namespace mnas {

// The shape of SSDLite on a backbone of the space, torch-free: what the LibTorch detector
// (nn/detector.h) builds and what its inference graph (graph/detector_graph.h) lowers, so that
// the two cannot disagree.
//
// Feature maps: the outputs of the last layers of the (up to) two resolutions above the head's
// (stride 8 and 16 in MnasNet's skeleton) and the head convolution's; then extra layers (1×1 conv
// to half the width → 3×3 depthwise stride 2 → 1×1 conv; widths 512, 256, 256, 128) halve the
// last map until it is 1×1, at most four times.
struct SsdliteLayout {
  std::vector<int> taps;                 // backbone layers whose outputs are maps (plan order)
  std::vector<TensorShape> maps;         // every map: the taps', the head's, the extras'
  int backbone_maps = 0;                 // how many of `maps` come from the backbone
  std::vector<FeatureMapSize> sizes() const;
};

// Throws mnas::Error when every layer of `backbone` runs at the head's resolution (a detector
// needs maps of two resolutions) or for an invalid architecture.
SsdliteLayout ssdlite_layout(const Architecture& backbone);
SsdliteLayout ssdlite_layout(const NetworkPlan& plan);

// The backbone layers whose outputs are maps besides the head's, in plan order; empty when every
// layer runs at the head's resolution.
std::vector<int> ssdlite_taps(const NetworkPlan& plan);

// The names of the detector's parameters beyond the backbone's (index from 0, names from 1):
// "extra1" (its "reduce", "depthwise" and "expand" convolutions), "class1" and "box1" (their
// "depthwise" and "predict" convolutions).
std::string detector_extra_name(int index);
std::string detector_head_name(const std::string& kind, int index);

}  // namespace mnas

#endif  // MNAS_DETECTION_SSDLITE_LAYOUT_H_
