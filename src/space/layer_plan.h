#ifndef MNAS_SPACE_LAYER_PLAN_H_
#define MNAS_SPACE_LAYER_PLAN_H_

#include <cstdint>
#include <vector>

#include "space/architecture.h"

namespace mnas {

// Spatial size plus channels of one activation (NHWC without the batch).
struct TensorShape {
  int height = 0;
  int width = 0;
  int channels = 0;
  int64_t elements() const { return int64_t{height} * width * channels; }
  bool operator==(const TensorShape& o) const {
    return height == o.height && width == o.width && channels == o.channels;
  }
};

// One layer of one block, with every rule of the search space resolved: the shapes, the widths
// inside the layer and the shortcut that actually applies. The cost model, the LibTorch builder and
// the XNNPACK builder all read this plan so that they cannot disagree.
//
// Shapes: every convolution pads "same" (k/2 on each side), so a stride-s layer maps H to ⌈H/s⌉.
//
// Shortcut rules (the block's SkipOp, resolved per layer):
//   identity → applies only when stride is 1 and input channels equal output channels; otherwise
//   the
//              layer has no shortcut (so the first layer of a block that changes shape has none).
//   pool     → where the shape is kept it is the identity (a 1×1 average pool changes nothing);
//              otherwise average pooling with window = stride = the layer's stride (ceil mode, so
//              it gives ⌈H/s⌉ like the convolution) when stride is 2, followed by a 1×1 conv + BN
//              when the channels change; the result is added to the layer's output.
//   none     → no shortcut.
struct LayerPlan {
  int block = 0;  // index of the block in Architecture::blocks
  int index = 0;  // index of the layer within its block
  ConvOp op = ConvOp::kMbconv;
  int kernel = 3;
  int stride = 1;
  TensorShape in;       // layer input
  TensorShape out;      // layer output
  int expanded = 0;     // channels after the 1×1 expansion (mbconv), else input channels
  int se_filters = 0;   // SE bottleneck width, max(1, ⌊in.channels × se_ratio⌋); 0 = no SE
  int se_channels = 0;  // channels the SE gate multiplies (conv: out; dconv: in; mbconv: expanded)
  SkipOp shortcut = SkipOp::kNone;  // the shortcut that applies: kIdentity, kPool or kNone
  bool shortcut_pools = false;      // kPool: average pooling with the stride on the shortcut
  bool shortcut_projects = false;   // kPool: 1×1 conv + BN on the shortcut (channels change)
};

// The whole network resolved: stem output, every layer in order, and the head's input.
struct NetworkPlan {
  TensorShape input;
  TensorShape stem_out;
  std::vector<LayerPlan> layers;
  TensorShape head_out;  // after the 1×1 head conv, before global pooling
};

// Resolves `arch` (validated first; throws mnas::Error if invalid).
NetworkPlan plan_network(const Architecture& arch);

// Resolves layer `index` of `block` (BlockSpec of block number `block_index`) given its input.
// plan_network() is this, layer after layer; the latency lookup table uses it to enumerate layers.
LayerPlan plan_layer(const BlockSpec& block, int block_index, int index, const TensorShape& in);

// ⌈size / stride⌉: the output size of a "same"-padded convolution.
inline int conv_output_size(int size, int stride) { return (size + stride - 1) / stride; }

}  // namespace mnas

#endif  // MNAS_SPACE_LAYER_PLAN_H_
