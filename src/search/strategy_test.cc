#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>
#include <string_view>

#include <nlohmann/json.hpp>
#include "base/error.h"
#include "search/evolution.h"
#include "search/predictor_search.h"
#include "search/random_search.h"
#include "search/reward.h"
#include "search/strategy_factory.h"
#include "search/synthetic_surrogate.h"
#include "space/architecture_codec.h"

namespace mnas {
namespace {

std::vector<Trial> evaluate(const std::vector<Proposal>& proposals, SyntheticSurrogate& surrogate,
                            int step) {
  std::vector<Trial> trials;
  for (const Proposal& p : proposals) {
    Trial t;
    t.tokens = p.tokens;
    t.arch = p.arch;
    t.evaluation = surrogate.evaluate(p.arch);
    t.reward =
        compute_reward(t.evaluation.accuracy, t.evaluation.latency_ms, RewardOptions::soft(20));
    t.step = step;
    trials.push_back(t);
  }
  return trials;
}

// Runs `steps` batches, saves, runs `more` batches; a copy restored from the saved state must
// propose exactly the same in those `more` batches.
void expect_exact_resume(const std::string& name, int steps, int more) {
  const SearchSpace space;
  SyntheticSurrogate surrogate(space, 9);
  auto original = make_strategy(name, space, 11);
  for (int s = 0; s < steps; ++s) original->observe(evaluate(original->propose(8), surrogate, s));
  const std::string state = original->save_state();
  auto restored = make_strategy(name, space, 999);  // another seed: the state must override it
  restored->load_state(state);
  for (int s = 0; s < more; ++s) {
    const std::vector<Proposal> a = original->propose(8);
    const std::vector<Proposal> b = restored->propose(8);
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) {
      ASSERT_EQ(a[i].tokens, b[i].tokens) << name << " step " << s << " proposal " << i;
      ASSERT_EQ(a[i].arch, b[i].arch);
    }
    const std::vector<Trial> trials = evaluate(a, surrogate, steps + s);
    original->observe(trials);
    restored->observe(trials);
  }
}

// FNV-1a over bytes: a short fingerprint of everything a strategy proposed and saved.
uint64_t fingerprint(uint64_t h, std::string_view bytes) {
  for (unsigned char c : bytes) h = (h ^ c) * 1099511628211ull;
  return h;
}

// What each strategy proposes on MnasNet's space, seeded, over 10 steps of 6 with the
// surrogate's rewards, then what a copy restored from its saved state proposes in 2 more: fixed
// here, so that a change to how strategies see the space (a categorical decision space, not CNN
// blocks) cannot change a search quietly. (The controller's saved bytes are not the same twice:
// LibTorch's archive varies; what it restores to does not.)
TEST(Strategies, SeededProposalsAndStatesAreUnchanged) {
  const std::map<std::string, uint64_t> expected = {
      {"ppo", 447056134593279622ull},
      {"reinforce", 5097714139774973239ull},
      {"evolution", 16842720952433368283ull},
      {"random", 15057186512627354110ull},
      {"predictor", 13848449969078854048ull}};
  const SearchSpace space;
  for (const std::string& name : strategy_names()) {
    SyntheticSurrogate surrogate(space, 9);
    auto s = make_strategy(name, space, 5);
    uint64_t h = 14695981039346656037ull;
    const auto step = [&](Strategy& strategy, int index) {
      const std::vector<Proposal> proposals = strategy.propose(6);
      for (const Proposal& p : proposals) {
        for (int t : p.tokens) h = fingerprint(h, std::to_string(t) + ",");
        h = fingerprint(h, to_canonical_string(p.arch));
      }
      strategy.observe(evaluate(proposals, surrogate, index));
    };
    for (int i = 0; i < 10; ++i) step(*s, i);
    auto restored = make_strategy(name, space, 77);
    restored->load_state(s->save_state());
    for (int i = 10; i < 12; ++i) step(*restored, i);
    EXPECT_EQ(h, expected.at(name)) << name;
  }
}

TEST(Strategies, ResumeExactlyFromSavedState) {
  for (const std::string& name : strategy_names()) {
    SCOPED_TRACE(name);
    expect_exact_resume(name, 12, 4);
  }
}

TEST(Strategies, RejectForeignOrDamagedState) {
  const SearchSpace space;
  SearchSpace other = SearchSpace::from_json(R"({"searchable_blocks": [0, 1]})");
  for (const std::string& name : strategy_names()) {
    SCOPED_TRACE(name);
    auto s = make_strategy(name, space, 1);
    const std::string before = s->save_state();
    for (const std::string& foreign : strategy_names()) {
      if (foreign != name) {
        EXPECT_THROW(s->load_state(make_strategy(foreign, space, 1)->save_state()), Error);
      }
    }
    EXPECT_THROW(s->load_state(make_strategy(name, other, 1)->save_state()), Error);
    EXPECT_THROW(s->load_state(""), Error);
    EXPECT_THROW(s->load_state(before.substr(0, before.size() / 2)), Error);
    EXPECT_EQ(s->save_state(), before);  // unchanged by the failed loads
  }
}

TEST(Strategies, ObserveRejectsTokensOfAnotherSpace) {
  const SearchSpace space;
  for (const std::string& name : strategy_names()) {
    auto s = make_strategy(name, space, 1);
    Trial t;
    t.tokens = std::vector<int>(5, 0);
    EXPECT_THROW(s->observe({t}), Error) << name;
    t.tokens = std::vector<int>(42, 0);
    t.tokens[1] = 7;
    EXPECT_THROW(s->observe({t}), Error) << name;
  }
  EXPECT_THROW(make_strategy("annealing", space, 1), Error);
}

TEST(RandomSearch, IsSeededAndUniform) {
  const SearchSpace space;
  RandomSearch a(space.decision_space(), 3), b(space.decision_space(), 3);
  EXPECT_EQ(a.propose(5)[4].tokens, b.propose(5)[4].tokens);
  EXPECT_THROW(a.propose(0), Error);
}

// Trials of `proposals`, the i-th with reward reward_step · i.
std::vector<Trial> as_trials(const std::vector<Proposal>& proposals, double reward_step) {
  std::vector<Trial> trials;
  for (size_t i = 0; i < proposals.size(); ++i) {
    Trial t;
    t.tokens = proposals[i].tokens;
    t.reward = reward_step * static_cast<double>(i);
    trials.push_back(t);
  }
  return trials;
}

// The fewest decisions in which `child` differs from one of `parents`.
int closest_distance(const Proposal& child, const std::vector<Trial>& parents) {
  int closest = 99;
  for (const Trial& parent : parents) {
    int differences = 0;
    for (size_t d = 0; d < child.tokens.size(); ++d)
      differences += child.tokens[d] != parent.tokens[d];
    closest = std::min(closest, differences);
  }
  return closest;
}

TEST(RegularizedEvolution, MutatesOneDecisionOfATournamentWinnerAndAges) {
  const SearchSpace space;
  RegularizedEvolution evo(space.decision_space(), 4, EvolutionOptions{4, 2});
  const std::vector<Trial> trials = as_trials(evo.propose(4), 0.1);
  evo.observe(trials);
  for (const Proposal& child : evo.propose(20)) {
    EXPECT_EQ(closest_distance(child, trials), 1);  // exactly one decision changed
  }
  // Aging: after 4 more observations the first generation is gone.
  const std::vector<Trial> next = as_trials(evo.propose(4), 0.0);
  evo.observe(next);
  for (const Proposal& child : evo.propose(10)) EXPECT_EQ(closest_distance(child, next), 1);
  EXPECT_THROW(RegularizedEvolution(space.decision_space(), 1, EvolutionOptions{1, 1}), Error);
  EXPECT_THROW(RegularizedEvolution(space.decision_space(), 1, EvolutionOptions{4, 5}), Error);
}

// A reward that counts the decisions equal to a hidden target: the predictor finds the target
// within a few steps of a 4-decision space with 5^4 = 625 candidates, never proposing one twice.
TEST(PredictorSearch, FindsAHiddenOptimumWithoutRepeatingItself) {
  const DecisionSpace space({{"a", 0, 5, {}}, {"b", 0, 5, {}}, {"c", 0, 5, {}}, {"d", 0, 5, {}}});
  const std::vector<int> target = {3, 1, 4, 0};
  PredictorSearch s(space, 2);
  std::set<std::vector<int>> seen;
  int found_at = -1;
  for (int step = 0; step < 20 && found_at < 0; ++step) {
    std::vector<Trial> trials;
    for (const Proposal& p : s.propose(6)) {
      EXPECT_TRUE(seen.insert(p.tokens).second) << "proposed twice";
      EXPECT_TRUE(p.arch == Architecture()) << "a decision space has no architectures";
      Trial t;
      t.tokens = p.tokens;
      for (size_t d = 0; d < target.size(); ++d) t.reward += p.tokens[d] == target[d];
      if (p.tokens == target) found_at = static_cast<int>(seen.size());
      trials.push_back(t);
    }
    s.observe(trials);
  }
  EXPECT_GT(found_at, 0);
  EXPECT_LE(found_at, 60);  // random search: 625 / 2 on average
  PredictorOptions bad;
  bad.members = 0;
  EXPECT_THROW(PredictorSearch(space, 1, bad), Error);
  Trial nan;
  nan.tokens = {0, 0, 0, 0};
  nan.reward = std::nan("");
  EXPECT_THROW(s.observe({nan}), Error);
}

// With the reward's parts modelled (accuracy, log LAT/T): the parts are kept in the saved state,
// and a restored copy proposes exactly what the original does.
TEST(PredictorSearch, ModelsTheRewardsPartsAndResumesExactly) {
  const DecisionSpace space({{"a", 0, 5, {}}, {"b", 0, 5, {}}, {"c", 0, 5, {}}, {"d", 0, 5, {}}});
  const RewardOptions reward = RewardOptions::hard(1.0);
  PredictorOptions options;
  model_reward_parts(options, reward);
  const auto trials_of = [&](const std::vector<Proposal>& proposals) {
    std::vector<Trial> trials;
    for (const Proposal& p : proposals) {
      Trial t;
      t.tokens = p.tokens;
      t.evaluation.accuracy = 0.5 + 0.1 * (p.tokens[0] + p.tokens[1]) / 8.0;
      DeviceLatency d;
      d.ratio = 0.5 + 0.25 * (p.tokens[0] + p.tokens[2]);  // accuracy costs latency
      t.evaluation.latencies = {d};
      t.reward = compute_reward(t.evaluation.accuracy, {d.ratio}, reward);
      trials.push_back(t);
    }
    return trials;
  };
  PredictorSearch original(space, 3, options);
  for (int step = 0; step < 5; ++step) original.observe(trials_of(original.propose(6)));
  const std::string state = original.save_state();
  EXPECT_NE(state.find("\"parts\""), std::string::npos);
  PredictorSearch restored(space, 99, options);
  restored.load_state(state);
  for (int step = 0; step < 2; ++step) {
    const std::vector<Proposal> a = original.propose(6), b = restored.propose(6);
    for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].tokens, b[i].tokens);
    original.observe(trials_of(a));
    restored.observe(trials_of(a));
  }
  nlohmann::json damaged = nlohmann::json::parse(state);
  damaged.erase("parts");
  EXPECT_THROW(restored.load_state(damaged.dump()), Error);
}

// On MnasNet's space, token vectors that decode to the same architecture (0.75× and 1× of 16
// filters both round to 16, ...) are one candidate: the predictor never proposes one twice.
TEST(PredictorSearch, NeverProposesAnArchitectureTwiceUnderAnotherName) {
  const SearchSpace space = SearchSpace::from_json(R"({"searchable_blocks": [0]})");
  SyntheticSurrogate surrogate(space, 4);
  auto s = make_strategy("predictor", space, 6);
  std::set<std::string> seen;
  for (int step = 0; step < 12; ++step) {
    const std::vector<Proposal> proposals = s->propose(6);
    for (const Proposal& p : proposals) {
      EXPECT_TRUE(seen.insert(to_canonical_string(p.arch)).second) << "step " << step;
    }
    s->observe(evaluate(proposals, surrogate, step));
  }
}

}  // namespace
}  // namespace mnas
