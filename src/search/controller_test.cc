#include "search/controller.h"
#include "space/search_space.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>

#include "base/error.h"

namespace mnas {
namespace {

// One searchable block: six decisions, 432 sequences; the reward is the share of decisions equal
// to a fixed best sequence, so the best sequence is known and unique.
SearchSpace one_block_space() { return SearchSpace::from_json(R"({"searchable_blocks": [3]})"); }

const std::vector<int> kBest = {2, 1, 0, 2, 1, 0};

double synthetic_reward(const std::vector<int>& tokens) {
  int same = 0;
  for (size_t i = 0; i < tokens.size(); ++i) same += tokens[i] == kBest[i];
  return static_cast<double>(same) / static_cast<double>(tokens.size());
}

// Number of updates until π(best) > 0.5, or -1 if it does not happen within `max_updates`.
int updates_to_learn(ControllerOptions::Algorithm algorithm, uint64_t seed, int max_updates) {
  ControllerOptions options;
  options.algorithm = algorithm;
  options.learning_rate = 0.01;
  Controller c(one_block_space().decision_space(), seed, options);
  EXPECT_NEAR(std::exp(c.log_probability(kBest)), 1.0 / 432, 1.0 / 432);  // near uniform at start
  for (int u = 1; u <= max_updates; ++u) {
    std::vector<Trial> trials;
    for (Proposal& p : c.propose(16)) {
      Trial t;
      t.reward = synthetic_reward(p.tokens);
      t.tokens = std::move(p.tokens);
      trials.push_back(std::move(t));
    }
    c.observe(trials);
    if (std::exp(c.log_probability(kBest)) > 0.5) return u;
  }
  return -1;
}

TEST(Controller, PpoLearnsTheBestSequence) {
  for (uint64_t seed : {1, 2, 3}) {
    const int updates = updates_to_learn(ControllerOptions::Algorithm::kPpo, seed, 150);
    EXPECT_GT(updates, 0) << "seed " << seed << ": π(best) stayed ≤ 0.5 for 150 updates";
  }
}

TEST(Controller, ReinforceLearnsTheBestSequence) {
  for (uint64_t seed : {1, 2}) {
    const int updates = updates_to_learn(ControllerOptions::Algorithm::kReinforce, seed, 300);
    EXPECT_GT(updates, 0) << "seed " << seed;
  }
}

TEST(Controller, SameSeedSameProposals) {
  const SearchSpace space;
  Controller a(space.decision_space(), 5), b(space.decision_space(), 5),
      c(space.decision_space(), 6);
  const auto pa = a.propose(4), pb = b.propose(4), pc = c.propose(4);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(pa[i].tokens, pb[i].tokens);
  EXPECT_NE(pa[0].tokens, pc[0].tokens);
}

TEST(Controller, ProbabilitiesAreNormalised) {
  Controller c(one_block_space().decision_space(), 1);
  double total = 0;
  const std::vector<int> vocab = {4, 2, 2, 3, 3, 3};
  std::vector<int> t(6, 0);
  // Sum π over all 432 sequences.
  for (int i = 0; i < 432; ++i) {
    int rest = i;
    for (int d = 5; d >= 0; --d) {
      t[d] = rest % vocab[d];
      rest /= vocab[d];
    }
    total += std::exp(c.log_probability(t));
  }
  EXPECT_NEAR(total, 1.0, 1e-4);
}

TEST(Controller, BaselineIsAnExponentialMovingAverage) {
  Controller c(one_block_space().decision_space(), 1);
  std::vector<Trial> trials(2);
  trials[0].tokens = trials[1].tokens = kBest;
  trials[0].reward = 0.4;
  trials[1].reward = 0.6;
  c.observe(trials);  // starts at the batch mean 0.5, then 0.5 → 0.495 → 0.50025
  EXPECT_NEAR(c.baseline(), 0.95 * (0.95 * 0.5 + 0.05 * 0.4) + 0.05 * 0.6, 1e-12);
}

TEST(Controller, InvalidOptionsAreErrors) {
  const SearchSpace space;
  ControllerOptions o;
  o.learning_rate = 0;
  EXPECT_THROW(Controller(space.decision_space(), 1, o), Error);
  o = ControllerOptions();
  o.clip = 1.5;
  EXPECT_THROW(Controller(space.decision_space(), 1, o), Error);
  o = ControllerOptions();
  o.hidden = 0;
  EXPECT_THROW(Controller(space.decision_space(), 1, o), Error);
  Controller c(space.decision_space(), 1);
  std::vector<Trial> t(1);
  t[0].tokens = std::vector<int>(42, 0);
  t[0].reward = std::nan("");
  EXPECT_THROW(c.observe(t), Error);
}

}  // namespace
}  // namespace mnas
