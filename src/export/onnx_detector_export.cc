// ONNX export of SSDLite on a backbone of the space (export_detector_onnx, onnx_export.h): the
// detector's inference graph (graph/detector_graph.h) as ONNX, then its prediction layers
// flattened, softmax over the scores and the default boxes' decoding, so that the file answers
// with boxes and scores as any SSD does.
#include <onnx/onnx_pb.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/file_io.h"
#include "detection/box_coder.h"
#include "detection/default_boxes.h"
#include "detection/ssdlite_layout.h"
#include "export/onnx_builder.h"
#include "export/onnx_export.h"
#include "graph/detector_graph.h"
#include "space/architecture_codec.h"

namespace mnas {

using onnx_internal::OnnxBuilder;

namespace {

// The prediction layers' NCHW outputs [batch, boxes·values, H, W] as [batch, H·W·boxes, values]
// (cell by cell, a cell's boxes in order: default_boxes()'s order), concatenated map after map.
std::string flatten_predictions(OnnxBuilder& b, const std::vector<std::string>& parts,
                                int values, int batch, const std::string& name) {
  b.initializer(name + ".shape", {3}, std::vector<int64_t>{batch, -1, values});
  std::vector<std::string> flat;
  for (size_t i = 0; i < parts.size(); ++i) {
    const std::string part = name + std::to_string(i + 1);
    onnx::NodeProto* t = b.node("Transpose", part + ".nhwc", {parts[i]}, part + "_nhwc");
    OnnxBuilder::ints(t, "perm", {0, 2, 3, 1});
    b.node("Reshape", part + ".flatten", {part + "_nhwc", name + ".shape"}, part + "_flat");
    flat.push_back(part + "_flat");
  }
  onnx::NodeProto* c = b.node("Concat", name, flat, name);
  OnnxBuilder::int_attribute(c, "axis", 1);
  return name;
}

// A [batch, N, 4] Slice of `offsets` along its last axis: [from, from + 2).
std::string pair_of(OnnxBuilder& b, const std::string& offsets, int from, const std::string& name) {
  b.initializer(name + ".starts", {1}, std::vector<int64_t>{from});
  b.initializer(name + ".ends", {1}, std::vector<int64_t>{from + 2});
  b.initializer(name + ".axes", {1}, std::vector<int64_t>{2});
  b.node("Slice", name, {offsets, name + ".starts", name + ".ends", name + ".axes"}, name);
  return name;
}

// SSD's decoding (detection/box_coder.h) of `offsets` [batch, N, 4] against the default boxes,
// as corners: centre = a.centre + d.xy / 10 · a.size, size = a.size · exp(min(d.wh / 5, log
// 62.5)), then (x1, y1, x2, y2) = centre ∓ size / 2 → "boxes".
void decode_boxes(OnnxBuilder& b, const std::string& offsets,
                  const std::vector<CenterBox>& anchors) {
  const int64_t n = static_cast<int64_t>(anchors.size());
  std::vector<float> centres, sizes, scaled;
  for (const CenterBox& a : anchors) {
    centres.insert(centres.end(), {static_cast<float>(a.cx), static_cast<float>(a.cy)});
    sizes.insert(sizes.end(), {static_cast<float>(a.w), static_cast<float>(a.h)});
    scaled.insert(scaled.end(), {static_cast<float>(a.w / kCentreScale),
                                 static_cast<float>(a.h / kCentreScale)});
  }
  b.initializer("default_box.centre", {1, n, 2}, centres);
  b.initializer("default_box.size", {1, n, 2}, sizes);
  b.initializer("default_box.size_over_10", {1, n, 2}, scaled);
  b.initializer("decode.size_scale", {}, std::vector<float>{static_cast<float>(1 / kSizeScale)});
  b.initializer("decode.max_log_size", {}, std::vector<float>{static_cast<float>(kMaxLogSize)});
  b.initializer("decode.half", {}, std::vector<float>{0.5f});
  b.initializer("decode.minus_one", {}, std::vector<float>{-1.0f});

  const std::string xy = pair_of(b, offsets, 0, "offsets_xy");
  const std::string wh = pair_of(b, offsets, 2, "offsets_wh");
  b.node("Mul", "decode.shift", {xy, "default_box.size_over_10"}, "shift");
  b.node("Add", "decode.centre", {"shift", "default_box.centre"}, "centre");
  b.node("Mul", "decode.log_size", {wh, "decode.size_scale"}, "log_size");
  // min(x, m) as m - relu(m - x): OpenCV 4.6 cannot read Min with a constant, nor Clip with
  // inputs (opset 11 on); scalar Mul, Add and Relu every runtime reads.
  b.node("Mul", "decode.clamp.negate", {"log_size", "decode.minus_one"}, "minus_log_size");
  b.node("Add", "decode.clamp.room", {"minus_log_size", "decode.max_log_size"}, "room");
  b.node("Relu", "decode.clamp.excess", {"room"}, "room_left");
  b.node("Mul", "decode.clamp.negate_room", {"room_left", "decode.minus_one"}, "minus_room_left");
  b.node("Add", "decode.clamp", {"minus_room_left", "decode.max_log_size"}, "log_size_clamped");
  b.node("Exp", "decode.growth", {"log_size_clamped"}, "growth");
  b.node("Mul", "decode.size", {"growth", "default_box.size"}, "size");
  b.node("Mul", "decode.half_size", {"size", "decode.half"}, "half_size");
  b.node("Sub", "decode.top_left", {"centre", "half_size"}, "top_left");
  b.node("Add", "decode.bottom_right", {"centre", "half_size"}, "bottom_right");
  onnx::NodeProto* c = b.node("Concat", "boxes", {"top_left", "bottom_right"}, "boxes");
  OnnxBuilder::int_attribute(c, "axis", 2);
}

}  // namespace

std::string export_detector_onnx(const Architecture& backbone, const DefaultBoxOptions& boxes,
                                 const WeightsFile* weights, const OnnxExportOptions& options) {
  check_export_options(options);
  if (options.int8) {
    throw Error::about("precision", "int8: a detector exports in fp32 only so far");
  }
  const int categories = backbone.classes;
  Graph graph = lower_detector(backbone, categories, boxes, options.seed);  // validates
  const std::string canonical = to_canonical_string(backbone);
  if (weights) {
    onnx_internal::check_weights(*weights, canonical, categories, backbone.input.channels, true);
    apply_weights(graph, weights->tensors);
  }
  const std::vector<CenterBox> anchors = default_boxes(ssdlite_layout(backbone).sizes(), boxes);

  onnx::ModelProto model;
  onnx_internal::start_model(model, options.opset);
  model.set_doc_string(
      "mnas SSDLite detector on " + canonical +
      ". Input 'input': float32 [batch, C, H, W] (NCHW), pixels in [0, 1] (the normalisation is "
      "inside). Outputs 'scores': float32 [batch, boxes, categories + 1], softmax, index 0 the "
      "background; 'boxes': float32 [batch, boxes, 4], (x1, y1, x2, y2) relative to the image. "
      "Non-maximum suppression is left to the runtime.");
  const auto note = [&model](const std::string& key, const std::string& value) {
    onnx_internal::add_note(model, key, value);
  };
  note("mnas.task", "detection");
  note("mnas.architecture", canonical);
  note("mnas.weights", weights ? "trained" : "random (seed " + std::to_string(options.seed) + ")");
  onnx_internal::add_feeding_notes(model, backbone.input, weights);
  note("mnas.outputs",
       "scores [batch, " + std::to_string(anchors.size()) + ", " + std::to_string(categories + 1) +
           "]: softmax over the background (index 0) and the categories; boxes [batch, " +
           std::to_string(anchors.size()) +
           ", 4]: x1, y1, x2, y2 relative to the image's width and height, not clipped. mnas "
           "keeps scores >= 0.01, then per category greedy NMS at IoU 0.6, at most 100 boxes per "
           "image (docs/detection.md)");
  note("mnas.default_boxes",
       nlohmann::json{{"min_scale", boxes.min_scale},
                      {"max_scale", boxes.max_scale},
                      {"aspect_ratios", boxes.aspect_ratios},
                      {"reduce_first", boxes.reduce_first}}
           .dump());

  onnx::GraphProto* g = model.mutable_graph();
  g->set_name("mnas_detector");
  OnnxBuilder b(g);
  const std::string first = onnx_internal::add_input(b, backbone.input, options.batch, weights);
  const int64_t n = static_cast<int64_t>(anchors.size());
  b.output("scores", options.batch, {n, categories + 1});
  b.output("boxes", options.batch, {n, 4});
  const std::vector<std::string> names = onnx_internal::add_graph_nodes(b, graph, first, nullptr);

  // graph_outputs: every map's class predictions, then every map's box predictions.
  const std::vector<int> outputs = graph_outputs(graph);
  const size_t maps = outputs.size() / 2;
  std::vector<std::string> class_parts, box_parts;
  for (size_t i = 0; i < outputs.size(); ++i) {
    (i < maps ? class_parts : box_parts).push_back(names[outputs[i]]);
  }
  const std::string logits =
      flatten_predictions(b, class_parts, categories + 1, options.batch, "class_logits");
  onnx::NodeProto* softmax = b.node("Softmax", "scores", {logits}, "scores");
  OnnxBuilder::int_attribute(softmax, "axis", 2);
  decode_boxes(b, flatten_predictions(b, box_parts, 4, options.batch, "box_offsets"), anchors);
  return onnx_internal::finish_model(model);
}

void write_detector_onnx_file(const std::string& path, const Architecture& backbone,
                              const DefaultBoxOptions& boxes, const WeightsFile* weights,
                              const OnnxExportOptions& options) {
  write_file_atomically(path, export_detector_onnx(backbone, boxes, weights, options),
                        "ONNX model");
}

}  // namespace mnas
