#ifndef MNAS_SEARCH_PREDICTOR_SEARCH_H_
#define MNAS_SEARCH_PREDICTOR_SEARCH_H_

#include <cstdint>
#include <functional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "search/boosted_trees.h"
#include "search/reward.h"
#include "search/strategy.h"

namespace mnas {

struct PredictorOptions {
  int initial = 12;   // random proposals before the first model; Default: 12 (two steps of 6)
  int members = 5;    // boosted-tree models in the ensemble; Default: 5
  BoostedTreesOptions trees;
  int parents = 10;   // best trials whose neighbours are candidates; Default: 10
  int mutations = 200;  // further candidates: 2-3 decisions of a parent changed; Default: 200
  int random_candidates = 200;  // further candidates: uniform samples; Default: 200
  double kappa = 0.5;  // acquisition: predicted mean + kappa · the members' spread; Default: 0.5
  int max_training = 1000;  // observations the model is fitted on at most; Default: 1000
  // Besides each decision's token, the model reads how often each choice is taken among the
  // decisions that offer the same named choices (e.g. how many edges are 3×3 convolutions, how
  // many blocks are mbconv_e6). Default: on
  bool choice_counts = true;
  // The model learns the rewards' ranks (ties shared), not their values: the few poor trials
  // (a disconnected cell's 10%) then do not dominate the squared error. Default: on
  bool rank_targets = true;
  // Optional: the reward's parts, modelled one by one. `objectives` gives a trial's parts (e.g.
  // accuracy and each device's log latency ratio; empty for a failed trial) and `combine` the
  // reward of predicted parts: the model then knows, say, that a candidate is accurate but over
  // T, which one model of the hard reward cannot tell from its rewards alone. Not part of the
  // saved state (the search rebuilds both from its configuration). Default: none (one model of
  // the reward).
  std::function<std::vector<double>(const Trial&)> objectives;
  std::function<double(const std::vector<double>&)> combine;
  // Optional: the candidate a token vector stands for (MnasNet's space: tokens that decode to the
  // same architecture are one candidate), so that none is proposed twice under another name.
  // Default: the tokens themselves
  std::function<std::vector<int>(const std::vector<int>&)> canonical;
};

// Sets `options`' objectives and combine to MnasNet's reward: the parts are the accuracy and,
// per device, log(LAT/T) (from the trial's latencies, or its single latency over
// reward.target_ms when it has none), recombined by compute_reward.
void model_reward_parts(PredictorOptions& options, const RewardOptions& reward);

// Throws mnas::Error naming the bad option.
void validate(const PredictorOptions& options);

// Predictor-guided search: a model of the reward learnt from every trial so far proposes what
// to try next. After `initial` random proposals, each step fits an ensemble of boosted-tree
// models (boosted_trees.h) to the trials' rewards (standardised) from their tokens and choice
// counts, makes candidates — every
// one-decision neighbour of the `parents` best trials, `mutations` two- or three-decision
// mutations of them, `random_candidates` uniform samples — drops those already proposed, and
// proposes the n with the highest upper confidence bound (mean + kappa · standard deviation over
// the ensemble). Never proposes a candidate twice while unproposed ones remain.
//
// Cost per step, bounded: members · trees · depth · min(trials, max_training) · features to fit
// (once per modelled part), and members · trees · depth per candidate to score: ~2 s of one
// core for a whole 400-trial search on NAS-Bench-201 with three parts (bench/table_search).
class PredictorSearch : public Strategy {
 public:
  PredictorSearch(const DecisionSpace& space, uint64_t seed, PredictorOptions options = {});
  std::string name() const override { return "predictor"; }
  MNAS_STRATEGY_STEPS;

 private:
  std::vector<int> fresh_sample(const std::set<std::vector<int>>& taken);
  std::vector<int> features(const std::vector<int>& tokens) const;
  std::vector<int> key(const std::vector<int>& tokens) const;  // what proposed_ holds
  std::vector<int> training_rows() const;
  std::vector<std::vector<int>> candidates(const std::set<std::vector<int>>& taken);

  DecisionSpace space_;
  PredictorOptions options_;
  FeatureLayout layout_;
  // Per count feature: the decisions it counts over and the choice it counts.
  std::vector<std::pair<std::vector<int>, int>> counts_;
  std::mt19937_64 rng_;
  std::vector<std::vector<int>> observed_;  // in the order observed
  std::vector<double> rewards_;
  std::vector<std::vector<double>> parts_;  // per observation, when options_.objectives is set
  std::set<std::vector<int>> proposed_;  // canonical tokens (options_.canonical)
};

}  // namespace mnas

#endif  // MNAS_SEARCH_PREDICTOR_SEARCH_H_
