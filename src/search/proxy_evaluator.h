#ifndef MNAS_SEARCH_PROXY_EVALUATOR_H_
#define MNAS_SEARCH_PROXY_EVALUATOR_H_

#include <cstdint>
#include <memory>

#include "search/trial.h"
#include "train/trainer.h"

namespace mnas {

// The real evaluator: accuracy from proxy training (train/trainer.h, held-out split).
// Latency is the search's LatencyObjective's, measured after training (scoring.h evaluate_trial),
// never while the cores train. Architectures beyond the size guard fail without training.
class ProxyEvaluator : public Evaluator {
 public:
  explicit ProxyEvaluator(TrainOptions train, int64_t max_params = 50000000,
                          int64_t max_macs = 5000000000);
  std::string name() const override { return "proxy"; }
  Evaluation evaluate(const Architecture& arch) override;
  // The same recipe on `train_images` images, scored on `holdout` (0: the recipe's).
  Evaluation evaluate_at(const Architecture& arch, int64_t train_images,
                         int64_t holdout) override;

 private:
  Evaluation run(const Architecture& arch, const TrainOptions& options);
  TrainOptions train_;
  int64_t max_params_, max_macs_;
};

}  // namespace mnas

#endif  // MNAS_SEARCH_PROXY_EVALUATOR_H_
