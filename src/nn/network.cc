#include "nn/network.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "base/error.h"
#include "detection/ssdlite_layout.h"
#include "nn/conv_bn.h"
#include "space/layer_plan.h"

namespace mnas {
namespace {

namespace nn = torch::nn;

class SqueezeExciteImpl : public nn::Module {
 public:
  SqueezeExciteImpl(int channels, int reduced)
      : reduce_(register_module("reduce", nn::Conv2d(nn::Conv2dOptions(channels, reduced, 1)))),
        expand_(register_module("expand", nn::Conv2d(nn::Conv2dOptions(reduced, channels, 1)))) {}
  torch::Tensor forward(const torch::Tensor& x) {
    const torch::Tensor s = x.mean({2, 3}, /*keepdim=*/true);
    return x * torch::sigmoid(expand_->forward(torch::relu(reduce_->forward(s))));
  }

  // The two 1×1 convolutions as fully connected layers: [out, in] and bias.
  void export_to(const std::string& name, std::map<std::string, NamedWeights>& out) {
    out[name + ".se_reduce"] = dense(reduce_);
    out[name + ".se_expand"] = dense(expand_);
  }

 private:
  static NamedWeights dense(nn::Conv2d& conv) {
    torch::NoGradGuard no_grad;
    const torch::Tensor w = conv->weight.reshape({conv->weight.size(0), conv->weight.size(1)})
                                .to(torch::kCPU, torch::kFloat)
                                .contiguous();
    NamedWeights n;
    n.shape = {static_cast<size_t>(w.size(0)), static_cast<size_t>(w.size(1))};
    n.weight.assign(w.data_ptr<float>(), w.data_ptr<float>() + w.numel());
    const torch::Tensor b = conv->bias.to(torch::kCPU, torch::kFloat).contiguous();
    n.bias.assign(b.data_ptr<float>(), b.data_ptr<float>() + b.numel());
    return n;
  }

 private:
  nn::Conv2d reduce_;
  nn::Conv2d expand_;
};
TORCH_MODULE(SqueezeExcite);

class LayerImpl : public nn::Module {
 public:
  explicit LayerImpl(const LayerPlan& l) : plan_(l), shortcut_(l.shortcut) {
    const int in = l.in.channels, out = l.out.channels;
    nn::Sequential body;
    switch (l.op) {
      case ConvOp::kConv:
        body->push_back(conv_bn(in, out, l.kernel, l.stride, 1, true));
        if (l.se_filters > 0) body->push_back(SqueezeExcite(out, l.se_filters));
        break;
      case ConvOp::kDconv:
        body->push_back(conv_bn(in, in, l.kernel, l.stride, in, true));
        if (l.se_filters > 0) body->push_back(SqueezeExcite(in, l.se_filters));
        body->push_back(conv_bn(in, out, 1, 1, 1, false));
        break;
      case ConvOp::kMbconv:
        body->push_back(conv_bn(in, l.expanded, 1, 1, 1, true));
        body->push_back(conv_bn(l.expanded, l.expanded, l.kernel, l.stride, l.expanded, true));
        if (l.se_filters > 0) body->push_back(SqueezeExcite(l.expanded, l.se_filters));
        body->push_back(conv_bn(l.expanded, out, 1, 1, 1, false));
        break;
    }
    body_ = register_module("body", body);
    if (l.shortcut == SkipOp::kPool) {
      nn::Sequential s;
      if (l.shortcut_pools) {
        s->push_back(nn::AvgPool2d(
            nn::AvgPool2dOptions(l.stride).stride(l.stride).ceil_mode(true).count_include_pad(
                false)));
      }
      if (l.shortcut_projects) s->push_back(conv_bn(in, out, 1, 1, 1, false));
      pool_ = register_module("shortcut", s);
    }
  }

  torch::Tensor forward(const torch::Tensor& x) {
    torch::Tensor y = body_->forward(x);
    if (shortcut_ == SkipOp::kIdentity) return y + x;
    if (shortcut_ == SkipOp::kPool) return y + pool_->forward(x);
    return y;
  }

  // Names follow latency/graph.h: conv | depthwise, se_*, project | expand, depthwise, se_*,
  // project; shortcut.
  void export_to(std::map<std::string, NamedWeights>& out) {
    const std::string name =
        "b" + std::to_string(plan_.block + 1) + ".l" + std::to_string(plan_.index + 1);
    std::vector<const char*> convs;
    switch (plan_.op) {
      case ConvOp::kConv:
        convs = {"conv"};
        break;
      case ConvOp::kDconv:
        convs = {"depthwise", "project"};
        break;
      case ConvOp::kMbconv:
        convs = {"expand", "depthwise", "project"};
        break;
    }
    size_t next = 0;
    for (const auto& m : *body_) {
      if (auto* c = m.ptr()->as<ConvBnImpl>()) {
        out[name + "." + convs[next++]] = c->fold();
      } else if (auto* se = m.ptr()->as<SqueezeExciteImpl>()) {
        se->export_to(name, out);
      }
    }
    MNAS_ASSERT(next == convs.size());
    if (pool_) {
      for (const auto& m : *pool_) {
        if (auto* c = m.ptr()->as<ConvBnImpl>()) out[name + ".shortcut"] = c->fold();
      }
    }
  }

