#include "export/onnx_export.h"

#include "export/onnx_builder.h"

#include <onnx/checker.h>
#include <onnx/onnx_pb.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <tuple>
#include <utility>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/file_io.h"
#include "graph/graph.h"
#include "space/architecture_codec.h"

namespace mnas {

using onnx_internal::OnnxBuilder;

void check_export_options(const OnnxExportOptions& options) {
  if (options.opset < kMinOpset || options.opset > kMaxOpset) {
    throw Error::about("opset", std::to_string(options.opset) + "; must be in [" +
                                    std::to_string(kMinOpset) + ", " + std::to_string(kMaxOpset) +
                                    "]");
  }
  if (options.batch < 0 || options.batch > 65536) {
    throw Error::about("batch", std::to_string(options.batch) +
                                    "; must be in [1, 65536], or 0 for any batch (symbolic)");
  }
}

std::string export_onnx(const Architecture& arch, const WeightsFile* weights,
                        const OnnxExportOptions& options) {
  check_export_options(options);
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
    onnx_internal::check_weights(*weights, canonical, arch.classes, arch.input.channels, false);
    apply_weights(graph, weights->tensors);
  }

  onnx::ModelProto model;
  onnx_internal::start_model(model, options.opset);
  model.set_doc_string(
      "mnas architecture " + canonical +
      ". Input 'input': float32 [batch, C, H, W] (NCHW), pixels in [0, 1] (the normalisation is "
      "inside). Output 'logits': float32 [batch, classes], before softmax.");
  const auto note = [&model](const std::string& key, const std::string& value) {
    onnx_internal::add_note(model, key, value);
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
  onnx_internal::add_feeding_notes(model, arch.input, weights);

  onnx::GraphProto* g = model.mutable_graph();
  g->set_name("mnas");
  OnnxBuilder b(g);
  const std::string first = onnx_internal::add_input(b, arch.input, options.batch, weights);
  b.output("logits", options.batch, {arch.classes});
  const std::vector<std::string> names = onnx_internal::add_graph_nodes(
      b, graph, first, options.int8, {{graph.output, "logits_nchw"}});
  onnx::NodeProto* flatten = b.node("Flatten", "logits", {names[graph.output]}, "logits");
  OnnxBuilder::int_attribute(flatten, "axis", 1);
  return onnx_internal::finish_model(model);
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
  for (const onnx::ValueInfoProto& out : g.output())
    d.outputs.emplace_back(out.name(), shape_of(out));
  for (const onnx::StringStringEntryProto& m : model.metadata_props()) {
    d.metadata.emplace_back(m.key(), m.value());
  }
  return d;
}

}  // namespace mnas
