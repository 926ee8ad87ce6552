#ifndef MNAS_CLI_DETECTION_RUN_H_
#define MNAS_CLI_DETECTION_RUN_H_

#include <string>

#include "cli/arch_argument.h"
#include "train/trainer.h"

namespace mnas::cli {

// `mnas train ARCH --task detection --dataset coco:PATH`: SSDLite on ARCH (docs/detection.md),
// progress on stderr, the held-out mAP on stdout (JSON with `json`).
void run_train_detection(ArchOptions arch, const TrainOptions& options, const std::string& resume,
                         bool json);

// `mnas eval CKPT` of a detector checkpoint: COCO mAP on the test or held-out split, with
// `engine` torch (on `device`) or xnnpack (fp32).
void run_eval_detection(const std::string& checkpoint, const std::string& split,
                        const std::string& device, const std::string& engine, bool json);

// Whether the checkpoint at `path` holds a detector (read once, torch-free parts first).
bool is_detector_checkpoint(const std::string& path);

}  // namespace mnas::cli

#endif  // MNAS_CLI_DETECTION_RUN_H_
