#ifndef MNAS_SEARCH_PROXY_EVALUATOR_H_
#define MNAS_SEARCH_PROXY_EVALUATOR_H_

#include <memory>

#include "latency/latency_model.h"
#include "search/trial.h"
#include "train/trainer.h"

namespace mnas {

// The real evaluator: accuracy from proxy training (train/trainer.h, held-out split) and latency
// from a LatencyModel (measured with XNNPACK, or a lookup table). Architectures beyond the size
// guard fail without training.
class ProxyEvaluator : public Evaluator {
 public:
  ProxyEvaluator(TrainOptions train, std::unique_ptr<LatencyModel> latency,
                 int64_t max_params = 50000000, int64_t max_macs = 5000000000);
  std::string name() const override { return "proxy"; }
  Evaluation evaluate(const Architecture& arch) override;

 private:
  TrainOptions train_;
  std::unique_ptr<LatencyModel> latency_;
  int64_t max_params_, max_macs_;
};

}  // namespace mnas

#endif  // MNAS_SEARCH_PROXY_EVALUATOR_H_
