#include "latency/xnnpack_subgraph.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "base/error.h"

namespace mnas {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
// The activations' quantization: ±8 in 1/16 steps; a sigmoid's output is what XNNPACK's int8
// sigmoid requires, [0, 1) in 1/256 steps.
constexpr float kActivationScale = 1.0f / 16;
constexpr float kSigmoidScale = 1.0f / 256;
constexpr int32_t kSigmoidZeroPoint = -128;

}  // namespace

void xnn_check(xnn_status status, const std::string& what) {
  if (status != xnn_status_success) {
    throw Error("XNNPACK: " + what + " failed (status " + std::to_string(static_cast<int>(status)) +
                ")");
  }
}

std::pair<uint32_t, uint32_t> ceil_mode_padding(const Graph& graph, const GraphOp& op) {
  const ValueShape& x = graph.values[op.input];
  const ValueShape& y = graph.values[op.output];
  return {static_cast<uint32_t>(y.height * op.stride - x.height),
          static_cast<uint32_t>(y.width * op.stride - x.width)};
}

NodeParams node_params(const Graph& graph, size_t index, const std::vector<uint32_t>& ids,
                       const std::string& label) {
  const GraphOp& op = graph.ops[index];
  MNAS_ASSERT(infer_output_shape(graph, op) == graph.values[op.output]);
  return {label + " " + std::to_string(index) +
              (op.param >= 0 ? " (" + graph.params[op.param].name + ")" : ""),
          op.relu ? 0.0f : -kInf,
          ids[op.input],
          ids[op.output],
          static_cast<uint32_t>(op.padding),
          static_cast<uint32_t>(op.kernel),
          static_cast<uint32_t>(op.stride)};
}

void define_precision_free_op(xnn_subgraph_t sg, const GraphOp& op,
                              const std::vector<uint32_t>& ids, const std::string& what) {
  const uint32_t in = ids[op.input], out = ids[op.output];
  switch (op.kind) {
    case GraphOpKind::kGlobalAveragePool:
      xnn_check(xnn_define_global_average_pooling_2d(sg, -kInf, kInf, in, out, 0), what);
      return;
    case GraphOpKind::kAdd:
      xnn_check(xnn_define_add2(sg, -kInf, kInf, in, ids[op.input2], out, 0), what);
      return;
    case GraphOpKind::kMultiply:
      xnn_check(xnn_define_multiply2(sg, -kInf, kInf, in, ids[op.input2], out, 0), what);
      return;
    case GraphOpKind::kSigmoid:
      xnn_check(xnn_define_sigmoid(sg, in, out, 0), what);
      return;
    default:
      MNAS_ASSERT(false && "an op whose node depends on the precision");
  }
}

