#include "export/onnx_export.h"

#include <onnx/checker.h>
#include <onnx/onnx_pb.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <tuple>
#include <utility>

#include <nlohmann/json.hpp>

#include "graph/graph.h"
#include "space/architecture_codec.h"
#include "base/error.h"
#include "base/file_io.h"

namespace mnas {
namespace {

// The IR version that goes with an opset (onnx/docs/Versioning.md): the oldest that has it, so that
// older readers accept the file.
int64_t ir_version_for(int opset) {
  if (opset <= 10) return 5;
  if (opset <= 11) return 6;
  if (opset <= 14) return 7;
  return 8;
}

// Float32 little-endian whatever the host, as TensorProto.raw_data requires.
// 4-byte values (float, int32) in ONNX's raw_data order.
template <typename T>
std::string little_endian(const std::vector<T>& values) {
  static_assert(sizeof(T) == 4, "4-byte values");
  std::string bytes(values.size() * 4, '\0');
  for (size_t i = 0; i < values.size(); ++i) {
    uint32_t bits;
    std::memcpy(&bits, &values[i], 4);
    for (int b = 0; b < 4; ++b) bytes[4 * i + b] = static_cast<char>((bits >> (8 * b)) & 0xff);
  }
  return bytes;
}

class OnnxBuilder {
 public:
  explicit OnnxBuilder(onnx::GraphProto* graph) : graph_(graph) {}

  void initializer(const std::string& name, const std::vector<int64_t>& dims,
                   const std::vector<float>& values) {
    raw_initializer(name, dims, onnx::TensorProto::FLOAT, little_endian(values));
  }
  void initializer(const std::string& name, const std::vector<int64_t>& dims,
                   const std::vector<int8_t>& values) {
    raw_initializer(name, dims, onnx::TensorProto::INT8,
                    std::string(reinterpret_cast<const char*>(values.data()), values.size()));
  }
  void initializer(const std::string& name, const std::vector<int64_t>& dims,
                   const std::vector<int32_t>& values) {
    raw_initializer(name, dims, onnx::TensorProto::INT32, little_endian(values));
  }
  void raw_initializer(const std::string& name, const std::vector<int64_t>& dims, int type,
                       const std::string& bytes) {
    onnx::TensorProto* t = graph_->add_initializer();
    t->set_name(name);
    t->set_data_type(type);
    for (int64_t d : dims) t->add_dims(d);
    t->set_raw_data(bytes);
  }

  onnx::NodeProto* node(const std::string& op, const std::string& name,
                        const std::vector<std::string>& inputs, const std::string& output) {
    onnx::NodeProto* n = graph_->add_node();
    n->set_op_type(op);
    n->set_name(name);
    for (const std::string& in : inputs) n->add_input(in);
    n->add_output(output);
    return n;
  }

  static void ints(onnx::NodeProto* n, const char* name, const std::vector<int64_t>& values) {
    onnx::AttributeProto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t v : values) a->add_ints(v);
  }
  static void int_attribute(onnx::NodeProto* n, const char* name, int64_t value) {
    onnx::AttributeProto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(value);
  }

  // A float tensor [batch, dims...]; batch 0 is the symbolic "batch".
  static void tensor_type(onnx::ValueInfoProto* v, const std::string& name, int batch,
                          const std::vector<int64_t>& dims) {
    v->set_name(name);
    onnx::TypeProto::Tensor* t = v->mutable_type()->mutable_tensor_type();
    t->set_elem_type(onnx::TensorProto::FLOAT);
    onnx::TensorShapeProto* shape = t->mutable_shape();
    if (batch > 0) {
      shape->add_dim()->set_dim_value(batch);
    } else {
      shape->add_dim()->set_dim_param("batch");
    }
    for (int64_t d : dims) shape->add_dim()->set_dim_value(d);
  }

