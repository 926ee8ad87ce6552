#include "search/search_loop.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <set>

#include "base/error.h"
#include "search/counting_evaluator.h"
#include "search/search_fixtures.h"
#include "search/synthetic_surrogate.h"
#include "space/architecture_codec.h"
#include "testing/fixtures.h"

namespace mnas {
namespace {

std::string temp_store(const std::string& name) { return testing::fresh_path("search_test", name); }

SearchOptions options(int trials) { return soft_search(trials, 8, 20.0); }

std::vector<double> rewards(const Store& s) {
  std::vector<double> r;
  for (const StoredTrial& t : s.trials()) r.push_back(t.reward);
  return r;
}

TEST(SearchLoop, SurrogateSearchOf500Trials) {
  CountingSearch search(temp_store("500"), "evolution", 1);
  Store& store = search.store;
  int64_t last = 0;
  search.run(options(500), [&](const SearchProgress& p) {
    EXPECT_EQ(p.done, last + 1);
    last = p.done;
  });
  EXPECT_EQ(store.trial_count(), 500);
  std::set<std::pair<int, int>> keys;
  for (const StoredTrial& t : store.trials()) {
    EXPECT_TRUE(keys.insert({t.step, t.index}).second);
    EXPECT_EQ(parse_architecture_string(t.canonical), search.space.decode(t.tokens));
  }
  EXPECT_FALSE(pareto_front(store.trials()).empty());
}

// Kill the search at several moments, resume each time: the store ends with exactly the trials
// an uninterrupted run makes, with the same rewards in the same order.
TEST(SearchLoop, ResumesAfterKillsWithoutLosingOrRepeatingTrials) {
  const SearchSpace space;
  for (const std::string name : {"ppo", "evolution", "random"}) {
    SCOPED_TRACE(name);
    CountingSearch reference(temp_store(name + "_ref"), name, 7);
    reference.run(options(60));
    const std::string path = temp_store(name + "_killed");
    const int evaluations =
        run_through_kills(path, name, 7, space, options(60), {3, 10, 1, 17, 5, 100});
    Store store(path);
    EXPECT_EQ(store.trial_count(), 60);
    EXPECT_EQ(rewards(store), rewards(reference.store));
    EXPECT_LE(evaluations, 60);  // never evaluated twice (some are served from the store)
  }
}

TEST(SearchLoop, FailedTrialsAreRecordedAndTheSearchGoesOn) {
  CountingSearch search(temp_store("failed"), "random", 2);
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
  CountingSearch search(temp_store("cache"), "random", 2, SearchSpace::from_json(R"({
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
  CountingSearch search(temp_store("budget"), "random", 2);
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
  CountingSearch search(temp_store("bad"), "random", 2);
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
