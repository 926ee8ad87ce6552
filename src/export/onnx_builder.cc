#include "export/onnx_builder.h"

#include <onnx/checker.h>

#include <cmath>
#include <tuple>
#include <utility>

#include <nlohmann/json.hpp>

#include "base/error.h"

namespace mnas::onnx_internal {
namespace {

// The IR version that goes with an opset (onnx/docs/Versioning.md): the oldest that has it, so that
// older readers accept the file.
int64_t ir_version_for(int opset) {
  if (opset <= 10) return 5;
  if (opset <= 11) return 6;
  if (opset <= 14) return 7;
  return 8;
}


// XNNPACK's weight layouts (graph.h) in ONNX's [out, in/group, kh, kw].
template <typename T>
std::vector<T> dense_to_oihw(const GraphParam& p, const std::vector<T>& weight) {
  const size_t out = p.shape[0], kh = p.shape[1], kw = p.shape[2], in = p.shape[3];
  std::vector<T> w(weight.size());
  for (size_t o = 0; o < out; ++o)
    for (size_t y = 0; y < kh; ++y)
      for (size_t x = 0; x < kw; ++x)
        for (size_t i = 0; i < in; ++i)
          w[((o * in + i) * kh + y) * kw + x] = weight[((o * kh + y) * kw + x) * in + i];
  return w;
}

template <typename T>
std::vector<T> depthwise_to_c1hw(const GraphParam& p, const std::vector<T>& weight) {
  const size_t kh = p.shape[1], kw = p.shape[2], channels = p.shape[3];
  std::vector<T> w(weight.size());
  for (size_t y = 0; y < kh; ++y)
    for (size_t x = 0; x < kw; ++x)
      for (size_t c = 0; c < channels; ++c)
        w[(c * kh + y) * kw + x] = weight[(y * kw + x) * channels + c];
  return w;
}

std::string value_name(int id) { return "v" + std::to_string(id); }

// QuantizeLinear then DequantizeLinear of `value` at `q`: what the int8 network holds there, as
// floats again. Returns the dequantized value's name.
std::string fake_quantize(OnnxBuilder& b, const std::string& value, const QuantParams& q) {
  b.initializer(value + ".scale", {}, std::vector<float>{q.scale});
  b.initializer(value + ".zero_point", {}, std::vector<int8_t>{static_cast<int8_t>(q.zero_point)});
  b.node("QuantizeLinear", value + ".quantize",
         {value, value + ".scale", value + ".zero_point"}, value + "_q");
  b.node("DequantizeLinear", value + ".dequantize",
         {value + "_q", value + ".scale", value + ".zero_point"}, value + "_dq");
  return value + "_dq";
}

// A layer's weights [out, ...] (ONNX layout) and bias as int8 / int32 initializers dequantized
// per output channel (per tensor: one scale); returns the float weight's and bias's names.
std::pair<std::string, std::string> quantized_parameters(OnnxBuilder& b, const GraphParam& p,
                                                         GraphOpKind kind,
                                                         const std::vector<int64_t>& dims,
                                                         float input_scale) {
  const bool per_tensor = kind == GraphOpKind::kFullyConnected;
  std::vector<float> scales;
  const std::vector<int8_t> q = quantize_weights(p, kind, per_tensor, scales);
  const std::vector<int8_t> weight = kind == GraphOpKind::kConvolution ? dense_to_oihw(p, q)
                                     : kind == GraphOpKind::kDepthwise ? depthwise_to_c1hw(p, q)
                                                                         : q;
  std::vector<float> bias_scales;
  std::vector<int32_t> bias;
  for (size_t c = 0; c < p.bias.size(); ++c) {
    bias_scales.push_back(input_scale * scales[per_tensor ? 0 : c]);
    bias.push_back(static_cast<int32_t>(std::lround(p.bias[c] / bias_scales.back())));
  }
  const std::vector<int64_t> scale_dims =
      per_tensor ? std::vector<int64_t>{} : std::vector<int64_t>{int64_t(scales.size())};
  b.initializer(p.name + ".weight_q", dims, weight);
  b.initializer(p.name + ".weight_scale", scale_dims, scales);
  b.initializer(p.name + ".weight_zero_point", scale_dims,
                std::vector<int8_t>(scales.size(), 0));
  onnx::NodeProto* w =
      b.node("DequantizeLinear", p.name + ".weight.dequantize",
             {p.name + ".weight_q", p.name + ".weight_scale", p.name + ".weight_zero_point"},
             p.name + ".weight");
  b.initializer(p.name + ".bias_q", {dims[0]}, bias);
  if (per_tensor) {
    b.initializer(p.name + ".bias_scale", {}, std::vector<float>{bias_scales[0]});
  } else {
    b.initializer(p.name + ".bias_scale", {dims[0]}, bias_scales);
  }
  onnx::NodeProto* bn = b.node("DequantizeLinear", p.name + ".bias.dequantize",
                               {p.name + ".bias_q", p.name + ".bias_scale"}, p.name + ".bias");
  if (!per_tensor) {
    OnnxBuilder::int_attribute(w, "axis", 0);
    OnnxBuilder::int_attribute(bn, "axis", 0);
  }
  return {p.name + ".weight", p.name + ".bias"};
}

}  // namespace

std::vector<std::string> add_graph_nodes(OnnxBuilder& b, const Graph& graph,
                                         const std::string& first, const Int8Calibration* int8,
                                         const std::map<int, std::string>& renamed) {
  std::vector<std::string> names(graph.values.size());
  names[graph.input] = int8 ? fake_quantize(b, first, int8->values[graph.input]) : first;
  const auto name_of = [&](int id) { return names[id]; };
  int index = 0;
  for (const GraphOp& op : graph.ops) {
    const std::string in = name_of(op.input);
    const auto rename = renamed.find(op.output);
    const std::string out = rename != renamed.end() ? rename->second : value_name(op.output);
    const std::string pre_relu = op.relu ? out + "_conv" : out;
    const std::string node_name = op.param >= 0 ? graph.params[op.param].name
                                                : "op" + std::to_string(index);
    ++index;
    switch (op.kind) {
      case GraphOpKind::kConvolution:
      case GraphOpKind::kDepthwise:
      case GraphOpKind::kFullyConnected: {
        const GraphParam& p = graph.params[op.param];
        std::vector<int64_t> dims;
        int64_t group = 1;
        if (op.kind == GraphOpKind::kConvolution) {
          dims = {int64_t(p.shape[0]), int64_t(p.shape[3]), int64_t(p.shape[1]),
                  int64_t(p.shape[2])};
        } else if (op.kind == GraphOpKind::kDepthwise) {
          dims = {int64_t(p.shape[3]), 1, int64_t(p.shape[1]), int64_t(p.shape[2])};
          group = int64_t(p.shape[3]);
        } else {  // fully connected on [batch, in, 1, 1]: a 1x1 convolution
          dims = {int64_t(p.shape[0]), int64_t(p.shape[1]), 1, 1};
        }
        std::string weight = p.name + ".weight", bias = p.name + ".bias";
        if (int8) {
          std::tie(weight, bias) =
              quantized_parameters(b, p, op.kind, dims, int8->values[op.input].scale);
        } else {
          b.initializer(weight, dims,
                        op.kind == GraphOpKind::kConvolution  ? dense_to_oihw(p, p.weight)
                        : op.kind == GraphOpKind::kDepthwise ? depthwise_to_c1hw(p, p.weight)
                                                              : p.weight);
          b.initializer(bias, {dims[0]}, p.bias);
        }
        onnx::NodeProto* n = b.node("Conv", node_name, {in, weight, bias}, pre_relu);
        const int64_t k = op.kind == GraphOpKind::kFullyConnected ? 1 : op.kernel;
        const int64_t pad = op.kind == GraphOpKind::kFullyConnected ? 0 : op.padding;
        const int64_t stride = op.kind == GraphOpKind::kFullyConnected ? 1 : op.stride;
        OnnxBuilder::ints(n, "kernel_shape", {k, k});
        OnnxBuilder::ints(n, "strides", {stride, stride});
        OnnxBuilder::ints(n, "pads", {pad, pad, pad, pad});
        OnnxBuilder::ints(n, "dilations", {1, 1});
        OnnxBuilder::int_attribute(n, "group", group);
        break;
      }
      case GraphOpKind::kAveragePool: {
        // A window per output pixel that may run over the edge (ceil mode): the mean of the
        // pixels inside, as the XNNPACK lowering and LibTorch compute it.
        onnx::NodeProto* n = b.node("AveragePool", node_name, {in}, pre_relu);
        OnnxBuilder::ints(n, "kernel_shape", {op.stride, op.stride});
        OnnxBuilder::ints(n, "strides", {op.stride, op.stride});
        OnnxBuilder::int_attribute(n, "ceil_mode", 1);
        OnnxBuilder::int_attribute(n, "count_include_pad", 0);
        break;
      }
      case GraphOpKind::kGlobalAveragePool:
        b.node("GlobalAveragePool", node_name, {in}, pre_relu);
        break;
      case GraphOpKind::kAdd:
        b.node("Add", node_name, {in, name_of(op.input2)}, pre_relu);
        break;
      case GraphOpKind::kMultiply:  // x [batch, C, H, W] × gate [batch, C, 1, 1]
        b.node("Mul", node_name, {in, name_of(op.input2)}, pre_relu);
        break;
      case GraphOpKind::kSigmoid:
        b.node("Sigmoid", node_name, {in}, pre_relu);
        break;
    }
    // ReLU is the int8 convolution's clamp: the quantization follows it.
    if (op.relu) b.node("Relu", node_name + ".relu", {pre_relu}, out);
    names[op.output] = int8 ? fake_quantize(b, out, int8->values[op.output]) : out;
  }
  return names;
}


void check_normalisation(const WeightsFile& w, int channels) {
  if (w.mean.empty() && w.std.empty()) return;
  if (w.mean.size() != static_cast<size_t>(channels) ||
      w.std.size() != static_cast<size_t>(channels)) {
    throw Error("weights: mean and std must have one value per input channel (" +
                std::to_string(channels) + ")");
  }
  for (int c = 0; c < channels; ++c) {
    if (!std::isfinite(w.mean[c]) || !std::isfinite(w.std[c]) || !(w.std[c] > 0)) {
      throw Error("weights: std[" + std::to_string(c) + "] must be > 0 and mean finite");
    }
  }
}

void start_model(onnx::ModelProto& model, int opset) {
  model.set_ir_version(ir_version_for(opset));
  onnx::OperatorSetIdProto* o = model.add_opset_import();
  o->set_domain("");
  o->set_version(opset);
  model.set_producer_name("mnas");
  model.set_producer_version(MNAS_VERSION);
}

void add_note(onnx::ModelProto& model, const std::string& key, const std::string& value) {
  onnx::StringStringEntryProto* m = model.add_metadata_props();
  m->set_key(key);
  m->set_value(value);
}

void check_weights(const WeightsFile& weights, const std::string& canonical, int classes,
                   int channels, bool detector) {
  validate_model_notes(weights.labels, weights.preprocess, "weights: ");
  if (!weights.labels.empty() && static_cast<int>(weights.labels.size()) != classes) {
    throw Error(
        "weights: " + std::to_string(weights.labels.size()) +
        (detector ? " category names for a detector of " : " class names for a network of ") +
        std::to_string(classes) + (detector ? " categories" : " classes"));
  }
  if (weights.arch != canonical) {
    throw Error("weights: trained for another architecture (" + weights.arch + ")");
  }
  check_normalisation(weights, channels);
}

void add_feeding_notes(onnx::ModelProto& model, const InputShape& input,
                       const WeightsFile* weights) {
  add_note(model, "mnas.input",
           "float32 [batch, " + std::to_string(input.channels) + ", " +
               std::to_string(input.height) + ", " + std::to_string(input.width) +
               "] NCHW, pixels / 255 in [0, 1]");
  add_note(model, "mnas.channel_order", input.channels == 1 ? "grey" : "RGB");
  if (!weights) return;
  add_note(model, "mnas.normalization",
           "inside the model: (x - mean) / std per channel, mean " +
               nlohmann::json(weights->mean).dump() + ", std " +
               nlohmann::json(weights->std).dump());
  if (!weights->labels.empty())
    add_note(model, "mnas.labels", nlohmann::json(weights->labels).dump());
  if (!weights->preprocess.empty()) add_note(model, "mnas.preprocess", weights->preprocess);
}

std::string add_input(OnnxBuilder& b, const InputShape& input, int batch,
                      const WeightsFile* weights) {
  const int c = input.channels;
  b.input("input", batch, {c, input.height, input.width});
  if (!weights || weights->mean.empty()) return "input";
  check_normalisation(*weights, c);
  // (x - mean) / std as a per-channel 1x1 convolution: x · (1/std) + (-mean/std). Sub and Div
  // on a [1, C, 1, 1] constant would say it more plainly, but OpenCV 4.6 fails on them with a
  // batch of more than one image.
  std::vector<float> scale(c), shift(c);
  for (int i = 0; i < c; ++i) {
    scale[i] = 1.0f / weights->std[i];
    shift[i] = -weights->mean[i] / weights->std[i];
  }
  b.initializer("normalise.weight", {c, 1, 1, 1}, scale);
  b.initializer("normalise.bias", {c}, shift);
  onnx::NodeProto* n = b.node("Conv", "normalise", {"input", "normalise.weight", "normalise.bias"},
                              "input_normalised");
  OnnxBuilder::ints(n, "kernel_shape", {1, 1});
  OnnxBuilder::int_attribute(n, "group", c);
  return "input_normalised";
}

std::string finish_model(const onnx::ModelProto& model) {
  try {
    onnx::checker::check_model(model);
  } catch (const std::exception& e) {
    // Ours to fix, but say it plainly rather than write a file no runtime loads.
    throw Error(std::string("ONNX model checker refused the export: ") + e.what(),
                Error::Kind::kIo);
  }
  std::string bytes;
  if (!model.SerializeToString(&bytes)) throw Error("ONNX: the model could not be serialised");
  return bytes;
}

}  // namespace mnas::onnx_internal
