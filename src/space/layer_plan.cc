#include "space/layer_plan.h"

#include <algorithm>
#include <cmath>

namespace mnas {

LayerPlan plan_layer(const BlockSpec& block, int block_index, int layer_index,
                     const TensorShape& in) {
  LayerPlan layer;
  layer.block = block_index;
  layer.index = layer_index;
  layer.op = block.op;
  layer.kernel = block.kernel;
  layer.stride = layer_index == 0 ? block.stride : 1;
  layer.in = in;
  layer.out = {conv_output_size(in.height, layer.stride), conv_output_size(in.width, layer.stride),
               block.filters};
  layer.expanded = block.op == ConvOp::kMbconv ? in.channels * block.expansion : in.channels;
  if (block.se_ratio > 0) {
    layer.se_filters = std::max(1, static_cast<int>(std::floor(in.channels * block.se_ratio)));
    switch (block.op) {
      case ConvOp::kConv:
        layer.se_channels = block.filters;
        break;
      case ConvOp::kDconv:
        layer.se_channels = in.channels;
        break;
      case ConvOp::kMbconv:
        layer.se_channels = layer.expanded;
        break;
    }
  }
  const bool keeps_shape = layer.stride == 1 && in.channels == block.filters;
  switch (block.skip) {
    case SkipOp::kNone:
      layer.shortcut = SkipOp::kNone;
      break;
    case SkipOp::kIdentity:
      layer.shortcut = keeps_shape ? SkipOp::kIdentity : SkipOp::kNone;
      break;
    case SkipOp::kPool:
      if (keeps_shape) {
        layer.shortcut = SkipOp::kIdentity;
      } else {
        layer.shortcut = SkipOp::kPool;
        layer.shortcut_pools = layer.stride > 1;
        layer.shortcut_projects = in.channels != block.filters;
      }
      break;
  }
  return layer;
}

NetworkPlan plan_network(const Architecture& arch) {
  validate(arch);
  NetworkPlan plan;
  plan.input = {arch.input.height, arch.input.width, arch.input.channels};
  plan.stem_out = {conv_output_size(arch.input.height, arch.stem_stride),
                   conv_output_size(arch.input.width, arch.stem_stride), arch.stem_filters};
  TensorShape current = plan.stem_out;
  for (size_t b = 0; b < arch.blocks.size(); ++b) {
    for (int l = 0; l < arch.blocks[b].layers; ++l) {
      plan.layers.push_back(plan_layer(arch.blocks[b], static_cast<int>(b), l, current));
      current = plan.layers.back().out;
    }
  }
  plan.head_out = {current.height, current.width, arch.head_filters};
  return plan;
}

}  // namespace mnas
