// Multi-fidelity inside the search loop: who trains at which rung, the rewards the strategy
// learns from, and a search killed mid-rung that resumes without repeating an evaluation.
#include "search/fidelity.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <map>

#include "search/counting_evaluator.h"
#include "search/reward.h"
#include "search/search_config.h"
#include "search/search_fixtures.h"
#include "search/search_loop.h"
#include "search/strategy_factory.h"
#include "search/synthetic_surrogate.h"
#include "testing/fixtures.h"

namespace mnas {
namespace {

std::string temp_store(const std::string& name) {
  return testing::fresh_path("fidelity_test", name);
}

SearchOptions fidelity_options(int trials) {
  SearchOptions o = soft_search(trials, 6, 20.0);
  o.fidelity.rungs = {1000, 5000};
  o.fidelity.keep = 3;
  o.proxy_holdout = 2000;
  return o;
}

TEST(Fidelity, ALowerRungScoresItsShareOfTheHeldOutImages) {
  EXPECT_EQ(rung_holdout(2000, 5000, 5000), 2000);
  EXPECT_EQ(rung_holdout(2000, 2500, 5000), 1000);
  EXPECT_EQ(rung_holdout(2000, 1000, 5000), 500);  // at least kMinRungHoldout
  EXPECT_EQ(rung_holdout(300, 1000, 5000), 300);   // never more than the proxy's own
  EXPECT_EQ(rung_holdout(0, 1000, 5000), 0);       // the evaluator's own
}

TEST(Fidelity, PromotesTheBestShareOfEachRung) {
  EXPECT_EQ(promoted_count(0, 3), 0);
  EXPECT_EQ(promoted_count(1, 3), 1);
  EXPECT_EQ(promoted_count(6, 3), 2);
  EXPECT_EQ(promoted_count(7, 3), 3);
  EXPECT_EQ(promoted_count(6, 2), 3);
}

TEST(Fidelity, TheGainToTheLastRungIsTheMedianOverProposalsTrainedAtBoth) {
  const auto rung = [](int step, int index, int k, double accuracy, const char* status = "done") {
    StoredRung r;
    r.step = step;
    r.index = index;
    r.rung = k;
    r.accuracy = accuracy;
    r.status = status;
    return r;
  };
  EXPECT_EQ(rung_gain({}, 0, 1), 0);
  EXPECT_EQ(rung_gain({rung(0, 0, 0, 0.5)}, 0, 1), 0);  // nothing trained at both yet
  const std::vector<StoredRung> rungs = {
      rung(0, 0, 0, 0.50), rung(0, 0, 1, 0.70),            // +0.20
      rung(0, 1, 0, 0.60), rung(0, 1, 1, 0.70),            // +0.10
      rung(1, 0, 0, 0.40), rung(1, 0, 1, 0.75),            // +0.35
      rung(1, 1, 0, 0.90),                                 // not promoted: no pair
      rung(1, 2, 0, 0.30), rung(1, 2, 1, 0.0, "failed")};  // failed at the top: no pair
  EXPECT_NEAR(rung_gain(rungs, 0, 1), 0.20, 1e-12);
}

TEST(Fidelity, EveryProposalTrainsOnTheFirstRungAndTheBestThirdOnTheFull) {
  CountingSearch search(temp_store("rungs"), "random", 5);
  const SearchSpace& space = search.space;
  Store& store = search.store;
  CountingEvaluator& evaluator = search.evaluator;
  int rung_reports = 0;
  search.run(fidelity_options(24),
             [&](const SearchProgress& p) { rung_reports += p.rung != nullptr; });
  ASSERT_EQ(store.trial_count(), 24);
  const std::vector<StoredRung> rungs = store.rungs();
  int first = 0, full = 0;
  for (const StoredRung& r : rungs) (r.rung == 0 ? first : full)++;
  EXPECT_EQ(rung_reports, static_cast<int>(rungs.size()));
  EXPECT_EQ(evaluator.by_images[1000], first);
  EXPECT_EQ(evaluator.by_images[5000], full);
  EXPECT_EQ(evaluator.by_images.size(), 2u);
  EXPECT_EQ(evaluator.holdouts[1000], 500);   // a fifth of 2,000 is 400; at least 500
  EXPECT_EQ(evaluator.holdouts[5000], 2000);  // the full proxy's
  EXPECT_GE(first, 20);  // every proposal, less the few served from the store
  EXPECT_EQ(full, 8);    // 2 of each step's 6

  // Per step: the full rung went to the two best rewards of the first rung.
  for (int step = 0; step < 4; ++step) {
    std::vector<std::pair<double, int>> first_rung;
    std::vector<int> promoted;
    for (const StoredRung& r : store.rungs(step)) {
      if (r.rung == 0) first_rung.push_back({r.reward, r.index});
      if (r.rung == 1) promoted.push_back(r.index);
    }
    std::sort(first_rung.rbegin(), first_rung.rend());
    ASSERT_EQ(promoted.size(), 2u);
    std::vector<int> best = {first_rung[0].second, first_rung[1].second};
    std::sort(best.begin(), best.end());
    EXPECT_EQ(promoted, best) << "step " << step;
  }

  // Trials: the full ones carry the full rung's accuracy; the others their first rung's, with a
  // reward of that accuracy plus the gain the promoted proposals showed.
  const double gain = rung_gain(rungs, 0, 1);
  EXPECT_GT(gain, 0.05);  // the surrogate's first rung is well below the full proxy
  int partial = 0;
  for (const StoredTrial& t : store.trials()) {
    if (t.cached) continue;
    ASSERT_EQ(t.status, "done");
    EXPECT_EQ(t.partial, t.rung == 0);
    if (!t.partial) {
      EXPECT_NEAR(t.accuracy, SyntheticSurrogate(space, 3).evaluate_at(
                                  space.decode(t.tokens), 5000, 2000).accuracy, 1e-12);
      continue;
    }
    ++partial;
    // The gain at the time the trial was stored (its step's end) is the one the reward used.
    std::vector<StoredRung> until;
    for (const StoredRung& r : rungs) {
      if (r.step <= t.step) until.push_back(r);
    }
    const double comparable = std::min(1.0, t.accuracy + rung_gain(until, 0, 1));
    EXPECT_NEAR(t.reward, compute_reward(comparable, t.latency_ms, RewardOptions::soft(20.0)),
                1e-9);
  }
  EXPECT_GE(partial, 12);
  for (const StoredTrial& t : pareto_front(store.trials())) EXPECT_FALSE(t.partial);
}

// An evaluation that failed with numbers in it (a run that diverged after a first score): the
// rung row keeps the failure and none of the numbers.
class FailingWithNumbers : public CountingEvaluator {
 public:
  using CountingEvaluator::CountingEvaluator;
  Evaluation evaluate_at(const Architecture& arch, int64_t images, int64_t holdout) override {
    Evaluation e = CountingEvaluator::evaluate_at(arch, images, holdout);
    e.ok = false;
    e.failure = "diverged: after a score";
    return e;
  }
};

TEST(Fidelity, AFailedRungIsStoredWithItsReasonAndNoAccuracyOrLatency) {
  const SearchSpace space;
  FailingWithNumbers evaluator(space);
  Store store(temp_store("failed_rungs"));
  run_search(store, *make_strategy("random", space, 5), evaluator, space, fidelity_options(6),
             nullptr);
  ASSERT_FALSE(store.rungs().empty());
  for (const StoredRung& r : store.rungs()) {
    EXPECT_EQ(r.status, "failed");
    EXPECT_EQ(r.failure, "diverged: after a score");
    EXPECT_EQ(r.accuracy, 0);
    EXPECT_EQ(r.latency_ms, 0);
    EXPECT_EQ(r.latency_json, "");
    EXPECT_TRUE(r.latencies.empty());
  }
}

// With continue_runs every rung, the last included, is asked for as part of the full proxy's run;
// without it, as a run of its own.
TEST(Fidelity, ContinuedRunsAskEveryRungAsPartOfTheFullRun) {
  for (const bool continued : {false, true}) {
    CountingSearch search(temp_store(continued ? "continued" : "restarted"), "random", 5);
    CountingEvaluator& evaluator = search.evaluator;
    SearchOptions o = fidelity_options(12);
    o.fidelity.continue_runs = continued;
    search.run(o);
    ASSERT_EQ(search.store.trial_count(), 12);
    if (continued) {
      ASSERT_EQ(evaluator.by_run_images.size(), 1u);
      EXPECT_EQ(evaluator.by_run_images[5000], evaluator.calls);
      EXPECT_EQ(evaluator.by_images[5000], 4);  // 2 of each step's 6, as without
    } else {
      EXPECT_TRUE(evaluator.by_run_images.empty());
    }
  }
}

// Kill the search at several moments (inside either rung), resume each time: the store ends with
// the trials and rungs of an uninterrupted run, and nothing was trained twice.
TEST(Fidelity, ASearchKilledMidRungResumesWithoutRepeatingAnEvaluation) {
  const SearchSpace space;
  std::vector<double> reference_rewards;
  int reference_calls = 0;
  size_t reference_rungs = 0;
  {
    CountingSearch reference(temp_store("reference"), "ppo", 7);
    reference.run(fidelity_options(30));
    for (const StoredTrial& t : reference.store.trials()) reference_rewards.push_back(t.reward);
    reference_calls = reference.evaluator.calls;
    reference_rungs = reference.store.rungs().size();
  }
  const std::string path = temp_store("killed");
  const int calls =
      run_through_kills(path, "ppo", 7, space, fidelity_options(30), {4, 7, 2, 9, 6, 1000});
  Store store(path);
  ASSERT_EQ(store.trial_count(), 30);
  std::vector<double> rewards;
  for (const StoredTrial& t : store.trials()) rewards.push_back(t.reward);
  std::sort(rewards.begin(), rewards.end());
  std::sort(reference_rewards.begin(), reference_rewards.end());
  EXPECT_EQ(rewards, reference_rewards);
  EXPECT_EQ(store.rungs().size(), reference_rungs);
  EXPECT_EQ(calls, reference_calls);  // no rung evaluated twice
}

TEST(Fidelity, TheConfigurationChecksItsRungs) {
  SearchConfig c;
  c.fidelity.rungs = {1000, 5000};
  EXPECT_NO_THROW(validate(c));
  const auto refused = [](const SearchConfig& config, const std::string& part) {
    try {
      validate(config);
      ADD_FAILURE() << "accepted; expected " << part;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
    }
  };
  SearchConfig bad = c;
  bad.fidelity.rungs = {1000, 4000};
  refused(bad, "the last rung is the full proxy");
  bad.fidelity.rungs = {5000, 1000, 5000};
  refused(bad, "more than the last");
  bad.fidelity.rungs = {5000};
  refused(bad, "2 to 8 rungs");
  bad = c;
  bad.fidelity.keep = 1;
  refused(bad, "fidelity.keep");
  bad = c;
  bad.evaluator = "cmd:python3 train.py";
  refused(bad, "a cmd: evaluator");
  // Kept by the store's JSON; older configurations without it read as none.
  const SearchConfig back = search_config_from_json(search_config_json(c), "config");
  EXPECT_EQ(back.fidelity.rungs, c.fidelity.rungs);
  EXPECT_EQ(back.fidelity.keep, 3);
  EXPECT_FALSE(back.fidelity.continue_runs);
  bad = c;
  bad.fidelity.rungs.clear();
  bad.fidelity.continue_runs = true;
  refused(bad, "fidelity.continue: only with fidelity.rungs");
  SearchConfig continued = c;
  continued.fidelity.continue_runs = true;
  EXPECT_TRUE(search_config_from_json(search_config_json(continued), "config")
                  .fidelity.continue_runs);
  nlohmann::json j = search_config_json(continued);
  j["fidelity"]["continue"] = "yes";
  EXPECT_THROW(search_config_from_json(j, "config"), Error);
  nlohmann::json old = search_config_json(SearchConfig{});
  old.erase("fidelity");
  EXPECT_TRUE(search_config_from_json(old, "config").fidelity.rungs.empty());
  old = search_config_json(c);  // written before continue_runs: rungs from scratch
  old["fidelity"].erase("continue");
  EXPECT_FALSE(search_config_from_json(old, "config").fidelity.continue_runs);
}

}  // namespace
}  // namespace mnas
