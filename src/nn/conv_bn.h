#ifndef MNAS_NN_CONV_BN_H_
#define MNAS_NN_CONV_BN_H_

#include <torch/torch.h>

#include <cmath>

#include "space/weights_file.h"

// The building blocks the classifier (network.h) and the detector (detector.h) share.
namespace mnas {

// Convolution without bias → BatchNorm → optional ReLU.
class ConvBnImpl : public torch::nn::Module {
 public:
  ConvBnImpl(int in, int out, int kernel, int stride, int groups, bool relu)
      : conv_(register_module("conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, kernel)
                                                            .stride(stride)
                                                            .padding(kernel / 2)
                                                            .groups(groups)
                                                            .bias(false)))),
        bn_(register_module(
            "bn",
            torch::nn::BatchNorm2d(torch::nn::BatchNorm2dOptions(out).momentum(0.01).eps(1e-3)))),
        relu_(relu) {}
  torch::Tensor forward(const torch::Tensor& x) {
    torch::Tensor y = bn_->forward(conv_->forward(x));
    return relu_ ? torch::relu_(y) : y;
  }

  // w' = w·γ/√(var+ε), b' = β − mean·γ/√(var+ε), in XNNPACK layout.
  NamedWeights fold() {
    torch::NoGradGuard no_grad;
    const torch::Tensor scale = bn_->weight / torch::sqrt(bn_->running_var + bn_->options.eps());
    const torch::Tensor bias = bn_->bias - bn_->running_mean * scale;
    torch::Tensor w = conv_->weight * scale.view({-1, 1, 1, 1});  // [out, in/g, kh, kw]
    const bool depthwise = conv_->options.groups() > 1;
    // Dense → [out, kh, kw, in]; depthwise [C, 1, kh, kw] → [1, kh, kw, C].
    w = depthwise ? w.permute({1, 2, 3, 0}) : w.permute({0, 2, 3, 1});
    w = w.to(torch::kCPU, torch::kFloat).contiguous();
    NamedWeights out;
    for (int64_t d : w.sizes()) out.shape.push_back(static_cast<size_t>(d));
    out.weight.assign(w.data_ptr<float>(), w.data_ptr<float>() + w.numel());
    const torch::Tensor b = bias.to(torch::kCPU, torch::kFloat).contiguous();
    out.bias.assign(b.data_ptr<float>(), b.data_ptr<float>() + b.numel());
    return out;
  }

 private:
  torch::nn::Conv2d conv_;
  torch::nn::BatchNorm2d bn_;
  bool relu_;
};
TORCH_MODULE(ConvBn);

inline ConvBn conv_bn(int in, int out, int kernel, int stride, int groups, bool relu) {
  return ConvBn(in, out, kernel, stride, groups, relu);
}

// Initialisation as the reference models: convolutions normal(0, √(2 / fan_out)) with fan_out =
// k·k·out/groups, fully connected layers uniform ±1/√classes, biases 0, BN γ = 1, β = 0.
inline void initialize_weights(torch::nn::Module& module, int classes) {
  torch::NoGradGuard no_grad;
  for (auto& m : module.modules(/*include_self=*/false)) {
    if (auto* conv = m->as<torch::nn::Conv2d>()) {
      const auto& o = conv->options;
      const double fan_out = double(o.kernel_size()->at(0)) * o.kernel_size()->at(1) *
                             double(o.out_channels()) / double(o.groups());
      conv->weight.normal_(0.0, std::sqrt(2.0 / fan_out));
      if (conv->bias.defined()) conv->bias.zero_();
    } else if (auto* linear = m->as<torch::nn::Linear>()) {
      const double range = 1.0 / std::sqrt(double(classes));
      linear->weight.uniform_(-range, range);
      linear->bias.zero_();
    } else if (auto* bn = m->as<torch::nn::BatchNorm2d>()) {
      bn->weight.fill_(1.0);
      bn->bias.zero_();
    }
  }
}

}  // namespace mnas

#endif  // MNAS_NN_CONV_BN_H_
