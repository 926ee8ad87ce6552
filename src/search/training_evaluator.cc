#include "search/training_evaluator.h"

#include <chrono>
#include <exception>
#include <utility>

#include "space/cost_model.h"
#include "train/train_device.h"

namespace mnas {

TrainingEvaluator::TrainingEvaluator(TrainOptions train, SizeGuard guard)
    : train_(std::move(train)), guard_(guard) {
  validate(train_);
  declare_many_short_runs();  // on a GPU: cuDNN without a plan per new shape (train_device.h)
}

Evaluation TrainingEvaluator::evaluate_at(const Architecture& arch, int64_t train_images,
                                          int64_t holdout) {
  TrainOptions options = train_;
  options.train_images = train_images;
  if (holdout > 0) options.holdout = holdout;
  return run(arch, options);
}

Evaluation TrainingEvaluator::guarded(const Architecture& arch,
                                      const std::function<void(Evaluation&)>& body) const {
  Evaluation e;
  const auto start = std::chrono::steady_clock::now();
  try {
    // The backbone's cost for a detector too: its head adds little.
    const CostReport cost = estimate_cost(arch, false);
    if (cost.params > guard_.max_params || cost.macs > guard_.max_macs) {
      e.ok = false;
      e.failure = "too large: " + std::to_string(cost.params) + " parameters, " +
                  std::to_string(cost.macs) + " multiply-adds";
    } else {
      body(e);
    }
  } catch (const std::exception& ex) {
    e.ok = false;
    e.failure = ex.what();
  }
  e.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return e;
}

bool TrainingEvaluator::failed(const std::string& status, const std::string& reason,
                               Evaluation& e) {
  if (status == "done") return false;
  e.ok = false;
  e.failure = status + ": " + reason;
  return true;
}

}  // namespace mnas
