#ifndef MNAS_TRAIN_DETECTION_TRAINER_H_
#define MNAS_TRAIN_DETECTION_TRAINER_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "data/detection_dataset.h"
#include "detection/coco_map.h"
#include "detection/default_boxes.h"
#include "detection/postprocess.h"
#include "space/architecture.h"
#include "train/trainer.h"

namespace mnas {

// Training and scoring SSDLite detectors (nn/detector.h) on a COCO-format data set (`coco:PATH`,
// data/detection_dataset.h), with the classifier's recipes (TrainOptions: optimizer, schedule,
// warm-up, weight decay, epochs, held-out split, seed, checkpoint after every epoch, resume) —
// label smoothing aside, which SSD's loss does not use.
//
// The loss is SSD's with hard negative mining (train/detection_loss.h); default boxes are
// matched to objects as detection/box_coder.h says. Augmentation: random shifts of up to `pad`
// pixels and horizontal flips, boxes moved with the pixels.

struct DetectionTrainResult {
  std::string status = "done";  // "done" | "diverged"
  std::string reason;
  int epochs_done = 0;
  CocoMap holdout;  // COCO mAP on the held-out training images (ap -1 when holdout = 0)
  int64_t holdout_images = 0;
  double train_loss = 0;  // last epoch's average
  double seconds = 0;
  double images_per_second = 0;
  int64_t params = 0;
  std::string device;
};

// Trains the detector on `backbone` (its input is the detector's; its classes are set to the
// data set's categories) from scratch, or continues `resume` (a checkpoint of the same backbone,
// default boxes and options; only epochs may grow). Deterministic for a seed and thread count:
// a resumed run ends where the uninterrupted one ends. Progress: loss, and as "accuracy" the
// share of matched default boxes whose best class is their object's. Throws mnas::Error for bad
// options, data or checkpoints; a loss that is not finite ends the run "diverged".
// `data`, when given, is options.dataset's training split already read at the backbone's input
// (a search trains many detectors on it: search/detection_evaluator.h).
DetectionTrainResult train_detector(
    const Architecture& backbone, const TrainOptions& options, const DefaultBoxOptions& boxes = {},
    const std::function<void(const TrainProgress&)>& progress = nullptr,
    const std::string& resume = "", const DetectionDataset* data = nullptr);

struct DetectionEvalResult {
  CocoMap map;
  int64_t images = 0;
  std::string split;  // "test" | "holdout"
  Architecture arch;
  std::vector<std::string> categories;
};

// Scores a detector checkpoint on the test split ("test") of its data set or its run's held-out
// training images ("holdout"), with LibTorch on `device` (engine "torch") or with its XNNPACK
// graph in fp32 on this CPU ("xnnpack": what a device runs; softmax, decoding and NMS the same
// code). Throws mnas::Error naming the file for a classifier's checkpoint or a damaged one.
DetectionEvalResult evaluate_detector(const std::string& checkpoint, const std::string& split,
                                      const std::string& device = "auto",
                                      const PostprocessOptions& post = {},
                                      const std::string& engine = "torch");

// A detector checkpoint's trained network as the torch-free engines take it (eval mode, BatchNorm
// folded): its backbone (classes = categories), default boxes, normalisation, category names and
// DetectorImpl::folded_weights. Throws mnas::Error naming the file for a classifier's checkpoint
// or a damaged one.
struct LoadedDetector {
  Architecture backbone;
  DefaultBoxOptions boxes;
  std::vector<float> mean, std;
  std::vector<std::string> categories;
  std::map<std::string, NamedWeights> folded_weights;
};
LoadedDetector load_trained_detector(const std::string& checkpoint);

}  // namespace mnas

#endif  // MNAS_TRAIN_DETECTION_TRAINER_H_
