#include "graph/graph.h"

#include <cmath>
#include <cstdint>
#include <random>

#include "base/error.h"
#include "graph/graph_builder.h"
#include "space/layer_plan.h"

namespace mnas {
using graph_internal::GraphBuilder;

std::string to_string(const ValueShape& shape) {
  return std::to_string(shape.height) + "x" + std::to_string(shape.width) + "x" +
         std::to_string(shape.channels);
}

std::vector<int> graph_outputs(const Graph& graph) {
  std::vector<int> outputs{graph.output};
  outputs.insert(outputs.end(), graph.extra_outputs.begin(), graph.extra_outputs.end());
  return outputs;
}

namespace {

std::string layer_name(const LayerPlan& l) {
  return "b" + std::to_string(l.block + 1) + ".l" + std::to_string(l.index + 1);
}

// Squeeze-and-excitation on `x`: gate = sigmoid(fc(relu(fc(mean(x))))), x × gate.
int squeeze_excite(GraphBuilder& g, const std::string& name, int x, int reduced) {
  const int channels = g.shape(x).channels;
  const int pooled = g.unary(GraphOpKind::kGlobalAveragePool, x);
  const int squeezed = g.fully_connected(name + ".se_reduce", pooled, reduced, /*relu=*/true);
  const int expanded = g.fully_connected(name + ".se_expand", squeezed, channels, /*relu=*/false);
  const int gate = g.unary(GraphOpKind::kSigmoid, expanded);
  return g.binary(GraphOpKind::kMultiply, x, gate);
}

}  // namespace

int graph_internal::lower_layer_ops(GraphBuilder& g, const LayerPlan& l, int x) {
  const std::string name = layer_name(l);
  int y = x;
  switch (l.op) {
    case ConvOp::kConv:
      y = g.conv(name + ".conv", y, l.out.channels, l.kernel, l.stride, /*relu=*/true);
      if (l.se_filters > 0) y = squeeze_excite(g, name, y, l.se_filters);
      break;
    case ConvOp::kDconv:
      y = g.depthwise(name + ".depthwise", y, l.kernel, l.stride, /*relu=*/true);
      if (l.se_filters > 0) y = squeeze_excite(g, name, y, l.se_filters);
      y = g.conv(name + ".project", y, l.out.channels, 1, 1, /*relu=*/false);
      break;
    case ConvOp::kMbconv:
      y = g.conv(name + ".expand", y, l.expanded, 1, 1, /*relu=*/true);
      y = g.depthwise(name + ".depthwise", y, l.kernel, l.stride, /*relu=*/true);
      if (l.se_filters > 0) y = squeeze_excite(g, name, y, l.se_filters);
      y = g.conv(name + ".project", y, l.out.channels, 1, 1, /*relu=*/false);
      break;
  }
  if (l.shortcut == SkipOp::kIdentity) {
    y = g.binary(GraphOpKind::kAdd, y, x);
  } else if (l.shortcut == SkipOp::kPool) {
    int s = x;
    if (l.shortcut_pools) s = g.unary(GraphOpKind::kAveragePool, s, l.stride);
    if (l.shortcut_projects) s = g.conv(name + ".shortcut", s, l.out.channels, 1, 1, false);
    y = g.binary(GraphOpKind::kAdd, y, s);
  }
  MNAS_ASSERT(g.shape(y) == (ValueShape{l.out.height, l.out.width, l.out.channels}));
  return y;
}

namespace {

void check_positive(const ValueShape& s) {
  if (s.height < 1 || s.width < 1 || s.channels < 1) {
    throw Error("architecture: a tensor's shape collapses to " + to_string(s));
  }
}

}  // namespace

ValueShape infer_output_shape(const Graph& graph, const GraphOp& op) {
  const auto value = [&](int id) -> const ValueShape& {
    MNAS_ASSERT(id >= 0 && static_cast<size_t>(id) < graph.values.size());
    return graph.values[id];
  };
  const ValueShape& in = value(op.input);
  ValueShape out = in;
  switch (op.kind) {
    case GraphOpKind::kConvolution:
    case GraphOpKind::kDepthwise: {
      const GraphParam& p = graph.params[op.param];
      out.height = (in.height + 2 * op.padding - op.kernel) / op.stride + 1;
      out.width = (in.width + 2 * op.padding - op.kernel) / op.stride + 1;
      out.channels =
          op.kind == GraphOpKind::kDepthwise ? in.channels : static_cast<int>(p.shape[0]);
      if (op.kind == GraphOpKind::kConvolution && p.shape[3] != static_cast<size_t>(in.channels)) {
        throw Error(p.name + ": weight expects " + std::to_string(p.shape[3]) +
                    " input channels, the input has " + std::to_string(in.channels));
      }
      break;
    }
    case GraphOpKind::kAveragePool:
      out.height = conv_output_size(in.height, op.stride);
      out.width = conv_output_size(in.width, op.stride);
      break;
    case GraphOpKind::kGlobalAveragePool:
      out.height = out.width = 1;
      break;
    case GraphOpKind::kFullyConnected: {
      const GraphParam& p = graph.params[op.param];
      if (in.height != 1 || in.width != 1 || p.shape[1] != static_cast<size_t>(in.channels)) {
        throw Error(p.name + ": fully connected input must be 1x1x" + std::to_string(p.shape[1]));
      }
      out.channels = static_cast<int>(p.shape[0]);
      break;
    }
    case GraphOpKind::kAdd:
      if (!(value(op.input2) == in)) throw Error("graph: add of different shapes");
      break;
    case GraphOpKind::kMultiply: {
      const ValueShape& gate = value(op.input2);
      if (gate.height != 1 || gate.width != 1 || gate.channels != in.channels) {
        throw Error("graph: multiply gate must be 1x1xC");
      }
      break;
    }
    case GraphOpKind::kSigmoid:
      break;
  }
  check_positive(out);
  return out;
}

int graph_internal::lower_stem_ops(GraphBuilder& g, const Architecture& arch, int x) {
  return g.conv("stem", x, arch.stem_filters, 3, arch.stem_stride, /*relu=*/true);
}

int graph_internal::lower_head_ops(GraphBuilder& g, int head_filters, int x) {
  return g.conv("head", x, head_filters, 1, 1, /*relu=*/true);
}

namespace {

using graph_internal::lower_layer_ops;
using graph_internal::lower_stem_ops;

int lower_tail_ops(GraphBuilder& g, int head_filters, int classes, int x) {
  x = graph_internal::lower_head_ops(g, head_filters, x);
  x = g.unary(GraphOpKind::kGlobalAveragePool, x);
  // Dropout is the identity at inference.
  return g.fully_connected("classifier", x, classes, /*relu=*/false);
}

}  // namespace

void apply_weights(Graph& graph, const std::map<std::string, NamedWeights>& tensors) {
  for (GraphParam& p : graph.params) {
    const auto it = tensors.find(p.name);
    if (it == tensors.end()) throw Error("weights: no tensor '" + p.name + "'");
    if (it->second.shape != p.shape || it->second.bias.size() != p.bias.size()) {
      throw Error("weights: tensor '" + p.name + "' has another shape than the architecture needs");
    }
    p.weight = it->second.weight;
    p.bias = it->second.bias;
  }
}

Graph lower_architecture(const Architecture& arch, uint64_t seed) {
  const NetworkPlan plan = plan_network(arch);
  GraphBuilder g({arch.input.height, arch.input.width, arch.input.channels}, seed);
  int x = lower_stem_ops(g, arch, 0);
  for (const LayerPlan& l : plan.layers) x = lower_layer_ops(g, l, x);
  return g.finish(lower_tail_ops(g, arch.head_filters, arch.classes, x));
}

Graph lower_stem(const Architecture& arch, uint64_t seed) {
  validate(arch);
  GraphBuilder g({arch.input.height, arch.input.width, arch.input.channels}, seed);
  return g.finish(lower_stem_ops(g, arch, 0));
}

Graph lower_tail(const TensorShape& in, int head_filters, int classes, uint64_t seed) {
  if (in.height < 1 || in.width < 1 || in.channels < 1 || head_filters < 1 || classes < 1) {
    throw Error("tail: shapes must be positive");
  }
  GraphBuilder g({in.height, in.width, in.channels}, seed);
  return g.finish(lower_tail_ops(g, head_filters, classes, 0));
}

Graph lower_layer(const Architecture& arch, int layer_index, uint64_t seed) {
  const NetworkPlan plan = plan_network(arch);
  if (layer_index < 0 || static_cast<size_t>(layer_index) >= plan.layers.size()) {
    throw Error("layer index " + std::to_string(layer_index) + " out of range");
  }
  return lower_layer_plan(plan.layers[layer_index], seed);
}

Graph lower_layer_plan(const LayerPlan& l, uint64_t seed) {
  GraphBuilder g({l.in.height, l.in.width, l.in.channels}, seed);
  return g.finish(lower_layer_ops(g, l, 0));
}

}  // namespace mnas
