#include "latency/operator_profile.h"

#include <cstdint>

#include "base/enum_names.h"
#include "base/error.h"
#include "latency/xnnpack_network.h"

namespace mnas {

namespace {

constexpr EnumName<GraphOpKind> kOpKindNames[] = {
    {GraphOpKind::kConvolution, "conv"},
    {GraphOpKind::kDepthwise, "depthwise"},
    {GraphOpKind::kAveragePool, "avg_pool"},
    {GraphOpKind::kGlobalAveragePool, "global_pool"},
    {GraphOpKind::kFullyConnected, "fully_connected"},
    {GraphOpKind::kAdd, "add"},
    {GraphOpKind::kMultiply, "multiply"},
    {GraphOpKind::kSigmoid, "sigmoid"}};

}  // namespace

std::string to_string(GraphOpKind kind) { return enum_name(kind, kOpKindNames); }

int64_t operator_macs(const Graph& graph, const GraphOp& op) {
  const ValueShape& in = graph.values.at(op.input);
  const ValueShape& out = graph.values.at(op.output);
  switch (op.kind) {
    case GraphOpKind::kConvolution:
      return out.elements() * op.kernel * op.kernel * in.channels;
    case GraphOpKind::kDepthwise:
      return out.elements() * op.kernel * op.kernel;
    case GraphOpKind::kFullyConnected:
      return int64_t{in.channels} * out.channels;
    default:
      return 0;
  }
}

OperatorTiming describe_operator(const Graph& graph, int index) {
  const GraphOp& op = graph.ops.at(index);
  OperatorTiming t;
  t.op = index;
  t.kind = to_string(op.kind);
  t.name = op.param >= 0 ? graph.params[op.param].name : t.kind;
  t.in = graph.values[op.input];
  t.out = graph.values[op.output];
  t.kernel = op.kernel;
  t.stride = op.stride;
  t.macs = operator_macs(graph, op);
  return t;
}

Graph single_operator_graph(const Graph& graph, int index) {
  if (index < 0 || index >= static_cast<int>(graph.ops.size())) {
    throw Error("operator " + std::to_string(index) + ": the graph has " +
                std::to_string(graph.ops.size()) + " operators");
  }
  const GraphOp& op = graph.ops[index];
  Graph g;
  GraphOp alone = op;
  g.values.push_back(graph.values.at(op.input));
  alone.input = 0;
  if (op.input2 >= 0) {
    g.values.push_back(graph.values.at(op.input2));
    alone.input2 = 1;
  }
  g.values.push_back(graph.values.at(op.output));
  alone.output = static_cast<int>(g.values.size()) - 1;
  if (op.param >= 0) {
    g.params.push_back(graph.params.at(op.param));
    alone.param = 0;
  }
  g.ops.push_back(alone);
  g.input = 0;
  g.output = alone.output;
  return g;
}

std::vector<OperatorTiming> profile_operators(const Graph& graph, int threads,
                                              const MeasureOptions& options,
                                              const std::function<void(int, int)>& progress,
                                              Precision precision) {
  validate(options);
  std::vector<OperatorTiming> timings;
  const int total = static_cast<int>(graph.ops.size());
  for (int i = 0; i < total; ++i) {
    OperatorTiming t = describe_operator(graph, i);
    XnnpackNetwork net(single_operator_graph(graph, i), threads, precision,
                       /*int8_io=*/precision == Precision::kInt8);
    t.median_ms = measure([&net] { net.run(); }, options).stats.median_ms;
    timings.push_back(t);
    if (progress) progress(i + 1, total);
  }
  return timings;
}

}  // namespace mnas
