#ifndef MNAS_SEARCH_SEARCH_LOOP_H_
#define MNAS_SEARCH_SEARCH_LOOP_H_

#include <functional>

#include "search/reward.h"
#include "search/store.h"
#include "search/strategy.h"
#include "search/trial.h"
#include "space/search_space.h"

namespace mnas {

struct SearchOptions {
  int trials = 100;                // total trials in the store when the search ends; Default: 100
  int batch = 8;                   // proposals per strategy step; Default: 8
  double time_budget_seconds = 0;  // stop starting trials after this long; 0 = no limit
  RewardOptions reward;            // target_ms must be set
  double failed_reward = 0.0;      // reward a failed trial teaches the strategy; Default: 0
};

struct SearchProgress {
  int64_t done = 0, total = 0;  // trials in the store
  const StoredTrial* trial = nullptr;
  double best_reward = 0;
  double elapsed_seconds = 0, eta_seconds = 0;
};

// MnasNet's loop: each step the strategy proposes a batch, every trial is evaluated (or served
// from the store when the same architecture was evaluated before), its reward computed and the
// trial written to the store at once; then the strategy observes the batch and its state is
// written. Resumes from whatever the store holds: the strategy from its last saved state, a step
// cut short by a kill from its stored trials (the strategy proposes the same batch again; stored
// trials are not evaluated twice). A trial whose evaluation fails is stored as "failed" with its
// reason and `failed_reward`; the search goes on.
void run_search(Store& store, Strategy& strategy, Evaluator& evaluator, const SearchSpace& space,
                const SearchOptions& options,
                const std::function<void(const SearchProgress&)>& progress);

// The non-dominated trials (no other done trial is both at least as accurate and at least as fast,
// and better in one), sorted by latency; one per architecture.
std::vector<StoredTrial> pareto_front(const std::vector<StoredTrial>& trials);

}  // namespace mnas

#endif  // MNAS_SEARCH_SEARCH_LOOP_H_
