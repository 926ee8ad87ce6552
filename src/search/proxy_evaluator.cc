#include "search/proxy_evaluator.h"

#include <algorithm>
#include <cstdint>

#include <nlohmann/json.hpp>

#include "space/architecture_codec.h"
#include "space/cost_model.h"
#include "base/error.h"
#include "search/guarded_evaluation.h"
#include "train/train_device.h"

namespace mnas {

ProxyEvaluator::ProxyEvaluator(TrainOptions train, int64_t max_params, int64_t max_macs)
    : train_(std::move(train)), max_params_(max_params), max_macs_(max_macs) {
  validate(train_);
  declare_many_short_runs();  // on a GPU: cuDNN without a plan per new shape (train_device.h)
}

Evaluation ProxyEvaluator::evaluate(const Architecture& arch) { return run(arch, train_); }

Evaluation ProxyEvaluator::evaluate_at(const Architecture& arch, int64_t train_images,
                                       int64_t holdout) {
  TrainOptions options = train_;
  options.train_images = train_images;
  if (holdout > 0) options.holdout = holdout;
  return run(arch, options);
}

bool ProxyEvaluator::too_large(const Architecture& arch, Evaluation& e) const {
  const CostReport cost = estimate_cost(arch, false);
  if (cost.params <= max_params_ && cost.macs <= max_macs_) return false;
  e.ok = false;
  e.failure = "too large: " + std::to_string(cost.params) + " parameters, " +
              std::to_string(cost.macs) + " multiply-adds";
  return true;
}

Evaluation ProxyEvaluator::evaluate_rung(const Architecture& arch, int64_t train_images,
                                         int64_t run_images, int64_t holdout) {
  const std::string canonical = to_canonical_string(arch);
  std::unique_ptr<TrainingRun> run;
  for (auto it = held_.begin(); it != held_.end(); ++it) {
    if (it->canonical == canonical && it->run_images == run_images) {
      run = std::move(it->run);
      held_.erase(it);
      break;
    }
  }
  return scored(arch, [&] {
    if (train_images < 1 || train_images > run_images) {
      throw Error("rung of " + std::to_string(train_images) + " images: must be in [1, " +
                  std::to_string(run_images) + "], the run's images");
    }
    TrainOptions options = train_;
    options.train_images = run_images;
    if (!run) run = std::make_unique<TrainingRun>(arch, options);
    // The rung's share of the run's steps (at least one), rounded to the nearest step.
    const int64_t total = run->total_steps();
    const int64_t steps = std::clamp<int64_t>(
        (total * train_images + run_images / 2) / run_images, std::min<int64_t>(1, total), total);
    if (steps < run->steps_done()) run = std::make_unique<TrainingRun>(arch, options);
    TrainResult r = run->advance(steps, holdout);
    if (r.status == "done" && quantize_) {  // before the run may be let go
      r.holdout_top1 = quantized(*run, holdout, r.holdout_top1);
    }
    if (r.status == "done" && run->steps_done() < run->total_steps()) {
      hold({canonical, run_images, std::move(run)});
    }
    return r;
  });
}

void ProxyEvaluator::hold(Held stopped) {
  int64_t held = stopped.run->parameters();
  for (const Held& h : held_) held += h.run->parameters();
  while (!held_.empty() && (held > kHeldParameters || held_.size() >= max_held_)) {
    held -= held_.front().run->parameters();
    held_.pop_front();
  }
  if (held <= kHeldParameters && max_held_ > 0) held_.push_back(std::move(stopped));
}

Evaluation ProxyEvaluator::run(const Architecture& arch, const TrainOptions& options) {
  return scored(arch, [&] {
    TrainingRun run(arch, options);
    TrainResult r = run.advance(run.total_steps());
    if (r.status == "done" && quantize_) r.holdout_top1 = quantized(run, 0, r.holdout_top1);
    return r;
  });
}

double ProxyEvaluator::quantized(TrainingRun& run, int64_t holdout, double fp32_top1) {
  last_fp32_accuracy_ = fp32_top1;
  return run.quantized_holdout(holdout, *quantize_).top1;
}

Evaluation ProxyEvaluator::scored(const Architecture& arch,
                                  const std::function<TrainResult()>& training) {
  last_fp32_accuracy_.reset();
  return guarded_evaluation([&](Evaluation& e) {
    if (too_large(arch, e)) return;
    const TrainResult r = training();
    if (r.status != "done") {
      e.ok = false;
      e.failure = r.status + ": " + r.reason;
      return;
    }
    e.accuracy = r.holdout_top1;
    if (last_fp32_accuracy_) {
      e.metrics_json = nlohmann::json{{"fp32_accuracy", *last_fp32_accuracy_}}.dump();
    }
  });
}

}  // namespace mnas
