#ifndef MNAS_NN_NETWORK_H_
#define MNAS_NN_NETWORK_H_

#include <torch/torch.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "space/architecture.h"
#include "space/layer_plan.h"
#include "space/weights_file.h"

namespace mnas {

// An Architecture built as a LibTorch module, layer for layer what space/layer_plan.h resolves
// (and what latency/graph.h runs on XNNPACK):
//   stem      3×3 conv (stride 1 or 2) → BN → ReLU
//   conv      k×k conv → BN → ReLU → [SE on its output]
//   dconv     depthwise k×k → BN → ReLU → [SE] → 1×1 → BN
//   mbconv    1×1 expand → BN → ReLU → depthwise k×k → BN → ReLU → [SE] → 1×1 project → BN
//   SE        mean over H, W → 1×1 conv (bias) → ReLU → 1×1 conv (bias) → sigmoid → multiply
//   shortcut  identity added where the layer keeps its shape; pool: average pooling with the
//             layer's stride (ceil mode, averaging valid pixels only) and/or 1×1 conv → BN, added
//   head      1×1 conv → BN → ReLU → global average pool → dropout → fully connected
// Convolutions pad k/2 on every side and have no bias (BatchNorm follows). BatchNorm: momentum
// 0.01 (TensorFlow's 0.99), epsilon 1e-3. Initialisation as the reference models: convolutions
// normal(0, sqrt(2 / fan_out)) with fan_out = k·k·out/groups, the classifier uniform
// ±1/sqrt(classes), biases 0, BN γ = 1, β = 0.
//
// Input NCHW (or channels-last) float [N, C, H, W] with C = arch.input.channels; output logits
// [N, classes].
class ConvBnImpl;
class NetworkImpl : public torch::nn::Module {
 public:
  // Without `classifier` the network ends at its head convolution: a detector's backbone
  // (features() only; forward() needs the classifier).
  explicit NetworkImpl(const Architecture& arch, bool classifier = true);
  torch::Tensor forward(torch::Tensor x);

  // A detector's feature maps: the outputs of the last layers of the two resolutions above the
  // final one (stride 8 and 16 in MnasNet's skeleton; one when there is only one) and the head
  // convolution's (stride 32). SSDLite takes stride 16 and 32 at 300-320 pixels; the stride-8
  // map is what lets small inputs' default boxes fit their objects (docs/detection.md). Throws
  // mnas::Error when every layer runs at the final resolution.
  std::vector<torch::Tensor> features(torch::Tensor x);
  std::vector<TensorShape> feature_shapes() const;
  // The same without building the network.
  static std::vector<TensorShape> feature_shapes_of(const Architecture& arch);
  const Architecture& architecture() const { return arch_; }

  // The weights as an inference engine needs them: BatchNorm folded into each convolution (from
  // the running statistics, i.e. eval mode), in XNNPACK layout, named as latency/graph.h names its
  // parameters (see space/weights_file.h).
  std::map<std::string, NamedWeights> folded_weights();

 private:
  Architecture arch_;
  std::shared_ptr<ConvBnImpl> stem_;
  torch::nn::ModuleList layers_{nullptr};
  std::shared_ptr<ConvBnImpl> head_;
  torch::nn::Dropout dropout_{nullptr};
  torch::nn::Linear classifier_{nullptr};
  std::vector<int> taps_;  // the layers whose outputs are feature maps (features())
  std::vector<TensorShape> feature_shapes_;
};
TORCH_MODULE(Network);

// Stores every 4-D parameter and buffer of `module` channels-last (NHWC in memory), which
// LibTorch's C++ Module cannot do by itself; with channels-last inputs, convolutions then use
// oneDNN's NHWC kernels (about 2× the NCHW training throughput here, shared/facts.md).
void to_channels_last(torch::nn::Module& module);

// Number of trainable parameters of `module` (BN γ and β included; running statistics are buffers).
int64_t count_parameters(torch::nn::Module& module);

}  // namespace mnas

#endif  // MNAS_NN_NETWORK_H_
