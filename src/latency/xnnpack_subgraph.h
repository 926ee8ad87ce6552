#ifndef MNAS_LATENCY_XNNPACK_SUBGRAPH_H_
#define MNAS_LATENCY_XNNPACK_SUBGRAPH_H_

// Internal to latency/: a Graph defined in an XNNPACK subgraph, in fp32 (xnnpack_fp32.cc) or in
// int8 (xnnpack_int8.cc).

#include <pthreadpool.h>
#include <xnnpack.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "graph/graph.h"
#include "graph/quantization.h"

namespace mnas {

// Throws mnas::Error naming `what` unless XNNPACK succeeded.
void xnn_check(xnn_status status, const std::string& what);

// xnn_initialize, once per process; throws mnas::Error when this CPU cannot run XNNPACK.
void xnnpack_initialize();

// Owning handles.
struct SubgraphDeleter {
  void operator()(xnn_subgraph_t s) const { xnn_delete_subgraph(s); }
};
struct RuntimeDeleter {
  void operator()(xnn_runtime_t r) const { xnn_delete_runtime(r); }
};
struct PoolDeleter {
  void operator()(pthreadpool_t p) const { pthreadpool_destroy(p); }
};
using XnnSubgraph = std::unique_ptr<xnn_subgraph, SubgraphDeleter>;
using XnnRuntime = std::unique_ptr<xnn_runtime, RuntimeDeleter>;
using PoolHandle = std::unique_ptr<pthreadpool, PoolDeleter>;

// An average pooling's padding at the bottom and right (ceil mode: a last, partial window),
// for XNNPACK, which averages only a padded window's valid pixels.
std::pair<uint32_t, uint32_t> ceil_mode_padding(const Graph& graph, const GraphOp& op);

// What every node definition starts from: graph op `index`'s name in errors ("node 3 (conv_3)";
// `label` "node" or "int8 node"), its ReLU clamp's lower bound, its input and output ids in the
// subgraph (`ids`), padding, kernel and stride. Asserts the op's output shape first: XNNPACK
// accepts a wrong one and overruns memory.
struct NodeParams {
  std::string what;
  float lo;
  uint32_t in, out, pad, k, s;
};
NodeParams node_params(const Graph& graph, size_t index, const std::vector<uint32_t>& ids,
                       const std::string& label);

// Defines `op` where its XNNPACK node is the same in fp32 and int8 (the values' types tell them
// apart): global average pooling, add, multiply and sigmoid; `ids` maps the graph's values to the
// subgraph's. Asserts for any other op.
void define_precision_free_op(xnn_subgraph_t subgraph, const GraphOp& op,
                              const std::vector<uint32_t>& ids, const std::string& what);

// The quantized weights and their scales, which XNNPACK points to: they live as long as the
// runtime made from the subgraph.
struct Int8Weights {
  std::vector<std::vector<int8_t>> weights;
  std::vector<std::vector<int32_t>> biases;
  std::vector<std::vector<float>> scales, bias_scales;
};

// Defines `graph` in `subgraph` as an int8 network: per-channel symmetric int8 weights for the
// convolutions (per-tensor for the classifier), int32 biases, per-tensor int8 activations, ReLU
// as each convolution's clamp, squeeze-and-excitation in int8; the fp32 input (external value
// 0) converted once, the logits converted back (external value 1). Average pooling has no int8
// kernel here: it runs in fp32 between two conversions. The weights are the graph's, quantized;
// the activations' quantization is `calibration`'s (graph/quantization.h), or without one fixed
// guesses (timing does not depend on them).
// `int8_io`: the input and output are themselves int8 external values, with no conversions —
// what one operator costs inside an int8 network (operator profiles).
std::unique_ptr<Int8Weights> define_int8_subgraph(xnn_subgraph_t subgraph, const Graph& graph,
                                                  const Int8Calibration* calibration = nullptr,
                                                  bool int8_io = false);

// The external id of every value of `graph`: 1 + k for its k-th output (graph_outputs), else
// XNN_INVALID_VALUE_ID; the input is external id 0.
std::vector<uint32_t> external_output_ids(const Graph& graph);

// Defines `graph` in `subgraph` in fp32. External values: the input 0 and the outputs from 1
// (external_output_ids); with `every_value_external`, every value v is external value v (the
// input an input, all others outputs), which a calibration reads (the subgraph needs
// graph.values.size() external ids).
void define_fp32_subgraph(xnn_subgraph_t subgraph, const Graph& graph,
                          bool every_value_external = false);

}  // namespace mnas

#endif  // MNAS_LATENCY_XNNPACK_SUBGRAPH_H_