std::unique_ptr<Int8Weights> define_int8_subgraph(xnn_subgraph_t sg, const Graph& g,
                                                  const Int8Calibration* calibration,
                                                  bool int8_io) {
  auto w = std::make_unique<Int8Weights>();
  const size_t n = g.params.size();
  w->weights.resize(n);
  w->biases.resize(n);
  w->scales.resize(n);
  w->bias_scales.resize(n);

  // Every value in int8, its scale set by what produces it.
  std::vector<float> scale(g.values.size(), kActivationScale);
  std::vector<int32_t> zero(g.values.size(), 0);
  for (const GraphOp& op : g.ops) {
    if (op.kind == GraphOpKind::kSigmoid) {
      scale[op.output] = kSigmoidScale;
      zero[op.output] = kSigmoidZeroPoint;
    }
  }
  if (calibration != nullptr) {
    MNAS_ASSERT(calibration->values.size() == g.values.size());
    for (size_t v = 0; v < g.values.size(); ++v) {
      scale[v] = calibration->values[v].scale;
      zero[v] = calibration->values[v].zero_point;
    }
  }
  const auto dims_of = [&](int v) {
    const ValueShape& s = g.values[v];
    return std::vector<size_t>{1, size_t(s.height), size_t(s.width), size_t(s.channels)};
  };
  std::vector<uint32_t> q(g.values.size(), XNN_INVALID_VALUE_ID);
  const std::vector<uint32_t> output_ids = external_output_ids(g);
  for (size_t v = 0; v < g.values.size(); ++v) {
    const std::vector<size_t> dims = dims_of(static_cast<int>(v));
    uint32_t external = XNN_INVALID_VALUE_ID, flags = 0;
    if (int8_io && static_cast<int>(v) == g.input) {
      external = 0;
      flags = XNN_VALUE_FLAG_EXTERNAL_INPUT;
    } else if (int8_io && output_ids[v] != XNN_INVALID_VALUE_ID) {
      external = output_ids[v];
      flags = XNN_VALUE_FLAG_EXTERNAL_OUTPUT;
    }
    xnn_check(xnn_define_quantized_tensor_value(sg, xnn_datatype_qint8, zero[v], scale[v], 4,
                                                dims.data(), nullptr, external, flags, &q[v]),
              "define int8 value " + std::to_string(v));
  }
  const auto fp32_value = [&](int v, uint32_t external, uint32_t flags) {
    const std::vector<size_t> dims = dims_of(v);
    uint32_t id = XNN_INVALID_VALUE_ID;
    xnn_check(xnn_define_tensor_value(sg, xnn_datatype_fp32, 4, dims.data(), nullptr, external,
                                      flags, &id),
              "define fp32 value " + std::to_string(v));
    return id;
  };
  // The fp32 input converted once, the outputs converted back.
  if (!int8_io) {
    xnn_check(xnn_define_convert(sg, fp32_value(g.input, 0, XNN_VALUE_FLAG_EXTERNAL_INPUT),
                                 q[g.input], 0),
              "convert the input to int8");
  }

  for (size_t i = 0; i < g.ops.size(); ++i) {
    const GraphOp& op = g.ops[i];
    const auto [what, lo, in, out, pad, k, s] = node_params(g, i, q, "int8 node");
    // A convolution's weights per output channel, its bias at input scale × weight scale.
    uint32_t weight_id = XNN_INVALID_VALUE_ID, bias_id = XNN_INVALID_VALUE_ID;
    if (op.kind == GraphOpKind::kConvolution || op.kind == GraphOpKind::kDepthwise) {
      const GraphParam& p = g.params[op.param];
      const bool depthwise = op.kind == GraphOpKind::kDepthwise;
      const size_t channels = depthwise ? p.shape[3] : p.shape[0];
      w->weights[op.param] = quantize_weights(p, op.kind, false, w->scales[op.param]);
      std::vector<float>& bias_scales = w->bias_scales[op.param];
      std::vector<int32_t>& bias = w->biases[op.param];
      for (size_t c = 0; c < channels; ++c) {
        bias_scales.push_back(scale[op.input] * w->scales[op.param][c]);
        bias.push_back(static_cast<int32_t>(std::lround(p.bias[c] / bias_scales[c])));
      }
      xnn_check(xnn_define_channelwise_quantized_tensor_value(
                    sg, xnn_datatype_qcint8, w->scales[op.param].data(), p.shape.size(),
                    depthwise ? 3 : 0, p.shape.data(), w->weights[op.param].data(),
                    XNN_INVALID_VALUE_ID, 0, &weight_id),
                what + " weights");
      const size_t bias_dims[1] = {channels};
      xnn_check(xnn_define_channelwise_quantized_tensor_value(
                    sg, xnn_datatype_qcint32, bias_scales.data(), 1, 0, bias_dims, bias.data(),
                    XNN_INVALID_VALUE_ID, 0, &bias_id),
                what + " bias");
    }
    switch (op.kind) {
      case GraphOpKind::kConvolution: {
        const GraphParam& p = g.params[op.param];
        xnn_check(xnn_define_convolution_2d(sg, pad, pad, pad, pad, k, k, s, s, 1, 1, 1, p.shape[3],
                                            p.shape[0], lo, kInf, in, weight_id, bias_id, out, 0),
                  what);
        break;
      }
      case GraphOpKind::kDepthwise:
        xnn_check(xnn_define_depthwise_convolution_2d(sg, pad, pad, pad, pad, k, k, s, s, 1, 1, 1,
                                                      g.values[op.input].channels, lo, kInf, in,
                                                      weight_id, bias_id, out, 0),
                  what);
        break;
      case GraphOpKind::kAveragePool: {  // fp32 between two conversions (no int8 kernel)
        const auto [pb, pr] = ceil_mode_padding(g, op);
        const uint32_t a = fp32_value(op.input, XNN_INVALID_VALUE_ID, 0);
        const uint32_t b = fp32_value(op.output, XNN_INVALID_VALUE_ID, 0);
        xnn_check(xnn_define_convert(sg, in, a, 0), what + " to fp32");
        xnn_check(xnn_define_average_pooling_2d(sg, 0, pr, pb, 0, k, k, s, s, -kInf, kInf, a, b, 0),
                  what);
        xnn_check(xnn_define_convert(sg, b, out, 0), what + " to int8");
        break;
      }
      case GraphOpKind::kFullyConnected: {  // per-tensor weights (XNNPACK's int8 kernel)
        const GraphParam& p = g.params[op.param];
        std::vector<float>& ws = w->scales[op.param];
        w->weights[op.param] = quantize_weights(p, op.kind, true, ws);
        const float bias_scale = scale[op.input] * ws[0];
        for (float b : p.bias) {
          w->biases[op.param].push_back(static_cast<int32_t>(std::lround(b / bias_scale)));
        }
        xnn_check(xnn_define_quantized_tensor_value(
                      sg, xnn_datatype_qint8, 0, ws[0], p.shape.size(), p.shape.data(),
                      w->weights[op.param].data(), XNN_INVALID_VALUE_ID, 0, &weight_id),
                  what + " weights");
        const size_t bias_dims[1] = {p.bias.size()};
        xnn_check(xnn_define_quantized_tensor_value(sg, xnn_datatype_qint32, 0, bias_scale, 1,
                                                    bias_dims, w->biases[op.param].data(),
                                                    XNN_INVALID_VALUE_ID, 0, &bias_id),
                  what + " bias");
        xnn_check(xnn_define_fully_connected(sg, lo, kInf, in, weight_id, bias_id, out, 0), what);
        break;
      }
      case GraphOpKind::kGlobalAveragePool:  // the same node in both precisions
      case GraphOpKind::kAdd:
      case GraphOpKind::kMultiply:
      case GraphOpKind::kSigmoid:
        define_precision_free_op(sg, op, q, what);
        break;
    }
  }
  if (!int8_io) {
    for (int v : graph_outputs(g)) {
      xnn_check(xnn_define_convert(
                    sg, q[v], fp32_value(v, output_ids[v], XNN_VALUE_FLAG_EXTERNAL_OUTPUT), 0),
                "convert output value " + std::to_string(v) + " to fp32");
    }
  }
  return w;
}

}  // namespace mnas
