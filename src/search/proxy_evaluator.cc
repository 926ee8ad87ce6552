#include "search/proxy_evaluator.h"

#include <algorithm>
#include <cstdint>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "space/architecture_codec.h"

namespace mnas {

ProxyEvaluator::ProxyEvaluator(TrainOptions train, SizeGuard guard)
    : TrainingEvaluator(std::move(train), guard) {}

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
  return guarded(arch, [&](Evaluation& e) {
    const TrainResult r = training();
    if (failed(r.status, r.reason, e)) return;
    e.accuracy = r.holdout_top1;
    if (last_fp32_accuracy_) {
      e.metrics_json = nlohmann::json{{"fp32_accuracy", *last_fp32_accuracy_}}.dump();
    }
  });
}

}  // namespace mnas
