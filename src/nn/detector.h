#ifndef MNAS_NN_DETECTOR_H_
#define MNAS_NN_DETECTOR_H_

#include <torch/torch.h>

#include <map>
#include <string>
#include <vector>

#include "detection/default_boxes.h"
#include "detection/ssdlite_layout.h"
#include "nn/network.h"
#include "space/architecture.h"

namespace mnas {

// SSDLite (MobileNetV2's paper, Sandler et al. 2018) on any architecture of the space: the
// backbone without its classifier gives three feature maps (Network::features: stride 8, 16 and
// the head convolution's stride 32 — SSDLite takes the last two; the stride-8 map is mnas's, for
// small inputs); extra layers (1×1 conv to half the width → 3×3 depthwise stride
// 2 → 1×1 conv, each with BN and ReLU; widths 512, 256, 256, 128) halve the last map until it is
// 1×1, at most four times; on every map a depthwise-separable prediction layer (3×3 depthwise →
// BN → ReLU → 1×1 conv with bias) gives each default box its class scores (categories + 1, the
// first the background) and its four box offsets (detection/box_coder.h).
struct DetectorOutputs {
  torch::Tensor scores;   // logits [N, boxes, categories + 1]
  torch::Tensor offsets;  // [N, boxes, 4]
};

class DetectorImpl : public torch::nn::Module {
 public:
  // `backbone`'s input is the detector's; its classes are ignored. Throws mnas::Error for a
  // backbone without two resolutions (Network::feature_shapes).
  DetectorImpl(const Architecture& backbone, int categories, const DefaultBoxOptions& boxes);
  DetectorOutputs forward(torch::Tensor x);

  int categories() const { return categories_; }
  const std::vector<FeatureMapSize>& feature_maps() const { return maps_; }
  // Every default box, in the order of the outputs' second dimension.
  const std::vector<CenterBox>& default_boxes() const { return anchors_; }

  // The weights as an inference engine needs them (BatchNorm folded, XNNPACK layout), named as
  // graph/detector_graph.h names its parameters: the backbone's as Network::folded_weights (no
  // classifier), "extraK.reduce|depthwise|expand", "classK.depthwise|predict",
  // "boxK.depthwise|predict" (K from 1).
  std::map<std::string, NamedWeights> folded_weights();

 private:
  int categories_;
  std::vector<FeatureMapSize> maps_;
  std::vector<CenterBox> anchors_;
  Network backbone_{nullptr};
  torch::nn::ModuleList extras_{nullptr};
  torch::nn::ModuleList class_heads_{nullptr};
  torch::nn::ModuleList box_heads_{nullptr};
};
TORCH_MODULE(Detector);

// Feature maps an input of `height` × `width` gives the detector (the backbone's two, then the
// extra layers'): what default_boxes() is built from.
std::vector<FeatureMapSize> detector_feature_maps(const Architecture& backbone);

}  // namespace mnas

#endif  // MNAS_NN_DETECTOR_H_
