#include "graph/graph.h"

#include <cmath>
#include <cstdint>
#include <random>

#include "base/error.h"
#include "space/layer_plan.h"

namespace mnas {
std::string to_string(const ValueShape& shape) {
  return std::to_string(shape.height) + "x" + std::to_string(shape.width) + "x" +
         std::to_string(shape.channels);
}

namespace {

// Builds a Graph op by op, checking every shape as it goes.
class GraphBuilder {
 public:
  GraphBuilder(const ValueShape& input, uint64_t seed) : rng_(seed) {
    graph_.values.push_back(input);
    graph_.input = 0;
  }

  int conv(const std::string& name, int input, int out_channels, int kernel, int stride,
           bool relu) {
    const ValueShape& in = graph_.values[input];
    return add_param_op(GraphOpKind::kConvolution, name, input, kernel, stride, relu,
                        {size_t(out_channels), size_t(kernel), size_t(kernel), size_t(in.channels)},
                        out_channels, kernel * kernel * in.channels);
  }

  int depthwise(const std::string& name, int input, int kernel, int stride, bool relu) {
    const int c = graph_.values[input].channels;
    return add_param_op(GraphOpKind::kDepthwise, name, input, kernel, stride, relu,
                        {1, size_t(kernel), size_t(kernel), size_t(c)}, c, kernel * kernel);
  }

  int fully_connected(const std::string& name, int input, int out, bool relu) {
    const int in = graph_.values[input].channels;
    return add_param_op(GraphOpKind::kFullyConnected, name, input, 1, 1, relu,
                        {size_t(out), size_t(in)}, out, in);
  }

  int unary(GraphOpKind kind, int input, int stride = 1) {
    GraphOp op;
    op.kind = kind;
    op.input = input;
    op.kernel = op.stride = stride;
    return add(op);
  }

  int binary(GraphOpKind kind, int a, int b) {
    GraphOp op;
    op.kind = kind;
    op.input = a;
    op.input2 = b;
    return add(op);
  }

  Graph finish(int output) {
    graph_.output = output;
    return std::move(graph_);
  }

  const ValueShape& shape(int value) const { return graph_.values[value]; }

 private:
  int add_param_op(GraphOpKind kind, const std::string& name, int input, int kernel, int stride,
                   bool relu, std::vector<size_t> shape, int bias_size, int fan_in) {
    GraphParam p;
    p.name = name;
    size_t count = 1;
    for (size_t d : shape) count *= d;
    p.shape = std::move(shape);
    p.weight.resize(count);
    p.bias.resize(bias_size);
    // He-scaled uniform keeps activations of deep random networks finite without BatchNorm.
    const double scale = std::sqrt(3.0 / fan_in);
    std::uniform_real_distribution<float> w(-static_cast<float>(scale), static_cast<float>(scale));
    std::uniform_real_distribution<float> b(-0.1f, 0.1f);
    for (float& v : p.weight) v = w(rng_);
    for (float& v : p.bias) v = b(rng_);
    graph_.params.push_back(std::move(p));

    GraphOp op;
    op.kind = kind;
    op.input = input;
    op.kernel = kernel;
    op.stride = stride;
    op.padding = kernel / 2;
    op.relu = relu;
    op.param = static_cast<int>(graph_.params.size()) - 1;
    return add(op);
  }

  int add(GraphOp op) {
    graph_.values.push_back(infer_output_shape(graph_, op));
    op.output = static_cast<int>(graph_.values.size()) - 1;
    graph_.ops.push_back(op);
    return op.output;
  }

  Graph graph_;
  std::mt19937 rng_;
};

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

int lower_layer_ops(GraphBuilder& g, const LayerPlan& l, int x) {
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

namespace {

int lower_stem_ops(GraphBuilder& g, const Architecture& arch, int x) {
  return g.conv("stem", x, arch.stem_filters, 3, arch.stem_stride, /*relu=*/true);
}

int lower_tail_ops(GraphBuilder& g, int head_filters, int classes, int x) {
  x = g.conv("head", x, head_filters, 1, 1, /*relu=*/true);
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
