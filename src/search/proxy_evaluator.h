#ifndef MNAS_SEARCH_PROXY_EVALUATOR_H_
#define MNAS_SEARCH_PROXY_EVALUATOR_H_

#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <optional>
#include <string>

#include "search/training_evaluator.h"

namespace mnas {

// The real evaluator: accuracy from proxy training (train/trainer.h, held-out split).
// Latency is the search's LatencyObjective's, measured after training (scoring.h evaluate_trial),
// never while the cores train. Architectures beyond the size guard fail without training.
class ProxyEvaluator : public TrainingEvaluator {
 public:
  explicit ProxyEvaluator(TrainOptions train, SizeGuard guard = {});
  // A rung of the run on `run_images` (the recipe's train_images, normally): the run stopped at
  // a lower rung goes on from there when it is still held (at most hold_at_most() runs and
  // kHeldParameters parameters in all, the oldest let go first; one let go trains from the start
  // again, to the same result). The last rung's accuracy is evaluate()'s, to the bit on the CPU.
  Evaluation evaluate_rung(const Architecture& arch, int64_t train_images, int64_t run_images,
                           int64_t holdout) override;
  // From now on a trial's accuracy is its network's quantized to int8 (TrainingRun::
  // quantized_holdout: calibrated on training images, scored on the same held-out images); the
  // fp32 accuracy is kept in the evaluation's metrics ("fp32_accuracy").
  void quantize_accuracy(const QuantizeOptions& quantize) { quantize_ = quantize; }
  // Runs stopped at a rung, held for the next (tests).
  size_t held_runs() const { return held_.size(); }
  // How many stopped runs are held: a strategy step's proposals (the search's batch) are enough,
  // as the proposals not promoted are never continued. Default 16.
  void hold_at_most(size_t runs) { max_held_ = runs; }

  // Weights, gradients and momentum of a held run are ~3 floats a parameter: 64M parameters hold
  // ~0.8 GB, a batch of a dozen MobileNetV2-sized proposals.
  static constexpr int64_t kHeldParameters = 64000000;

 private:
  struct Held {  // a run stopped at a rung
    std::string canonical;
    int64_t run_images = 0;
    std::unique_ptr<TrainingRun> run;
  };
  Evaluation run(const Architecture& arch, const TrainOptions& options) override;
  // What `training` scores, as an Evaluation (guarded: the size guard first, a run that did not
  // finish or threw as a failure with its reason, the seconds it took either way).
  Evaluation scored(const Architecture& arch, const std::function<TrainResult()>& training);
  // `run`'s quantized held-out top-1, remembering the fp32 one for the evaluation's metrics.
  double quantized(TrainingRun& run, int64_t holdout, double fp32_top1);
  // Keeps a stopped run for the next rung, letting the oldest go beyond the limits.
  void hold(Held stopped);
  std::optional<QuantizeOptions> quantize_;
  std::optional<double> last_fp32_accuracy_;  // of the evaluation under way, when quantized
  std::list<Held> held_;  // oldest first
  size_t max_held_ = 16;
};

}  // namespace mnas

#endif  // MNAS_SEARCH_PROXY_EVALUATOR_H_
