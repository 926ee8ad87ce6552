#ifndef MNAS_DIST_MPI_TRIAL_RUNNER_H_
#define MNAS_DIST_MPI_TRIAL_RUNNER_H_

#include <string>
#include <vector>

#include "dist/mpi_world.h"
#include "search/latency_objective.h"
#include "search/recent_map.h"
#include "search/search_config.h"
#include "search/search_loop.h"
#include "search/search_setup.h"

namespace mnas {

// Rank 0's side of a search on several MPI ranks: every worker rank builds the evaluator from
// the search's configuration (sent once), then evaluates the architectures it is given, one at a
// time; the next one goes to whichever worker answered (a dynamic queue: a slow trial does not
// hold the others). The latency of a finished trial is measured here, by `objective`, which must
// not time on this machine's own cores while they train (check_distributable). A rung that
// continues a run (TrialTask::run_images) goes to the worker that holds the run when it is idle.
class MpiTrialRunner : public TrialRunner {
 public:
  MpiTrialRunner(MpiWorld& world, const SearchConfig& config, const EvaluatorRuntime& runtime,
                 LatencyObjective* objective);
  int capacity() const override { return static_cast<int>(idle_.size()) + busy_; }
  void start(int ticket, const Proposal& candidate, const TrialTask& task) override;
  std::pair<int, Evaluation> wait() override;

 private:
  MpiWorld& world_;
  LatencyObjective* objective_;
  std::vector<int> idle_;  // worker ranks with nothing to do
  int busy_ = 0;
  std::vector<Architecture> running_;  // by ticket, for the latency measured after the result
  std::vector<TrialTask> tasks_;       // by ticket
  // Canonical architecture → the rank that ran its last rung (a step's proposals matter until its
  // next rung; the oldest are forgotten).
  RecentMap<int> holder_{1024};
};

// Throws mnas::Error when `config` cannot be searched on several ranks: latency measured on this
// machine ("local") would be timed on cores that train at that moment; a device (mnas-device on
// the target), a lookup table or the surrogate's latency are fine.
void check_distributable(const SearchConfig& config);

}  // namespace mnas

#endif  // MNAS_DIST_MPI_TRIAL_RUNNER_H_
