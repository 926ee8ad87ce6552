#ifndef MNAS_DIST_MPI_TRIAL_RUNNER_H_
#define MNAS_DIST_MPI_TRIAL_RUNNER_H_

#include <chrono>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "mpi/mpi_world.h"
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
// A worker sends a heartbeat while it evaluates (mpi_protocol.h); one that misses
// kMissedHeartbeats of them (stopped, frozen, its machine gone) is given up, said so on stderr,
// and its trial goes to the next free worker; its late answers are dropped. Rank 0 never waits
// for a send to a worker (mpi::post_text), so a rank stopped while idle is given up the same way
// once it has a task, or at the end (MpiWorld::release_workers). Since MPI cannot end a job with
// a rank that does not answer, such a job ends with MPI_Abort once the search has stored
// everything (world.in_flight stays above 0). Throws mnas::Error when no worker is left.
class MpiTrialRunner : public TrialRunner {
 public:
  // `heartbeat_seconds`: between a worker's heartbeats (0: none, a worker is never given up).
  MpiTrialRunner(MpiWorld& world, const SearchConfig& config, const EvaluatorRuntime& runtime,
                 LatencyObjective* objective, double heartbeat_seconds);
  int capacity() const override { return static_cast<int>(idle_.size() + busy_.size()); }
  void start(int ticket, const Proposal& candidate, const TrialTask& task) override;
  std::pair<int, Evaluation> wait() override;

 private:
  void send_task(int worker, int ticket);
  void give_up_silent_workers();
  void hand_out_orphans();

  MpiWorld& world_;
  LatencyObjective* objective_;
  std::vector<int> idle_;  // worker ranks with nothing to do
  std::vector<Architecture> running_;  // by ticket, for the latency measured after the result
  std::vector<TrialTask> tasks_;       // by ticket
  double heartbeat_seconds_ = 0;
  // Worker ranks evaluating a task: its ticket, and when the rank was last heard from.
  struct Busy {
    int ticket = 0;
    std::chrono::steady_clock::time_point heard;
  };
  std::map<int, Busy> busy_;
  std::set<int> lost_;            // ranks given up
  std::deque<int> orphans_;       // tickets of lost ranks, waiting for a free worker
  // Canonical architecture → the rank that ran its last rung (a step's proposals matter until its
  // next rung; the oldest are forgotten).
  RecentMap<int> holder_{1024};
};

// Throws mnas::Error when `config` cannot be searched on several ranks: latency measured on this
// machine ("local") would be timed on cores that train at that moment; a device (mnas-device on
// the target), a lookup table or the surrogate's latency are fine.
void check_distributable(const SearchConfig& config);

// Seconds between a worker's heartbeats: MNAS_MPI_HEARTBEAT when set (0: none), else 5; a worker
// is given up after 6 missed (30 s by default). Throws mnas::Error for a bad value.
double mpi_heartbeat_seconds_from_environment();

}  // namespace mnas

#endif  // MNAS_DIST_MPI_TRIAL_RUNNER_H_
