#include "search/proxy_evaluator.h"

#include <chrono>
#include <cstdint>

#include "space/cost_model.h"

namespace mnas {

ProxyEvaluator::ProxyEvaluator(TrainOptions train, int64_t max_params, int64_t max_macs)
    : train_(std::move(train)), max_params_(max_params), max_macs_(max_macs) {
  validate(train_);
}

Evaluation ProxyEvaluator::evaluate(const Architecture& arch) { return run(arch, train_); }

Evaluation ProxyEvaluator::evaluate_at(const Architecture& arch, int64_t train_images,
                                       int64_t holdout) {
  TrainOptions options = train_;
  options.train_images = train_images;
  if (holdout > 0) options.holdout = holdout;
  return run(arch, options);
}

Evaluation ProxyEvaluator::run(const Architecture& arch, const TrainOptions& options) {
  Evaluation e;
  const auto start = std::chrono::steady_clock::now();
  try {
    const CostReport cost = estimate_cost(arch, false);
    if (cost.params > max_params_ || cost.macs > max_macs_) {
      e.ok = false;
      e.failure = "too large: " + std::to_string(cost.params) + " parameters, " +
                  std::to_string(cost.macs) + " multiply-adds";
      return e;
    }
    const TrainResult r = train(arch, options);
    if (r.status != "done") {
      e.ok = false;
      e.failure = r.status + ": " + r.reason;
      return e;
    }
    e.accuracy = r.holdout_top1;
  } catch (const std::exception& ex) {
    e.ok = false;
    e.failure = ex.what();
  }
  e.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return e;
}

}  // namespace mnas
