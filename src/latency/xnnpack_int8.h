#ifndef MNAS_LATENCY_XNNPACK_INT8_H_
#define MNAS_LATENCY_XNNPACK_INT8_H_

// Internal to latency/ (xnnpack_network.cc): a Graph defined in an XNNPACK subgraph at int8.

#include <xnnpack.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "graph/graph.h"

namespace mnas {

// Throws mnas::Error naming `what` unless XNNPACK succeeded.
void xnn_check(xnn_status status, const std::string& what);

// An average pooling's padding at the bottom and right (ceil mode: a last, partial window),
// for XNNPACK, which averages only a padded window's valid pixels.
std::pair<uint32_t, uint32_t> ceil_mode_padding(const Graph& graph, const GraphOp& op);

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
// kernel here: it runs in fp32 between two conversions. The activations' scales are fixed
// guesses (timing does not depend on them): the weights are the graph's, quantized.
// `int8_io`: the input and output are themselves int8 external values, with no conversions —
// what one operator costs inside an int8 network (operator profiles).
std::unique_ptr<Int8Weights> define_int8_subgraph(xnn_subgraph_t subgraph, const Graph& graph,
                                                  bool int8_io = false);

}  // namespace mnas

#endif  // MNAS_LATENCY_XNNPACK_INT8_H_
