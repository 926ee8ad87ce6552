#include "search/detection_evaluator.h"

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "train/detection_trainer.h"

namespace mnas {

DetectionEvaluator::DetectionEvaluator(TrainOptions train, SizeGuard guard)
    : TrainingEvaluator(std::move(train), guard) {
  if (!is_detection_dataset(train_.dataset)) {
    throw Error::about("proxy.dataset", "'" + train_.dataset +
                                            "' is not a detection set (coco:PATH)");
  }
}

Evaluation DetectionEvaluator::run(const Architecture& arch, const TrainOptions& options) {
  return guarded(arch, [&](Evaluation& e) {
    if (!data_) {  // every candidate has the search's input: read the scenes once
      data_ = load_detection_dataset(train_.dataset, Split::kTrain,
                                     {arch.input.height, arch.input.width, arch.input.channels});
    }
    if (data_->height != arch.input.height || data_->width != arch.input.width ||
        data_->channels != arch.input.channels) {
      throw Error("the candidate's input " + to_string(arch.input) +
                  " is not the search's (the scenes were read at " +
                  std::to_string(data_->height) + "x" + std::to_string(data_->width) + "x" +
                  std::to_string(data_->channels) + ")");
    }
    const DetectionTrainResult r =
        train_detector(arch, options, DefaultBoxOptions{}, nullptr, "", &*data_);
    if (failed(r.status, r.reason, e)) return;
    e.accuracy = r.holdout.ap;
    e.metrics_json = nlohmann::json{{"ap50", r.holdout.ap50}, {"ap75", r.holdout.ap75}}.dump();
  });
}

}  // namespace mnas
