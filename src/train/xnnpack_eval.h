#ifndef MNAS_TRAIN_XNNPACK_EVAL_H_
#define MNAS_TRAIN_XNNPACK_EVAL_H_

// A checkpoint evaluated on the engine a device runs: XNNPACK, BatchNorm folded, the weights
// carried through the torch-free weights format, one image at a time — the same images as
// evaluate_checkpoint (trainer.h) scores with LibTorch, and the same accuracy within rounding.

#include <cstdint>
#include <string>
#include <vector>

#include "data/batches.h"
#include "data/dataset.h"
#include "graph/quantization.h"
#include "latency/precision.h"
#include "train/trainer.h"

namespace mnas {

class XnnpackNetwork;

// With Precision::kInt8 the checkpoint is quantized first (`quantize`); the result's
// calibration_images say how many training images the ranges came from. `logits`, when given,
// receives every image's logits in order ([images, classes]). Throws mnas::Error
// naming the file when the training images cannot be read for the calibration.
EvalResult evaluate_checkpoint_xnnpack(const std::string& checkpoint, const std::string& split,
                                       const std::string& data_dir = "",
                                       Precision precision = Precision::kFp32,
                                       const QuantizeOptions& quantize = {},
                                       std::vector<float>* logits = nullptr);

// Top-1 and top-5 of `net` on `indices` of `data`.
struct XnnpackScores {
  double top1 = 0, top5 = 0;
};
XnnpackScores score_xnnpack(XnnpackNetwork& net, const Dataset& data, const torch::Tensor& indices,
                            const Normalization& norm, std::vector<float>* logits = nullptr);

// The int8 calibration of a checkpoint's `graph` (its architecture lowered, its folded weights
// applied) on its run's training images; throws mnas::Error naming `checkpoint` when they cannot
// be read.
Int8Calibration calibrate_checkpoint(const LoadedCheckpoint& c, const Graph& graph,
                                     const std::string& checkpoint, const std::string& data_dir,
                                     const QuantizeOptions& quantize);

// The int8 calibration of a trained `graph` on `indices` of `data` (the first `images` of them).
Int8Calibration calibrate_on_images(const Graph& graph, const Dataset& data,
                                    const torch::Tensor& indices, const Normalization& norm,
                                    const QuantizeOptions& quantize);

// Writes the checkpoint's folded weights as a weights file (space/weights_file.h).
void export_checkpoint_weights(const std::string& checkpoint, const std::string& path);

}  // namespace mnas

#endif  // MNAS_TRAIN_XNNPACK_EVAL_H_
