#ifndef MNAS_SEARCH_SCORING_H_
#define MNAS_SEARCH_SCORING_H_

#include <string>

#include "search/reward.h"
#include "search/trial.h"

namespace mnas {

// Runs the evaluator; one that throws (evaluators should not) gives a failed evaluation with the
// exception's message.
Evaluation evaluate_safely(Evaluator& evaluator, const Architecture& arch);

// What the store records for an evaluation: "done" with its reward, or "failed" with the reason
// and `failed_reward` (also when the reward cannot be computed, e.g. an accuracy outside [0, 1]).
struct Score {
  std::string status;
  std::string failure;
  double reward = 0;
};
Score score(const Evaluation& evaluation, const RewardOptions& reward, double failed_reward);

}  // namespace mnas

#endif  // MNAS_SEARCH_SCORING_H_
