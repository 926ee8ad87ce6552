#ifndef MNAS_SEARCH_DETECTION_EVALUATOR_H_
#define MNAS_SEARCH_DETECTION_EVALUATOR_H_

#include <cstdint>
#include <optional>
#include <string>

#include "data/detection_dataset.h"
#include "search/training_evaluator.h"

namespace mnas {

// The proxy of a detection search (SearchConfig::task "detection"): SSDLite with the candidate as
// its backbone (nn/detector.h, the default boxes), trained with the proxy recipe on a
// COCO-format set (train/detection_trainer.h) and scored by COCO's mAP, AP@[.5:.95], on the
// held-out training images — the trial's accuracy; AP@.5 and AP@.75 go into its metrics.
// Latency is the search's objective's (the detector's). The training split is read once, at the
// first evaluation, and kept. Rungs (evaluate_at) train from scratch.
class DetectionEvaluator : public TrainingEvaluator {
 public:
  explicit DetectionEvaluator(TrainOptions train, SizeGuard guard = {});

 private:
  Evaluation run(const Architecture& arch, const TrainOptions& options) override;
  std::optional<DetectionDataset> data_;  // the training split at the search's input
};

}  // namespace mnas

#endif  // MNAS_SEARCH_DETECTION_EVALUATOR_H_
