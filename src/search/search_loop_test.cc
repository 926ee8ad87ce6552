#include "search/search_loop.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <functional>
#include <memory>
#include <set>
#include <utility>

#include "search/counting_evaluator.h"
#include "search/strategy_factory.h"
#include "search/synthetic_surrogate.h"
#include "space/architecture_codec.h"
#include "base/error.h"
#include "testing/fixtures.h"

namespace mnas {
namespace {

std::string temp_store(const std::string& name) { return testing::fresh_path("search_test", name); }

SearchOptions options(int trials) {
  SearchOptions o;
  o.trials = trials;
  o.batch = 8;
  o.reward = RewardOptions::soft(20.0);
  return o;
}

// A random search of `space` into a fresh store, with an evaluator that counts what it trains.
struct RandomSearch {
  explicit RandomSearch(const std::string& store_name, SearchSpace search_space = SearchSpace())
      : space(std::move(search_space)),
        store(temp_store(store_name)),
        strategy(make_strategy("random", space, 2)),
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

std::vector<double> rewards(const Store& s) {
  std::vector<double> r;
  for (const StoredTrial& t : s.trials()) r.push_back(t.reward);
  return r;
}

TEST(SearchLoop, SurrogateSearchOf500Trials) {
  const SearchSpace space;
  Store store(temp_store("500"));
  auto strategy = make_strategy("evolution", space, 1);
  CountingEvaluator evaluator(space);
  int64_t last = 0;
  run_search(store, *strategy, evaluator, space, options(500), [&](const SearchProgress& p) {
    EXPECT_EQ(p.done, last + 1);
    last = p.done;
  });
  EXPECT_EQ(store.trial_count(), 500);
  std::set<std::pair<int, int>> keys;
  for (const StoredTrial& t : store.trials()) {
    EXPECT_TRUE(keys.insert({t.step, t.index}).second);
    EXPECT_EQ(parse_architecture_string(t.canonical), space.decode(t.tokens));
  }
  EXPECT_FALSE(pareto_front(store.trials()).empty());
}

// Kill the search at several moments, resume each time: the store ends with exactly the trials
// an uninterrupted run makes, with the same rewards in the same order.
TEST(SearchLoop, ResumesAfterKillsWithoutLosingOrRepeatingTrials) {
  const SearchSpace space;
  for (const std::string name : {"ppo", "evolution", "random"}) {
    SCOPED_TRACE(name);
    Store reference(temp_store(name + "_ref"));
    {
      auto strategy = make_strategy(name, space, 7);
      CountingEvaluator evaluator(space);
      run_search(reference, *strategy, evaluator, space, options(60), nullptr);
    }
    const std::string path = temp_store(name + "_killed");
    int evaluations = 0;
    for (int kill_at : {3, 10, 1, 17, 5, 100}) {
      Store store(path);
      auto strategy = make_strategy(name, space, 7);
      CountingEvaluator evaluator(space);
      evaluator.kill_at = kill_at;
      try {
        run_search(store, *strategy, evaluator, space, options(60), nullptr);
      } catch (const Killed&) {
      }
      evaluations += std::min(evaluator.calls, kill_at);
    }
    Store store(path);
    EXPECT_EQ(store.trial_count(), 60);
    EXPECT_EQ(rewards(store), rewards(reference));
    EXPECT_LE(evaluations, 60);  // never evaluated twice (some are served from the store)
  }
}

TEST(SearchLoop, FailedTrialsAreRecordedAndTheSearchGoesOn) {
  RandomSearch search("failed");
  search.evaluator.fail_if = [](const Architecture& arch) {
    return arch.blocks[0].op == ConvOp::kConv;
  };
  SearchOptions o = options(40);
  o.failed_reward = -0.5;
  search.run(o);
  EXPECT_EQ(search.store.trial_count(), 40);
  int failed = 0;
  for (const StoredTrial& t : search.store.trials()) {
    if (t.status == "failed") {
      ++failed;
      EXPECT_EQ(t.failure, "diverged: injected");
      EXPECT_EQ(t.reward, -0.5);
    }
  }
  EXPECT_GT(failed, 0);
  EXPECT_LT(failed, 40);
}

TEST(SearchLoop, IdenticalArchitecturesAreEvaluatedOnce) {
  RandomSearch search("cache", SearchSpace::from_json(R"({
    "choices": {"ops": ["dconv"], "kernels": [3], "se_ratios": [0], "skips": ["none"],
                "filter_ratios": [1.0], "layer_deltas": [0, 1]},
    "searchable_blocks": [0]})"));  // two architectures in all
  search.run(options(20));
  EXPECT_EQ(search.store.trial_count(), 20);
  EXPECT_LE(search.evaluator.calls, 2);
  int cached = 0;
  for (const StoredTrial& t : search.store.trials()) cached += t.cached;
  EXPECT_EQ(cached, 20 - search.evaluator.calls);
}

// `--trials` is often set far beyond what `--time-budget` allows; the ETA then counts down the
// budget, not the trials.
TEST(SearchLoop, UnderATimeBudgetTheEtaIsTheBudgetLeft) {
  RandomSearch search("budget");
  SearchOptions o = options(1000000000);
  o.time_budget_seconds = 0.2;
  int reports = 0;
  double last_eta = 1e9;
  search.run(o, [&](const SearchProgress& p) {
    ++reports;
    EXPECT_GE(p.eta_seconds, 0);
    EXPECT_LE(p.eta_seconds, 0.2);
    EXPECT_LE(p.eta_seconds, last_eta);  // it only counts down
    last_eta = p.eta_seconds;
  });
  EXPECT_GT(reports, 0);
  EXPECT_EQ(search.store.trial_count(), reports);
}

TEST(SearchLoop, BadOptionsAndUnusableStores) {
  RandomSearch search("bad");
  SearchOptions o = options(10);
  o.reward.target_ms = 0;
  EXPECT_THROW(search.run(o), Error);
  o = options(0);
  EXPECT_THROW(search.run(o), Error);
  EXPECT_THROW(Store("/nonexistent/dir/store.db"), Error);
  const std::string junk = temp_store("junk");
  std::ofstream(junk)
      << "this is not a database, just text that is long enough to look like one......";
  EXPECT_THROW(Store{junk}, Error);
}

TEST(ParetoFront, KeepsOnlyNonDominatedTrials) {
  const auto t = [](double acc, double lat, const char* id) {
    StoredTrial s;
    s.status = "done";
    s.accuracy = acc;
    s.latency_ms = lat;
    s.canonical = id;
    return s;
  };
  const std::vector<StoredTrial> front = pareto_front(
      {t(0.8, 10, "a"), t(0.7, 5, "b"), t(0.75, 12, "c"), t(0.9, 20, "d"), t(0.6, 6, "e")});
  ASSERT_EQ(front.size(), 3u);
  EXPECT_EQ(front[0].canonical, "b");
  EXPECT_EQ(front[1].canonical, "a");
  EXPECT_EQ(front[2].canonical, "d");
}

}  // namespace
}  // namespace mnas
