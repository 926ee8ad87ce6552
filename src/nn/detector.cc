#include "nn/detector.h"

#include <cmath>

#include "base/error.h"
#include "detection/ssdlite_layout.h"
#include "nn/conv_bn.h"
#include "space/layer_plan.h"

namespace mnas {
namespace {

namespace nn = torch::nn;

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
  return ssdlite_layout(backbone).sizes();
}

DetectorImpl::DetectorImpl(const Architecture& backbone, int categories,
                           const DefaultBoxOptions& boxes)
    : categories_(categories) {
  if (categories < 1) throw Error::about("categories", std::to_string(categories) + " < 1");
  check_default_box_options(boxes);
  const SsdliteLayout layout = ssdlite_layout(backbone);
  backbone_ = register_module("backbone", Network(backbone, /*classifier=*/false));
  maps_ = layout.sizes();
  anchors_ = mnas::default_boxes(maps_, boxes);

  extras_ = register_module("extras", nn::ModuleList());
  for (size_t i = layout.backbone_maps; i < layout.maps.size(); ++i) {
    const int in = layout.maps[i - 1].channels, out = layout.maps[i].channels, mid = out / 2;
    nn::Sequential e;
    e->push_back(conv_bn(in, mid, 1, 1, 1, true));
    e->push_back(conv_bn(mid, mid, 3, 2, mid, true));
    e->push_back(conv_bn(mid, out, 1, 1, 1, true));
    extras_->push_back(e);
  }
  class_heads_ = register_module("class_heads", nn::ModuleList());
  box_heads_ = register_module("box_heads", nn::ModuleList());
  for (size_t i = 0; i < layout.maps.size(); ++i) {
    const int per_cell = boxes_per_cell(boxes, static_cast<int>(i));
    class_heads_->push_back(prediction(layout.maps[i].channels, per_cell * (categories + 1)));
    box_heads_->push_back(prediction(layout.maps[i].channels, per_cell * 4));
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

namespace {

// A plain convolution with bias in XNNPACK's dense layout [out, kh, kw, in].
NamedWeights dense_weights(const nn::Conv2dImpl& conv) {
  torch::NoGradGuard no_grad;
  const torch::Tensor w =
      conv.weight.permute({0, 2, 3, 1}).to(torch::kCPU, torch::kFloat).contiguous();
  const torch::Tensor b = conv.bias.to(torch::kCPU, torch::kFloat).contiguous();
  NamedWeights out;
  for (int64_t d : w.sizes()) out.shape.push_back(static_cast<size_t>(d));
  out.weight.assign(w.data_ptr<float>(), w.data_ptr<float>() + w.numel());
  out.bias.assign(b.data_ptr<float>(), b.data_ptr<float>() + b.numel());
  return out;
}

void export_prediction(const nn::SequentialImpl& s, const std::string& name,
                       std::map<std::string, NamedWeights>& out) {
  out[name + ".depthwise"] = s.ptr<ConvBnImpl>(0)->fold();
  out[name + ".predict"] = dense_weights(*s.ptr<nn::Conv2dImpl>(1));
}

}  // namespace

std::map<std::string, NamedWeights> DetectorImpl::folded_weights() {
  std::map<std::string, NamedWeights> out = backbone_->folded_weights();
  for (size_t i = 0; i < extras_->size(); ++i) {
    const auto e = extras_->ptr<nn::SequentialImpl>(i);
    const std::string name = detector_extra_name(static_cast<int>(i));
    out[name + ".reduce"] = e->ptr<ConvBnImpl>(0)->fold();
    out[name + ".depthwise"] = e->ptr<ConvBnImpl>(1)->fold();
    out[name + ".expand"] = e->ptr<ConvBnImpl>(2)->fold();
  }
  for (size_t i = 0; i < class_heads_->size(); ++i) {
    export_prediction(*class_heads_->ptr<nn::SequentialImpl>(i),
                      detector_head_name("class", static_cast<int>(i)), out);
    export_prediction(*box_heads_->ptr<nn::SequentialImpl>(i),
                      detector_head_name("box", static_cast<int>(i)), out);
  }
  return out;
}

}  // namespace mnas
