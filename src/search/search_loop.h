#ifndef MNAS_SEARCH_SEARCH_LOOP_H_
#define MNAS_SEARCH_SEARCH_LOOP_H_

#include <atomic>
#include <cstdint>
#include <functional>

#include "search/latency_check.h"
#include "search/latency_objective.h"
#include "search/reward.h"
#include "search/search_config.h"
#include "search/strategy.h"
#include "space/search_space.h"
#include "store/results_views.h"
#include "store/store.h"
#include "store/trial.h"

namespace mnas {

// Where a search's wall time went (seconds, summed over what this process did and waited for).
struct SearchTimes {
  double training = 0;       // evaluations (proxy training), latency excluded
  double latency = 0;        // measuring or predicting the trials' latency
  double latency_check = 0;  // confirming predictions on the device (latency_check.h)
  double strategy = 0;       // propose, observe, save_state
  double store = 0;          // writing trials, rungs and the strategy's state
};

struct SearchOptions {
  int trials = kDefaultTrials;     // total trials in the store when the search ends; Default: 200
  int batch = kDefaultBatch;       // proposals per strategy step; Default: 6
  double time_budget_seconds = 0;  // stop starting trials after this long; 0 = no limit
  RewardOptions reward;            // exponents; target_ms (T) too when there is no objective
  double failed_reward = 0.0;      // reward a failed trial teaches the strategy; Default: 0
  // When it turns true (a Ctrl-C), no new trial starts: run_search returns after the current
  // one is stored. Default: none.
  const std::atomic<bool>* stop = nullptr;
  // With predicted latency: confirms predictions on the device and refits the table when they
  // drift (restored from the store when the search starts); its warnings go to `warn`.
  // Default: none.
  LatencyCheck* latency_check = nullptr;
  // Multi-fidelity rungs (search/fidelity.h); none: every proposal on the evaluator's own
  // budget. Default: none.
  Fidelity fidelity;
  // The full proxy's held-out images, of which a lower rung scores its share (rung_holdout); 0:
  // every rung scores the evaluator's own. Default: 0.
  int64_t proxy_holdout = 0;
  std::function<void(const std::string&)> warn;
  // Filled with where the time went, when given. Default: none.
  SearchTimes* times = nullptr;
};

// Runs the evaluations of a search: one at a time here (LocalTrialRunner), or many at once on
// other processes (mpi/: MPI ranks). The loop starts at most capacity() at a time and collects
// each with wait(), in whatever order they finish.
class TrialRunner {
 public:
  virtual ~TrialRunner() = default;
  // How many evaluations may run at once (≥ 1).
  virtual int capacity() const = 0;
  // Starts evaluating the candidate (its architecture; a table's runner reads its tokens) as
  // `task` says; `ticket` comes back with its result.
  virtual void start(int ticket, const Proposal& candidate, const TrialTask& task) = 0;
  // The next finished evaluation (blocks until one is). Its latency is measured here, after the
  // training, on the objective's devices (scoring.h add_latency); DeviceUnreachable propagates.
  virtual std::pair<int, Evaluation> wait() = 0;
};

// Evaluates in this process, one trial at a time: evaluate_trial(evaluator, objective, arch).
class LocalTrialRunner : public TrialRunner {
 public:
  LocalTrialRunner(Evaluator& evaluator, LatencyObjective* objective)
      : evaluator_(evaluator), objective_(objective) {}
  int capacity() const override { return 1; }
  void start(int ticket, const Proposal& candidate, const TrialTask& task) override;
  std::pair<int, Evaluation> wait() override;

 private:
  Evaluator& evaluator_;
  LatencyObjective* objective_;
  int ticket_ = -1;
  Architecture arch_;
  TrialTask task_;
};

struct SearchProgress {
  int64_t done = 0, total = 0;  // trials in the store
  const StoredTrial* trial = nullptr;
  // Or a multi-fidelity rung's result (trial is null then), and how many rungs there are.
  const StoredRung* rung = nullptr;
  int rungs = 0;
  double best_reward = 0;
  double elapsed_seconds = 0, eta_seconds = 0;
};

// MnasNet's loop: each step the strategy proposes a batch, every trial is evaluated (or served
// from the store when the same architecture was evaluated before), its reward computed and the
// trial written to the store at once; then the strategy observes the batch and its state is
// written. Resumes from whatever the store holds: the strategy from its last saved state, a step
// cut short by a kill from its stored trials (the strategy proposes the same batch again; stored
// trials are not evaluated twice). A trial whose evaluation fails is stored as "failed" with its
// reason and `failed_reward`; the search goes on. With an `objective`, every trial's latency is
// measured on its devices after the evaluator (scoring.h evaluate_trial) and the reward uses
// their ratios; a device that cannot be reached stops the search with DeviceUnreachable, the
// trial not recorded: `--resume` continues once it is back.
void run_search(Store& store, Strategy& strategy, Evaluator& evaluator, const SearchSpace& space,
                const SearchOptions& options,
                const std::function<void(const SearchProgress&)>& progress,
                LatencyObjective* objective = nullptr);

// The same loop with the evaluations run by `runner`, up to runner.capacity() at once. Each trial
// is stored as soon as it finishes; the strategy still observes each step in proposal order, and
// an architecture proposed twice in one step waits for its first evaluation (then served from it
// when done), so a seeded search with a deterministic evaluator stores the same trials — same
// step, index, architecture, results — whatever the capacity; only ids (the order trials
// finished) and timings differ.
void run_search(Store& store, Strategy& strategy, TrialRunner& runner,
                const SearchOptions& options,
                const std::function<void(const SearchProgress&)>& progress,
                bool has_objective);

}  // namespace mnas

#endif  // MNAS_SEARCH_SEARCH_LOOP_H_