 private:
  LayerPlan plan_;
  SkipOp shortcut_;
  nn::Sequential body_{nullptr};
  nn::Sequential pool_{nullptr};
};
TORCH_MODULE(Layer);


}  // namespace

std::vector<TensorShape> NetworkImpl::feature_shapes_of(const Architecture& arch) {
  const SsdliteLayout layout = ssdlite_layout(arch);
  return {layout.maps.begin(), layout.maps.begin() + layout.backbone_maps};
}

NetworkImpl::NetworkImpl(const Architecture& arch, bool classifier) : arch_(arch) {
  const NetworkPlan plan = plan_network(arch);  // validates
  taps_ = ssdlite_taps(plan);
  if (!taps_.empty()) feature_shapes_ = feature_shapes_of(arch);
  stem_ = register_module(
      "stem", conv_bn(arch.input.channels, arch.stem_filters, 3, arch.stem_stride, 1, true).ptr());
  layers_ = register_module("layers", nn::ModuleList());
  for (const LayerPlan& l : plan.layers) layers_->push_back(Layer(l));
  head_ = register_module(
      "head", conv_bn(plan.layers.back().out.channels, arch.head_filters, 1, 1, 1, true).ptr());
  if (classifier) {
    dropout_ = register_module("dropout", nn::Dropout(arch.dropout));
    classifier_ = register_module("classifier", nn::Linear(arch.head_filters, arch.classes));
  }
  initialize_weights(*this, arch.classes);
}

std::vector<TensorShape> NetworkImpl::feature_shapes() const {
  if (taps_.empty()) return feature_shapes_of(arch_);  // throws the reason
  return feature_shapes_;
}

std::vector<torch::Tensor> NetworkImpl::features(torch::Tensor x) {
  feature_shapes();  // throws when there is no second map
  std::vector<torch::Tensor> maps;
  x = stem_->forward(x);
  size_t next = 0;
  for (size_t i = 0; i < layers_->size(); ++i) {
    x = layers_[i]->as<LayerImpl>()->forward(x);
    if (next < taps_.size() && static_cast<int>(i) == taps_[next]) maps.push_back(x), ++next;
  }
  maps.push_back(head_->forward(x));
  return maps;
}

torch::Tensor NetworkImpl::forward(torch::Tensor x) {
  MNAS_ASSERT(!classifier_.is_empty());
  x = stem_->forward(x);
  for (const auto& layer : *layers_) x = layer->as<LayerImpl>()->forward(x);
  x = head_->forward(x);
  x = x.mean({2, 3});
  return classifier_->forward(dropout_->forward(x));
}

void to_channels_last(torch::nn::Module& module) {
  torch::NoGradGuard no_grad;
  for (torch::Tensor& p : module.parameters()) {
    if (p.dim() == 4) p.set_data(p.contiguous(torch::MemoryFormat::ChannelsLast));
  }
  for (torch::Tensor& b : module.buffers()) {
    if (b.dim() == 4) b.set_data(b.contiguous(torch::MemoryFormat::ChannelsLast));
  }
}

std::map<std::string, NamedWeights> NetworkImpl::folded_weights() {
  std::map<std::string, NamedWeights> out;
  out["stem"] = stem_->fold();
  for (const auto& layer : *layers_) layer->as<LayerImpl>()->export_to(out);
  out["head"] = head_->fold();
  if (classifier_.is_empty()) return out;
  torch::NoGradGuard no_grad;
  const torch::Tensor w = classifier_->weight.to(torch::kCPU, torch::kFloat).contiguous(),
                      b = classifier_->bias.to(torch::kCPU, torch::kFloat).contiguous();
  NamedWeights c;
  c.shape = {static_cast<size_t>(w.size(0)), static_cast<size_t>(w.size(1))};
  c.weight.assign(w.data_ptr<float>(), w.data_ptr<float>() + w.numel());
  c.bias.assign(b.data_ptr<float>(), b.data_ptr<float>() + b.numel());
  out["classifier"] = c;
  return out;
}

int64_t count_parameters(torch::nn::Module& module) {
  int64_t n = 0;
  for (const torch::Tensor& p : module.parameters()) n += p.numel();
  return n;
}

}  // namespace mnas
