#include <cmath>
#include <limits>
#include <mutex>

#include "base/error.h"
#include "latency/xnnpack_subgraph.h"

namespace mnas {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

}  // namespace

void xnnpack_initialize() {
  static std::once_flag once;
  static xnn_status status = xnn_status_success;
  std::call_once(once, [] { status = xnn_initialize(nullptr); });
  xnn_check(status, "xnn_initialize (this CPU may lack the instructions XNNPACK needs)");
}

std::vector<uint32_t> external_output_ids(const Graph& graph) {
  std::vector<uint32_t> ids(graph.values.size(), XNN_INVALID_VALUE_ID);
  const std::vector<int> outputs = graph_outputs(graph);
  for (size_t k = 0; k < outputs.size(); ++k) {
    MNAS_ASSERT(outputs[k] != graph.input && ids[outputs[k]] == XNN_INVALID_VALUE_ID);
    ids[outputs[k]] = static_cast<uint32_t>(1 + k);
  }
  return ids;
}

void define_fp32_subgraph(xnn_subgraph_t sg, const Graph& graph, bool every_value_external) {
  // Value ids: graph value v → XNNPACK id.
  std::vector<uint32_t> ids(graph.values.size(), XNN_INVALID_VALUE_ID);
  const std::vector<uint32_t> output_ids = external_output_ids(graph);
  for (size_t v = 0; v < graph.values.size(); ++v) {
    const ValueShape& s = graph.values[v];
    const size_t dims[4] = {1, size_t(s.height), size_t(s.width), size_t(s.channels)};
    uint32_t external = XNN_INVALID_VALUE_ID, flags = 0;
    if (static_cast<int>(v) == graph.input) {
      external = every_value_external ? static_cast<uint32_t>(v) : 0;
      flags = XNN_VALUE_FLAG_EXTERNAL_INPUT;
    } else if (output_ids[v] != XNN_INVALID_VALUE_ID || every_value_external) {
      external = every_value_external ? static_cast<uint32_t>(v) : output_ids[v];
      flags = XNN_VALUE_FLAG_EXTERNAL_OUTPUT;
    }
    xnn_check(
        xnn_define_tensor_value(sg, xnn_datatype_fp32, 4, dims, nullptr, external, flags, &ids[v]),
        "define value " + std::to_string(v));
  }
  // Static weights: XNNPACK keeps the pointers, graph owns the data for our lifetime.
  std::vector<uint32_t> weight_ids(graph.params.size()), bias_ids(graph.params.size());
  for (size_t p = 0; p < graph.params.size(); ++p) {
    const GraphParam& param = graph.params[p];
    xnn_check(xnn_define_tensor_value(sg, xnn_datatype_fp32, param.shape.size(), param.shape.data(),
                                      param.weight.data(), XNN_INVALID_VALUE_ID, 0, &weight_ids[p]),
              param.name + " weights");
    const size_t bias_dims[1] = {param.bias.size()};
    xnn_check(xnn_define_tensor_value(sg, xnn_datatype_fp32, 1, bias_dims, param.bias.data(),
                                      XNN_INVALID_VALUE_ID, 0, &bias_ids[p]),
              param.name + " bias");
  }

  for (size_t i = 0; i < graph.ops.size(); ++i) {
    const GraphOp& op = graph.ops[i];
    const auto [what, lo, in, out, pad, k, s] = node_params(graph, i, ids, "node");
    switch (op.kind) {
      case GraphOpKind::kConvolution: {
        const GraphParam& p = graph.params[op.param];
        xnn_check(xnn_define_convolution_2d(sg, pad, pad, pad, pad, k, k, s, s, 1, 1, 1, p.shape[3],
                                            p.shape[0], lo, kInf, in, weight_ids[op.param],
                                            bias_ids[op.param], out, 0),
                  what);
        break;
      }
      case GraphOpKind::kDepthwise:
        xnn_check(xnn_define_depthwise_convolution_2d(
                      sg, pad, pad, pad, pad, k, k, s, s, 1, 1, 1, graph.values[op.input].channels,
                      lo, kInf, in, weight_ids[op.param], bias_ids[op.param], out, 0),
                  what);
        break;
      case GraphOpKind::kAveragePool: {
        // Ceil mode: pad bottom/right so a last, partial window exists; XNNPACK averages only the
        // valid pixels of a padded window, as the reference and PyTorch's ceil mode do.
        const auto [pb, pr] = ceil_mode_padding(graph, op);
        xnn_check(
            xnn_define_average_pooling_2d(sg, 0, pr, pb, 0, k, k, s, s, -kInf, kInf, in, out, 0),
            what);
        break;
      }
      case GraphOpKind::kFullyConnected:
        xnn_check(xnn_define_fully_connected(sg, lo, kInf, in, weight_ids[op.param],
                                             bias_ids[op.param], out, 0),
                  what);
        break;
      case GraphOpKind::kGlobalAveragePool:  // the same node in both precisions
      case GraphOpKind::kAdd:
      case GraphOpKind::kMultiply:
      case GraphOpKind::kSigmoid:
        define_precision_free_op(sg, op, ids, what);
        break;
    }
  }
}

}  // namespace mnas
