#include "nn/detector.h"

#include <cmath>

#include "base/error.h"
#include "nn/conv_bn.h"
#include "space/layer_plan.h"

namespace mnas {
namespace {

namespace nn = torch::nn;

// SSDLite's extra layers' output widths (MobileNetV2's paper), the first four at most.
constexpr int kExtraWidths[] = {512, 256, 256, 128};
constexpr int kMaxExtras = 4;

int halved(int side) { return (side + 1) / 2; }  // 3×3, stride 2, padding 1

// The number of extra layers after a last backbone map of `side`: until 1×1, at most four.
int extra_count(int side) {
  int n = 0;
  while (side > 1 && n < kMaxExtras) side = halved(side), ++n;
  return n;
}

// A depthwise-separable prediction layer: 3×3 depthwise → BN → ReLU → 1×1 conv with bias.
nn::Sequential prediction(int channels, int outputs) {
  nn::Sequential s;
  s->push_back(conv_bn(channels, channels, 3, 1, channels, true));
  s->push_back(nn::Conv2d(nn::Conv2dOptions(channels, outputs, 1)));
  return s;
}

// [N, boxes·values, H, W] → [N, H·W·boxes, values]: cell by cell, its boxes in order, as
// default_boxes() lists them.
torch::Tensor flatten(const torch::Tensor& t, int values) {
  return t.permute({0, 2, 3, 1}).reshape({t.size(0), -1, values});
}

}  // namespace

std::vector<FeatureMapSize> detector_feature_maps(const Architecture& backbone) {
  std::vector<TensorShape> shapes = NetworkImpl::feature_shapes_of(backbone);
  std::vector<FeatureMapSize> maps;
  for (const TensorShape& s : shapes) maps.push_back({s.height, s.width});
  const int extras = extra_count(std::max(maps.back().height, maps.back().width));
  for (int i = 0; i < extras; ++i) {
    maps.push_back({halved(maps.back().height), halved(maps.back().width)});
  }
  return maps;
}

DetectorImpl::DetectorImpl(const Architecture& backbone, int categories,
                           const DefaultBoxOptions& boxes)
    : categories_(categories) {
  if (categories < 1) throw Error::about("categories", std::to_string(categories) + " < 1");
  check_default_box_options(boxes);
  backbone_ = register_module("backbone", Network(backbone, /*classifier=*/false));
  const std::vector<TensorShape> shapes = backbone_->feature_shapes();
  maps_ = detector_feature_maps(backbone);
  anchors_ = mnas::default_boxes(maps_, boxes);

  std::vector<int> widths;
  for (const TensorShape& s : shapes) widths.push_back(s.channels);
  extras_ = register_module("extras", nn::ModuleList());
  for (size_t i = shapes.size(); i < maps_.size(); ++i) {
    const int in = widths.back(), out = kExtraWidths[i - shapes.size()], mid = out / 2;
    nn::Sequential e;
    e->push_back(conv_bn(in, mid, 1, 1, 1, true));
    e->push_back(conv_bn(mid, mid, 3, 2, mid, true));
    e->push_back(conv_bn(mid, out, 1, 1, 1, true));
    extras_->push_back(e);
    widths.push_back(out);
  }
  class_heads_ = register_module("class_heads", nn::ModuleList());
  box_heads_ = register_module("box_heads", nn::ModuleList());
  for (size_t i = 0; i < maps_.size(); ++i) {
    const int per_cell = boxes_per_cell(boxes, static_cast<int>(i));
    class_heads_->push_back(prediction(widths[i], per_cell * (categories + 1)));
    box_heads_->push_back(prediction(widths[i], per_cell * 4));
  }
  // The backbone initialised itself; the new layers as it does.
  for (nn::ModuleList* list : {&extras_, &class_heads_, &box_heads_}) {
    initialize_weights(**list, categories + 1);
  }
}

DetectorOutputs DetectorImpl::forward(torch::Tensor x) {
  std::vector<torch::Tensor> maps = backbone_->features(x);
  for (const auto& extra : *extras_)
    maps.push_back(extra->as<nn::Sequential>()->forward(maps.back()));
  std::vector<torch::Tensor> scores, offsets;
  for (size_t i = 0; i < maps.size(); ++i) {
    scores.push_back(
        flatten(class_heads_[i]->as<nn::Sequential>()->forward(maps[i]), categories_ + 1));
    offsets.push_back(flatten(box_heads_[i]->as<nn::Sequential>()->forward(maps[i]), 4));
  }
  return {torch::cat(scores, 1), torch::cat(offsets, 1)};
}

}  // namespace mnas
