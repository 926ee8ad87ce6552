#ifndef MNAS_SEARCH_SEARCH_FIXTURES_H_
#define MNAS_SEARCH_SEARCH_FIXTURES_H_

// For tests, as counting_evaluator.h is: the options most search tests start from, a search with
// a CountingEvaluator, and one run through kills.

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "search/counting_evaluator.h"
#include "search/reward.h"
#include "search/search_loop.h"
#include "search/strategy_factory.h"
#include "space/search_space.h"
#include "store/store.h"

namespace mnas {

// `trials` in steps of `batch` proposals, for the soft reward at T = target_ms.
inline SearchOptions soft_search(int trials, int batch, double target_ms) {
  SearchOptions o;
  o.trials = trials;
  o.batch = batch;
  o.reward = RewardOptions::soft(target_ms);
  return o;
}

// A search over `space` into the store at `path` (resumed when it holds one) with the named
// strategy and a CountingEvaluator: a test sets the evaluator up, runs, and reads the store.
struct CountingSearch {
  CountingSearch(const std::string& path, const std::string& strategy_name, uint64_t seed,
                 SearchSpace search_space = SearchSpace())
      : space(std::move(search_space)),
        store(path),
        strategy(make_strategy(strategy_name, space, seed)),
        evaluator(space) {}
  void run(const SearchOptions& o,
           const std::function<void(const SearchProgress&)>& progress = nullptr) {
    run_search(store, *strategy, evaluator, space, o, progress);
  }

  const SearchSpace space;
  Store store;
  std::unique_ptr<Strategy> strategy;
  CountingEvaluator evaluator;
};

// Runs the search of the store at `path` once per entry of `kill_at`, each time with a fresh
// strategy and CountingEvaluator that is killed at that many evaluations (the store and a resume
// carry the search on). Returns the evaluations made before the kills, over all the runs.
inline int run_through_kills(const std::string& path, const std::string& strategy, uint64_t seed,
                             const SearchSpace& space, const SearchOptions& options,
                             const std::vector<int>& kill_at) {
  int evaluations = 0;
  for (int k : kill_at) {
    CountingSearch search(path, strategy, seed, space);
    search.evaluator.kill_at = k;
    try {
      search.run(options);
    } catch (const Killed&) {
    }
    evaluations += std::min(search.evaluator.calls, k);
  }
  return evaluations;
}

}  // namespace mnas

#endif  // MNAS_SEARCH_SEARCH_FIXTURES_H_
