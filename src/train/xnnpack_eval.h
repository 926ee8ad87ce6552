#ifndef MNAS_TRAIN_XNNPACK_EVAL_H_
#define MNAS_TRAIN_XNNPACK_EVAL_H_

// A checkpoint evaluated on the engine a device runs: XNNPACK, BatchNorm folded, the weights
// carried through the torch-free weights format, one image at a time — the same images as
// evaluate_checkpoint (trainer.h) scores with LibTorch, and the same accuracy within rounding.

#include <string>

#include "train/trainer.h"

namespace mnas {

EvalResult evaluate_checkpoint_xnnpack(const std::string& checkpoint, const std::string& split,
                                       const std::string& data_dir = "");

// Writes the checkpoint's folded weights as a weights file (space/weights_file.h).
void export_checkpoint_weights(const std::string& checkpoint, const std::string& path);

}  // namespace mnas

#endif  // MNAS_TRAIN_XNNPACK_EVAL_H_
