#ifndef MNAS_SEARCH_CONTROLLER_H_
#define MNAS_SEARCH_CONTROLLER_H_

#include <cstdint>
#include <memory>
#include <random>

#include "search/strategy.h"

namespace mnas {

// Options of the RNN controller. Defaults follow the NASNet controller that MnasNet reuses,
// except where noted.
struct ControllerOptions {
  enum class Algorithm {
    kPpo,        // Proximal Policy Optimization, clipped surrogate objective (MnasNet)
    kReinforce,  // plain policy gradient with a moving-average baseline (TuNAS)
  };
  Algorithm algorithm = Algorithm::kPpo;
  int hidden = 100;               // LSTM units (one layer); Default: 100
  double learning_rate = 3.5e-4;  // Adam; Default: 3.5e-4
  int ppo_epochs = 4;             // optimisation passes over each batch (PPO only); Default: 4
  double clip = 0.2;              // PPO ratio clip ε; Default: 0.2
  double baseline_decay = 0.95;   // exponential moving average of the reward; Default: 0.95
  double entropy_weight = 1e-5;   // entropy bonus; Default: 1e-5
  double init_range = 0.1;        // every weight uniform in ±init_range; Default: 0.1
};

// Throws mnas::Error naming the bad option.
void validate(const ControllerOptions& options);

// MnasNet's controller: a one-layer LSTM that emits one token per decision of the search space
// (SearchSpace token order). At step t its input is an embedding of token t−1 (a learned start
// token at t = 0) and a softmax head of that decision's vocabulary gives token t.
//
// observe(): advantage = reward − baseline, the baseline being an exponential moving average of
// the rewards seen before (initialised to the first batch's mean); then either PPO (`ppo_epochs`
// Adam steps on −min(r·A, clip(r, 1−ε, 1+ε)·A) − entropy_weight·H, r the probability ratio to the
// policy that sampled the batch) or one REINFORCE step on −log π · A − entropy_weight·H.
//
// Sampling draws from the softmax with the strategy's own seeded generator, so proposals are
// reproducible and resume exactly from save_state().
class Controller : public Strategy {
 public:
  Controller(const DecisionSpace& space, uint64_t seed, ControllerOptions options = {});
  ~Controller() override;
  std::string name() const override;
  MNAS_STRATEGY_STEPS;

  // log π(tokens) under the current policy (for tests and diagnostics).
  double log_probability(const std::vector<int>& tokens) const;
  double baseline() const { return baseline_; }

 private:
  struct Model;  // LibTorch parts, kept out of this header

  DecisionSpace space_;
  ControllerOptions options_;
  std::mt19937_64 rng_;
  std::unique_ptr<Model> model_;
  double baseline_ = 0.0;
  bool baseline_ready_ = false;
  int updates_ = 0;
};

}  // namespace mnas

#endif  // MNAS_SEARCH_CONTROLLER_H_
