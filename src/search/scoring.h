#ifndef MNAS_SEARCH_SCORING_H_
#define MNAS_SEARCH_SCORING_H_

#include <string>

#include "search/latency_objective.h"
#include "search/reward.h"
#include "store/trial.h"

namespace mnas {

// Runs the evaluator; one that throws (evaluators should not) gives a failed evaluation with the
// exception's message.
// train_images > 0: on that budget and `holdout` (Evaluator::evaluate_at); with run_images > 0,
// as the first train_images of a run on run_images (Evaluator::evaluate_rung).
Evaluation evaluate_safely(Evaluator& evaluator, const Architecture& arch,
                           int64_t train_images = 0, int64_t holdout = 0,
                           int64_t run_images = 0);

// A whole trial's evaluation: the evaluator (accuracy), then, when it succeeded and there is an
// objective, the latency on every device (Evaluation::latencies; latency_ms and latency_json
// then describe them). A device that refuses or fails the measurement fails the trial;
// DeviceUnreachable is not caught: the search stops and resumes later.
// `task` sets the budget and whether the latency is measured.
Evaluation evaluate_trial(Evaluator& evaluator, LatencyObjective* objective,
                          const Architecture& arch, const TrialTask& task = {});
// Its second half, for an evaluation made elsewhere (an MPI rank): `e` with the latency on every
// device when it succeeded and there is an objective; failures and DeviceUnreachable as above.
Evaluation add_latency(Evaluation e, LatencyObjective* objective, const Architecture& arch);

// What the store records for an evaluation: "done" with its reward, or "failed" with the reason
// and `failed_reward` (also when the reward cannot be computed, e.g. an accuracy outside [0, 1]).
// With per-device latencies the reward multiplies their ratios (compute_reward's second form);
// otherwise it judges latency_ms against reward.target_ms.
struct Score {
  std::string status;
  std::string failure;
  double reward = 0;
};
Score score(const Evaluation& evaluation, const RewardOptions& reward, double failed_reward);

// Sets what a stored row (StoredTrial, StoredRung, StoredReference) keeps of an evaluation and its
// score: status, failure, reward, accuracy and the latencies.
template <typename Row>
void set_result(Row& row, const Evaluation& e, const Score& s) {
  row.status = s.status;
  row.failure = s.failure;
  row.reward = s.reward;
  row.accuracy = e.accuracy;
  row.latency_ms = e.latency_ms;
  row.latency_json = e.latency_json;
  row.latencies = e.latencies;
}

}  // namespace mnas

#endif  // MNAS_SEARCH_SCORING_H_