 private:
  onnx::GraphProto* graph_;
};

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

// The graph's operators as ONNX nodes, from the (normalised) input `first` to "logits"; with
// `int8`, every value fake-quantized as the int8 network holds it (QDQ).
void add_nodes(OnnxBuilder& b, const Graph& graph, const std::string& first,
               const Int8Calibration* int8) {
  std::vector<std::string> names(graph.values.size());
  names[graph.input] = int8 ? fake_quantize(b, first, int8->values[graph.input]) : first;
  const auto name_of = [&](int id) { return names[id]; };
  int index = 0;
  for (const GraphOp& op : graph.ops) {
    const std::string in = name_of(op.input);
    std::string out = op.output == graph.output ? "logits_nchw" : value_name(op.output);
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
  onnx::NodeProto* flatten = b.node("Flatten", "logits", {names[graph.output]}, "logits");
  OnnxBuilder::int_attribute(flatten, "axis", 1);
}

}  // namespace

std::string export_onnx(const Architecture& arch, const WeightsFile* weights,
                        const OnnxExportOptions& options) {
  if (options.opset < kMinOpset || options.opset > kMaxOpset) {
    throw Error("opset: " + std::to_string(options.opset) + "; must be in [" +
                std::to_string(kMinOpset) + ", " + std::to_string(kMaxOpset) + "]");
  }
  if (options.batch < 0 || options.batch > 65536) {
    throw Error("batch: " + std::to_string(options.batch) +
                "; must be in [1, 65536], or 0 for a symbolic batch");
  }
  validate(arch);
  const std::string canonical = to_canonical_string(arch);
  Graph graph = lower_architecture(arch, options.seed);
  if (options.int8) {
    if (!weights) {
      throw Error("precision: int8 quantizes trained weights with their calibration; a bare "
                  "architecture has random weights and nothing to calibrate on");
    }
    if (options.opset < 13) {
      throw Error("opset: " + std::to_string(options.opset) +
                  "; an int8 (QDQ) export needs 13 or newer (per-channel DequantizeLinear)");
    }
    if (options.int8->values.size() != graph.values.size()) {
      throw Error("precision: the int8 calibration is of another network (" +
                  std::to_string(options.int8->values.size()) + " values, this one has " +
                  std::to_string(graph.values.size()) + ")");
    }
  }
  if (weights) {
    validate_model_notes(weights->labels, weights->preprocess, "weights: ");
    if (!weights->labels.empty() && static_cast<int>(weights->labels.size()) != arch.classes) {
      throw Error("weights: " + std::to_string(weights->labels.size()) +
                  " class names for a network of " + std::to_string(arch.classes) + " classes");
    }
    if (weights->arch != canonical) {
      throw Error("weights: trained for another architecture (" + weights->arch + ")");
    }
    check_normalisation(*weights, arch.input.channels);
    apply_weights(graph, weights->tensors);
  }

  onnx::ModelProto model;
  model.set_ir_version(ir_version_for(options.opset));
  onnx::OperatorSetIdProto* opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(options.opset);
  model.set_producer_name("mnas");
  model.set_producer_version(MNAS_VERSION);
  model.set_doc_string(
      "mnas architecture " + canonical +
      ". Input 'input': float32 [batch, C, H, W] (NCHW), pixels in [0, 1] (the normalisation is "
      "inside). Output 'logits': float32 [batch, classes], before softmax.");
  const auto note = [&model](const std::string& key, const std::string& value) {
    onnx::StringStringEntryProto* m = model.add_metadata_props();
    m->set_key(key);
    m->set_value(value);
  };
  note("mnas.architecture", canonical);
  note("mnas.weights", weights ? "trained" : "random (seed " + std::to_string(options.seed) + ")");
  if (options.int8) {
    note("mnas.precision",
         "int8 QDQ: activations per tensor (" + to_string(options.int8->method) + " ranges of " +
             std::to_string(options.int8->images) +
             " training images), weights per output channel (classifier per tensor), int32 "
             "biases");
  }
  // How to feed it, for whoever deploys the file without mnas at hand.
  note("mnas.input", "float32 [batch, " + std::to_string(arch.input.channels) + ", " +
                         std::to_string(arch.input.height) + ", " +
                         std::to_string(arch.input.width) + "] NCHW, pixels / 255 in [0, 1]");
  note("mnas.channel_order", arch.input.channels == 1 ? "grey" : "RGB");
  if (weights) {
    note("mnas.normalization", "inside the model: (x - mean) / std per channel, mean " +
                                   nlohmann::json(weights->mean).dump() + ", std " +
                                   nlohmann::json(weights->std).dump());
    if (!weights->labels.empty()) note("mnas.labels", nlohmann::json(weights->labels).dump());
    if (!weights->preprocess.empty()) note("mnas.preprocess", weights->preprocess);
  }

  onnx::GraphProto* g = model.mutable_graph();
  g->set_name("mnas");
  OnnxBuilder b(g);
  const int c = arch.input.channels;
  OnnxBuilder::tensor_type(g->add_input(), "input", options.batch, {c, arch.input.height, arch.input.width});
  OnnxBuilder::tensor_type(g->add_output(), "logits", options.batch,
                          {arch.classes});
  std::string first = "input";
  if (weights && !weights->mean.empty()) {
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
    onnx::NodeProto* n = b.node("Conv", "normalise",
                                {"input", "normalise.weight", "normalise.bias"}, "input_normalised");
    OnnxBuilder::ints(n, "kernel_shape", {1, 1});
    OnnxBuilder::int_attribute(n, "group", c);
    first = "input_normalised";
  }
  add_nodes(b, graph, first, options.int8);

  try {
    onnx::checker::check_model(model);
  } catch (const std::exception& e) {
    // Ours to fix, but say it plainly rather than write a file no runtime loads.
    throw Error(std::string("ONNX model checker refused the export: ") + e.what(), Error::Kind::kIo);
  }
  std::string bytes;
  if (!model.SerializeToString(&bytes)) throw Error("ONNX: the model could not be serialised");
  return bytes;
}

void write_onnx_file(const std::string& path, const Architecture& arch, const WeightsFile* weights,
                     const OnnxExportOptions& options) {
  write_file_atomically(path, export_onnx(arch, weights, options), "ONNX model");
}

namespace {

std::vector<std::string> shape_of(const onnx::ValueInfoProto& v) {
  std::vector<std::string> out;
  if (!v.type().has_tensor_type()) return out;
  for (const onnx::TensorShapeProto_Dimension& d : v.type().tensor_type().shape().dim()) {
    out.push_back(d.has_dim_value() ? std::to_string(d.dim_value()) : d.dim_param());
  }
  return out;
}

}  // namespace

OnnxDescription describe_onnx_file(const std::string& path) {
  const std::string bytes = read_whole_file(path, "ONNX model", size_t{1} << 31);
  onnx::ModelProto model;
  if (!model.ParseFromString(bytes) || !model.has_graph()) {
    throw Error("ONNX model '" + path + "': not an ONNX model (it does not parse as one)");
  }
  OnnxDescription d;
  d.producer = model.producer_name() +
               (model.producer_version().empty() ? "" : " " + model.producer_version());
  d.ir_version = model.ir_version();
  for (const onnx::OperatorSetIdProto& o : model.opset_import()) {
    if (o.domain().empty() || o.domain() == "ai.onnx") d.opset = o.version();
  }
  const onnx::GraphProto& g = model.graph();
  if (g.input_size() > 0) {
    d.input_name = g.input(0).name();
    d.input_shape = shape_of(g.input(0));
  }
  if (g.output_size() > 0) {
    d.output_name = g.output(0).name();
    d.output_shape = shape_of(g.output(0));
  }
  for (const onnx::StringStringEntryProto& m : model.metadata_props()) {
    d.metadata.emplace_back(m.key(), m.value());
  }
  return d;
}

}  // namespace mnas
