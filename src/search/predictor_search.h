#ifndef MNAS_SEARCH_PREDICTOR_SEARCH_H_
#define MNAS_SEARCH_PREDICTOR_SEARCH_H_

#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "search/boosted_trees.h"
#include "search/strategy.h"

namespace mnas {

struct PredictorOptions {
  int initial = 12;   // random proposals before the first model; Default: 12 (two steps of 6)
  int members = 5;    // boosted-tree models in the ensemble; Default: 5
  BoostedTreesOptions trees;
  int parents = 10;   // best trials whose neighbours are candidates; Default: 10
  int mutations = 200;  // further candidates: 2-3 decisions of a parent changed; Default: 200
  int random_candidates = 200;  // further candidates: uniform samples; Default: 200
  double kappa = 1.0;  // acquisition: predicted mean + kappa · the members' spread; Default: 1
  int max_training = 1000;  // observations the model is fitted on at most; Default: 1000
};

// Throws mnas::Error naming the bad option.
void validate(const PredictorOptions& options);

// Predictor-guided search: a model of the reward learnt from every trial so far proposes what
// to try next. After `initial` random proposals, each step fits an ensemble of boosted-tree
// models (boosted_trees.h) to the trials' rewards (standardised), makes candidates — every
// one-decision neighbour of the `parents` best trials, `mutations` two- or three-decision
// mutations of them, `random_candidates` uniform samples — drops those already proposed, and
// proposes the n with the highest upper confidence bound (mean + kappa · standard deviation over
// the ensemble). Never proposes a candidate twice while unproposed ones remain.
//
// Cost per step, bounded: members · trees · depth · min(trials, max_training) · decisions to fit,
// and members · trees · depth per candidate to score (~5 ms a step on NAS-Bench-201's space
// at 400 trials on one core).
class PredictorSearch : public Strategy {
 public:
  PredictorSearch(const DecisionSpace& space, uint64_t seed, PredictorOptions options = {});
  std::string name() const override { return "predictor"; }
  std::vector<Proposal> propose(int n) override;
  void observe(const std::vector<Trial>& trials) override;
  std::string save_state() const override;
  void load_state(std::string_view state) override;

 private:
  std::vector<int> fresh_sample(const std::set<std::vector<int>>& taken);
  std::vector<std::vector<int>> candidates(const std::set<std::vector<int>>& taken);

  DecisionSpace space_;
  PredictorOptions options_;
  std::mt19937_64 rng_;
  std::vector<std::vector<int>> observed_;  // in the order observed
  std::vector<double> rewards_;
  std::set<std::vector<int>> proposed_;
};

}  // namespace mnas

#endif  // MNAS_SEARCH_PREDICTOR_SEARCH_H_
