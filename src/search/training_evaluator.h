#ifndef MNAS_SEARCH_TRAINING_EVALUATOR_H_
#define MNAS_SEARCH_TRAINING_EVALUATOR_H_

#include <cstdint>
#include <functional>
#include <string>

#include "store/trial.h"
#include "train/trainer.h"

namespace mnas {

// The size guard of the evaluators below: a candidate beyond either bound fails without training.
struct SizeGuard {
  int64_t max_params = 50'000'000;
  int64_t max_macs = 5'000'000'000;
};

// What the evaluators that train a candidate share (proxy_evaluator.h for classification,
// detection_evaluator.h for detection): the proxy recipe, validated once; the size guard
// (architectures beyond it fail without training); evaluate_at as the recipe on fewer images;
// and an evaluation that never throws for a bad architecture — what the training throws becomes
// a failed evaluation with its reason, and the wall time is its seconds either way.
class TrainingEvaluator : public Evaluator {
 public:
  std::string name() const override { return "proxy"; }
  Evaluation evaluate(const Architecture& arch) override { return run(arch, train_); }
  // The same recipe on `train_images` images, scored on `holdout` (0: the recipe's).
  Evaluation evaluate_at(const Architecture& arch, int64_t train_images,
                         int64_t holdout) override;

 protected:
  TrainingEvaluator(TrainOptions train, SizeGuard guard);
  // One training of `arch` with `options`, scored.
  virtual Evaluation run(const Architecture& arch, const TrainOptions& options) = 0;
  // The size guard, then `body`, guarded as above.
  Evaluation guarded(const Architecture& arch,
                     const std::function<void(Evaluation&)>& body) const;
  // A training that ended with `status` other than "done": a failure with its reason.
  static bool failed(const std::string& status, const std::string& reason, Evaluation& e);

  const TrainOptions train_;

 private:
  SizeGuard guard_;
};

}  // namespace mnas

#endif  // MNAS_SEARCH_TRAINING_EVALUATOR_H_
