#ifndef MNAS_EXPORT_ONNX_EXPORT_H_
#define MNAS_EXPORT_ONNX_EXPORT_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "detection/default_boxes.h"
#include "graph/quantization.h"
#include "space/architecture.h"
#include "space/weights_file.h"

namespace mnas {

// ONNX export of the network XNNPACK runs (latency/graph.h's lowering: BatchNorm folded into the
// convolutions), torch-free: a binary without LibTorch exports too (design.md).
//
// The model's contract, the same for every architecture:
//   input  "input"  float32 [batch, C, H, W] (NCHW; the batch fixed or symbolic, see options):
//                   pixels scaled to [0, 1];
//                   the per-channel normalisation (x - mean) / std of training is in the graph
//                   (a per-channel 1x1 convolution, "normalise").
//   output "logits" float32 [batch, classes]: before softmax.
// Operators: Conv (dense and depthwise, the squeeze-and-excitation and classifier layers as 1x1
// convolutions), Relu, Sigmoid, Add, Mul, AveragePool (ceil mode), GlobalAveragePool and Flatten.
// Chosen for the runtimes users deploy on: OpenCV 4.6's importer reads all of them at every opset
// from 10 (it refuses 3-input Clip and Identity, neither of which is used).
struct OnnxExportOptions {
  // The opset the model declares, in [kMinOpset, kMaxOpset]; Default: 13.
  int opset = 13;
  // The batch dimension of input and output: a fixed size (Default: 1, what a phone runs and
  // what every runtime accepts), or 0 for a symbolic "batch" (any size; note OpenCV 4.6 runs
  // squeeze-and-excitation networks only at batch 1).
  int batch = 1;
  // Seed of the random weights of a bare architecture (latency/graph.h); Default: 1.
  uint64_t seed = 1;
  // int8 as QDQ (QuantizeLinear/DequantizeLinear pairs around the float operators) when set: the
  // quantization of the trained weights' graph (latency/int8_calibration.h), the same the int8
  // XNNPACK network runs — every value quantized per tensor by its calibration, the weights
  // int8 per output channel (the classifier per tensor), the biases int32 at input scale ×
  // weight scale. Needs trained weights and opset ≥ 13 (per-channel DequantizeLinear).
  const Int8Calibration* int8 = nullptr;  // Default: none, fp32
};
constexpr int kMinOpset = 10;  // AveragePool's ceil_mode
constexpr int kMaxOpset = 17;  // the newest Debian's ONNX (1.12) checks

// Throws mnas::Error::about("opset" or "batch") for one out of range (the CLI names its flag).
void check_export_options(const OnnxExportOptions& options);

// The serialized ModelProto of `arch`, with the trained weights when `weights` is given (its
// architecture must be `arch`; its mean and std become the graph's normalisation), else random
// ones (no normalisation). Checked with ONNX's model checker before it is returned. Throws
// mnas::Error naming the problem: an invalid architecture or option, weights of another
// architecture or of a wrong shape (naming the tensor), a model the checker refuses.
std::string export_onnx(const Architecture& arch, const WeightsFile* weights,
                        const OnnxExportOptions& options = {});

// ONNX export of SSDLite on `backbone` (graph/detector_graph.h; categories = backbone.classes,
// default boxes `boxes`), torch-free, with trained weights (a detector's folded weights:
// DetectorImpl::folded_weights, its backbone's canonical string as `arch`) or random ones. The
// model's contract:
//   input  "input"  float32 [batch, C, H, W], as export_onnx's (normalisation inside).
//   output "scores" float32 [batch, boxes, categories + 1]: softmax, index 0 the background.
//   output "boxes"  float32 [batch, boxes, 4]: each default box decoded (detection/box_coder.h)
//                   as (x1, y1, x2, y2) relative to the image, not clipped.
// Non-maximum suppression is left to the runtime (metadata "mnas.outputs" says what mnas does).
// Operators beyond export_onnx's: Transpose, Reshape, Concat, Softmax, Slice, Mul, Sub, Exp
// (OpenCV 4.6 reads them all). fp32 only (options.int8 is refused). Throws mnas::Error as
// export_onnx does.
std::string export_detector_onnx(const Architecture& backbone, const DefaultBoxOptions& boxes,
                                 const WeightsFile* weights, const OnnxExportOptions& options = {});
void write_detector_onnx_file(const std::string& path, const Architecture& backbone,
                              const DefaultBoxOptions& boxes, const WeightsFile* weights,
                              const OnnxExportOptions& options = {});

// What an ONNX file says about itself (`mnas export --describe`): its producer, IR version and
// opset, its first input's and output's names and shapes (a symbolic dimension by its name), and
// its metadata, in file order (mnas writes mnas.architecture, .weights, .input, .channel_order,
// .normalization, .labels and .preprocess; see docs/export.md).
struct OnnxDescription {
  std::string producer;
  int64_t ir_version = 0, opset = 0;
  std::string input_name, output_name;
  std::vector<std::string> input_shape, output_shape;
  // Every output in order (the first is output_name's; a detector has "scores" and "boxes").
  std::vector<std::pair<std::string, std::vector<std::string>>> outputs;
  std::vector<std::pair<std::string, std::string>> metadata;
};
// Throws mnas::Error naming `path` for a file that is not a readable ONNX model (at most 2 GiB).
OnnxDescription describe_onnx_file(const std::string& path);

// export_onnx written to `path` atomically (space/file_io.h).
void write_onnx_file(const std::string& path, const Architecture& arch, const WeightsFile* weights,
                     const OnnxExportOptions& options = {});

}  // namespace mnas

#endif  // MNAS_EXPORT_ONNX_EXPORT_H_
