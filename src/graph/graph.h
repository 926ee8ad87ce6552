#ifndef MNAS_GRAPH_GRAPH_H_
#define MNAS_GRAPH_GRAPH_H_

#include <cstdint>
#include <string>
#include <vector>

#include "space/architecture.h"
#include "space/layer_plan.h"
#include "space/weights_file.h"

#include <map>

namespace mnas {

// An inference graph lowered from an Architecture: batch 1, NHWC, float32, BatchNorm folded into
// the convolutions (every convolution has a bias). XnnpackNetwork runs it; ReferenceExecutor
// computes it with plain loops for tests. Torch-free (design.md: latency/ never includes LibTorch).

// Dimensions of one value: [1, height, width, channels].
using ValueShape = TensorShape;

// "HxWxC", e.g. "14x14x80".
std::string to_string(const ValueShape& shape);

enum class GraphOpKind {
  kConvolution,        // dense k×k, weight [out, k, k, in], bias [out]
  kDepthwise,          // k×k per channel, weight [1, k, k, C], bias [C]
  kAveragePool,        // window = stride, ceil mode: averages the valid pixels of each window
  kGlobalAveragePool,  // → [1, 1, 1, C]
  kFullyConnected,     // on [1, 1, 1, in]: weight [out, in], bias [out] → [1, 1, 1, out]
  kAdd,                // input + input2, same shapes
  kMultiply,           // input × input2, input2 [1, 1, 1, C] broadcast over H and W
  kSigmoid,
};

// Weights and bias of one convolution or fully connected layer, BN already folded in.
struct GraphParam {
  std::string name;           // "stem", "b2.l1.expand", "b2.l1.se_reduce", "head", "classifier"...
  std::vector<size_t> shape;  // weight shape in XNNPACK layout (see GraphOpKind)
  std::vector<float> weight;
  std::vector<float> bias;
};

struct GraphOp {
  GraphOpKind kind = GraphOpKind::kConvolution;
  int input = -1;   // value ids
  int input2 = -1;  // kAdd, kMultiply
  int output = -1;
  int kernel = 1;
  int stride = 1;
  int padding = 0;  // zero padding on every side (k/2: "same" for odd kernels)
  bool relu = false;
  int param = -1;  // index into Graph::params for convolutions and fully connected
};

struct Graph {
  std::vector<ValueShape> values;  // value 0 is the input
  std::vector<GraphOp> ops;        // in execution order
  std::vector<GraphParam> params;
  int input = 0;
  int output = 0;  // [1, 1, 1, classes] logits; a detector's first output
  // A detector's further outputs (graph/detector_graph.h); empty for a classifier and its parts.
  std::vector<int> extra_outputs;
};

// Every output of `graph` in order: output, then extra_outputs.
std::vector<int> graph_outputs(const Graph& graph);

// Lowers `arch` with every rule of layer_plan.h; every value's shape is computed here and checked
// (XNNPACK does not check output shapes). Weights are random (seeded, He-scaled uniform; biases
// small), which is all a latency measurement needs; replace GraphParam values by name to run
// trained weights. Throws mnas::Error for an invalid architecture.
Graph lower_architecture(const Architecture& arch, uint64_t seed = 1);

// Lowers a single layer of `arch` (index into plan_network(arch).layers) as its own graph, input
// and output included: the unit the lookup-table predictor measures.
Graph lower_layer(const Architecture& arch, int layer_index, uint64_t seed = 1);

// The stem alone (input → stem output) and the tail alone (last block's output → head conv →
// global pool → classifier → logits): with lower_layer, the parts the lookup table measures.
Graph lower_stem(const Architecture& arch, uint64_t seed = 1);
Graph lower_tail(const TensorShape& in, int head_filters, int classes, uint64_t seed = 1);

// The same for a layer resolved elsewhere (see plan_layer in space/layer_plan.h).
Graph lower_layer_plan(const LayerPlan& layer, uint64_t seed = 1);

// Replaces every parameter of `graph` by the tensor of the same name (BN folded, XNNPACK layout;
// see space/weights_file.h). Throws mnas::Error for a missing tensor or a shape mismatch, naming
// it. Tensors the graph does not use are ignored (a single-layer graph uses few of them).
void apply_weights(Graph& graph, const std::map<std::string, NamedWeights>& tensors);

// The shape `op` produces from its inputs; throws mnas::Error if they do not fit together.
ValueShape infer_output_shape(const Graph& graph, const GraphOp& op);

}  // namespace mnas

#endif  // MNAS_GRAPH_GRAPH_H_
