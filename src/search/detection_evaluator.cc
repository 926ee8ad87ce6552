#include "search/detection_evaluator.h"

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "search/guarded_evaluation.h"
#include "space/cost_model.h"
#include "train/detection_trainer.h"
#include "train/train_device.h"

namespace mnas {

DetectionEvaluator::DetectionEvaluator(TrainOptions train, int64_t max_params, int64_t max_macs)
    : train_(std::move(train)), max_params_(max_params), max_macs_(max_macs) {
  validate(train_);
  if (!is_detection_dataset(train_.dataset)) {
    throw Error::about("proxy.dataset", "'" + train_.dataset +
                                            "' is not a detection set (coco:PATH)");
  }
  declare_many_short_runs();
}

Evaluation DetectionEvaluator::evaluate(const Architecture& arch) { return run(arch, train_); }

Evaluation DetectionEvaluator::evaluate_at(const Architecture& arch, int64_t train_images,
                                           int64_t holdout) {
  TrainOptions options = train_;
  options.train_images = train_images;
  if (holdout > 0) options.holdout = holdout;
  return run(arch, options);
}

Evaluation DetectionEvaluator::run(const Architecture& arch, const TrainOptions& options) {
  return guarded_evaluation([&](Evaluation& e) {
    // The backbone's size guard, as the classifier's proxy has it (the head adds little).
    const CostReport cost = estimate_cost(arch, false);
    if (cost.params > max_params_ || cost.macs > max_macs_) {
      e.ok = false;
      e.failure = "too large: " + std::to_string(cost.params) + " parameters, " +
                  std::to_string(cost.macs) + " multiply-adds";
      return;
    }
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
    if (r.status != "done") {
      e.ok = false;
      e.failure = r.status + ": " + r.reason;
      return;
    }
    e.accuracy = r.holdout.ap;
    e.metrics_json = nlohmann::json{{"ap50", r.holdout.ap50}, {"ap75", r.holdout.ap75}}.dump();
  });
}

}  // namespace mnas
