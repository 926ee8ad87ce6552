#ifndef MNAS_GRAPH_GRAPH_BUILDER_H_
#define MNAS_GRAPH_GRAPH_BUILDER_H_

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "graph/graph.h"
#include "space/layer_plan.h"

// What the lowerings (graph.cc: classifiers and their parts; detector_graph.cc: SSDLite) build
// graphs with. Internal to graph/.
namespace mnas::graph_internal {

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

  // The graph with `outputs` (the first is Graph::output, the rest Graph::extra_outputs).
  Graph finish(int output, std::vector<int> extra_outputs = {}) {
    graph_.output = output;
    graph_.extra_outputs = std::move(extra_outputs);
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

// The stem convolution of `arch` on value `x`; returns its output value.
int lower_stem_ops(GraphBuilder& g, const Architecture& arch, int x);
// One layer of the plan on value `x` (shortcut and squeeze-and-excitation included).
int lower_layer_ops(GraphBuilder& g, const LayerPlan& l, int x);
// The head convolution (1×1 to `head_filters`, ReLU), named "head".
int lower_head_ops(GraphBuilder& g, int head_filters, int x);

}  // namespace mnas::graph_internal

#endif  // MNAS_GRAPH_GRAPH_BUILDER_H_
