// `mnas export` of a detector: SSDLite with boxes and scores as ONNX
// (export/onnx_detector_export.cc), from a detection checkpoint or an architecture.
#include <iostream>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/file_io.h"
#include "cli/export_options.h"
#include "detection/default_boxes.h"
#include "detection/ssdlite_layout.h"
#include "space/architecture_codec.h"
#include "space/weights_file.h"
#include "train/detection_trainer.h"

namespace mnas::cli {

void run_detector_export(const ExportOptions& o, bool trained, const OnnxExportOptions& options,
                         bool int8) {
  if (int8) {
    throw Error::about("--precision", "int8: a detector exports in fp32 only so far");
  }
  Architecture backbone;
  DefaultBoxOptions boxes;
  WeightsFile weights;
  std::string label = o.arch.arch;
  if (trained) {
    LoadedDetector d = load_trained_detector(o.arch.arch);
    backbone = d.backbone;
    boxes = d.boxes;
    weights.arch = to_canonical_string(d.backbone);
    weights.mean = std::move(d.mean);
    weights.std = std::move(d.std);
    weights.tensors = std::move(d.folded_weights);
    weights.labels = std::move(d.categories);
  } else {
    const ResolvedArch r = resolve_arch(o.arch.arch, adjustments(o.arch));
    backbone = r.arch;
    label = r.label;
  }
  std::cerr << "mnas: exporting SSDLite on " << label << " to " << o.out << " (ONNX opset "
            << o.opset << ")\n";
  const std::string bytes =
      export_detector_onnx(backbone, boxes, trained ? &weights : nullptr, options);
  write_file_atomically(o.out, bytes, "ONNX model");
  const int64_t n =
      static_cast<int64_t>(default_boxes(ssdlite_layout(backbone).sizes(), boxes).size());
  const std::string input = shape_text(o.batch, {backbone.input.channels, backbone.input.height,
                                                 backbone.input.width});
  const std::string scores = shape_text(o.batch, {n, backbone.classes + 1});
  const std::string box_shape = shape_text(o.batch, {n, 4});
  if (o.json) {
    nlohmann::json j = {{"file", o.out},
                        {"format", "onnx"},
                        {"task", "detection"},
                        {"opset", o.opset},
                        {"bytes", bytes.size()},
                        {"architecture", to_canonical_string(backbone)},
                        {"weights", trained ? "trained" : "random"},
                        {"precision", "fp32"},
                        {"input", {{"name", "input"}, {"shape", input}, {"layout", "NCHW"}}},
                        {"outputs",
                         {{{"name", "scores"}, {"shape", scores}},
                          {{"name", "boxes"}, {"shape", box_shape}}}}};
    if (trained) {
      j["mean"] = weights.mean;
      j["std"] = weights.std;
    }
    std::cout << j.dump(2) << "\n";
    return;
  }
  std::cout << "Wrote " << o.out << " (ONNX opset " << o.opset << ", " << megabytes(bytes.size())
            << ")\n"
            << "  network  SSDLite on " << label << ", " << backbone.classes << " categories, "
            << n << " default boxes\n"
            << "  weights  "
            << (trained ? "trained (checkpoint " + o.arch.arch + ")"
                        : "random (seed " + std::to_string(o.seed) + "): for latency, not for "
                          "detecting")
            << "\n"
            << "  input    'input' float32 " << input
            << " NCHW, pixels in [0, 1]; the normalisation is inside the model\n"
            << "  outputs  'scores' float32 " << scores
            << ": softmax, index 0 the background\n"
            << "           'boxes' float32 " << box_shape
            << ": x1, y1, x2, y2 relative to the image, not clipped\n"
            << "  NMS      not in the file: per category, IoU 0.6, scores >= 0.01, 100 per image "
               "as mnas does (docs/detection.md)\n";
}

}  // namespace mnas::cli
