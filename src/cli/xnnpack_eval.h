#ifndef MNAS_CLI_XNNPACK_EVAL_H_
#define MNAS_CLI_XNNPACK_EVAL_H_

#include <string>

#include "train/trainer.h"

namespace mnas::cli {

// Evaluates a training checkpoint on XNNPACK: BatchNorm folded, weights carried through the
// torch-free weights format, one image at a time. Should agree with the LibTorch evaluation.
EvalResult evaluate_checkpoint_xnnpack(const std::string& checkpoint, const std::string& split,
                                       const std::string& data_dir);

// Writes the checkpoint's folded weights as a weights file (space/weights_file.h).
void export_checkpoint_weights(const std::string& checkpoint, const std::string& path);

}  // namespace mnas::cli

#endif  // MNAS_CLI_XNNPACK_EVAL_H_
