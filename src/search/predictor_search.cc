#include "search/predictor_search.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "search/strategy_state.h"
#include "space/error.h"

namespace mnas {

void validate(const PredictorOptions& o) {
  const auto check = [](bool ok, const std::string& message) {
    if (!ok) throw Error(message);
  };
  check(o.initial >= 1 && o.initial <= 100000, "predictor initial proposals: must be in [1, 100000]");
  check(o.members >= 1 && o.members <= 64, "predictor ensemble members: must be in [1, 64]");
  check(o.trees.trees >= 1 && o.trees.trees <= 10000, "predictor trees: must be in [1, 10000]");
  check(o.trees.depth >= 1 && o.trees.depth <= 12, "predictor tree depth: must be in [1, 12]");
  check(std::isfinite(o.trees.learning_rate) && o.trees.learning_rate > 0 &&
            o.trees.learning_rate <= 1,
        "predictor learning rate: must be in (0, 1]");
  check(o.trees.min_leaf >= 1, "predictor min leaf: must be ≥ 1");
  check(o.parents >= 1 && o.mutations >= 0 && o.random_candidates >= 0,
        "predictor candidates: parents ≥ 1, mutations and random candidates ≥ 0");
  check(std::isfinite(o.kappa) && o.kappa >= 0 && o.kappa <= 100,
        "predictor kappa: must be in [0, 100]");
  check(o.max_training >= 2, "predictor max training: must be ≥ 2");
}

PredictorSearch::PredictorSearch(const DecisionSpace& space, uint64_t seed,
                                 PredictorOptions options)
    : space_(space), options_(options), rng_(seed) {
  validate(options_);
}

// A uniform sample not yet proposed (any sample once 100 draws found none: a tiny space).
std::vector<int> PredictorSearch::fresh_sample(const std::set<std::vector<int>>& taken) {
  std::vector<int> tokens;
  for (int attempt = 0; attempt < 100; ++attempt) {
    tokens = space_.sample(rng_);
    if (!taken.count(tokens)) break;
  }
  return tokens;
}

std::vector<std::vector<int>> PredictorSearch::candidates(
    const std::set<std::vector<int>>& taken) {
  std::vector<int> order(observed_.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return rewards_[a] > rewards_[b]; });
  const int parents = std::min<int>(options_.parents, static_cast<int>(order.size()));
  const std::vector<int> vocab = space_.vocabulary();
  std::set<std::vector<int>> seen;
  std::vector<std::vector<int>> out;
  const auto add = [&](const std::vector<int>& c) {
    if (!taken.count(c) && seen.insert(c).second) out.push_back(c);
  };
  for (int p = 0; p < parents; ++p) {
    const std::vector<int>& parent = observed_[order[p]];
    for (size_t d = 0; d < vocab.size(); ++d) {
      for (int v = 0; v < vocab[d]; ++v) {
        if (v == parent[d]) continue;
        std::vector<int> c = parent;
        c[d] = v;
        add(c);
      }
    }
  }
  for (int m = 0; m < options_.mutations; ++m) {
    std::vector<int> c = observed_[order[uniform_index(rng_, parents)]];
    const int changes = 2 + uniform_index(rng_, 2);
    for (int k = 0; k < changes; ++k) {
      const int d = uniform_index(rng_, static_cast<int>(vocab.size()));
      c[d] = uniform_index(rng_, vocab[d]);
    }
    add(c);
  }
  for (int r = 0; r < options_.random_candidates; ++r) add(space_.sample(rng_));
  return out;
}

std::vector<Proposal> PredictorSearch::propose(int n) {
  if (n < 1) throw Error("propose: n must be ≥ 1");
  std::vector<Proposal> out;
  if (static_cast<int>(observed_.size()) < options_.initial) {
    for (int i = 0; i < n; ++i) {
      Proposal p;
      p.tokens = fresh_sample(proposed_);
      proposed_.insert(p.tokens);
      out.push_back(std::move(p));
    }
    return out;
  }
  // The training set: every trial, or the best and the latest halves of max_training.
  std::vector<int> rows(observed_.size());
  std::iota(rows.begin(), rows.end(), 0);
  if (static_cast<int>(rows.size()) > options_.max_training) {
    std::vector<int> by_reward = rows;
    std::stable_sort(by_reward.begin(), by_reward.end(),
                     [&](int a, int b) { return rewards_[a] > rewards_[b]; });
    std::set<int> keep(by_reward.begin(), by_reward.begin() + options_.max_training / 2);
    for (int i = static_cast<int>(rows.size()) - 1;
         i >= 0 && static_cast<int>(keep.size()) < options_.max_training; --i) {
      keep.insert(i);
    }
    rows.assign(keep.begin(), keep.end());
  }
  std::vector<std::vector<int>> samples;
  std::vector<double> targets;
  for (int i : rows) {
    samples.push_back(observed_[i]);
    targets.push_back(rewards_[i]);
  }
  const double mean = std::accumulate(targets.begin(), targets.end(), 0.0) / targets.size();
  double var = 0;
  for (double t : targets) var += (t - mean) * (t - mean);
  const double scale = std::sqrt(var / targets.size());
  for (double& t : targets) t = scale > 0 ? (t - mean) / scale : 0.0;
  TreeEnsemble model;
  model.fit(samples, targets, space_.vocabulary(), options_.members, options_.trees, rng_);

  std::vector<std::vector<int>> pool = candidates(proposed_);
  std::vector<std::pair<double, int>> scored;
  for (size_t i = 0; i < pool.size(); ++i) {
    double m = 0, s = 0;
    model.predict(pool[i], &m, &s);
    scored.push_back({m + options_.kappa * s, static_cast<int>(i)});
  }
  // Highest score first; ties by the candidate's place (deterministic).
  std::stable_sort(scored.begin(), scored.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (int i = 0; i < n; ++i) {
    Proposal p;
    p.tokens = i < static_cast<int>(scored.size()) ? pool[scored[i].second]
                                                  : fresh_sample(proposed_);
    proposed_.insert(p.tokens);
    out.push_back(std::move(p));
  }
  return out;
}

void PredictorSearch::observe(const std::vector<Trial>& trials) {
  std::vector<std::vector<int>> tokens;
  for (const Trial& t : trials) tokens.push_back(t.tokens);
  strategy_state::check_trials(tokens, space_);
  for (const Trial& t : trials) {
    if (!std::isfinite(t.reward)) throw Error("observe: a reward that is not finite");
    observed_.push_back(t.tokens);
    rewards_.push_back(t.reward);
    proposed_.insert(t.tokens);
  }
}

std::string PredictorSearch::save_state() const {
  nlohmann::json j = strategy_state::header(name(), space_);
  j["rng"] = strategy_state::save_rng(rng_);
  j["observed"] = observed_;
  j["rewards"] = rewards_;
  j["proposed"] = std::vector<std::vector<int>>(proposed_.begin(), proposed_.end());
  return j.dump();
}

void PredictorSearch::load_state(std::string_view state) {
  const nlohmann::json j = strategy_state::check_header(state, name(), space_);
  try {
    std::mt19937_64 rng = strategy_state::load_rng(j.at("rng").get<std::string>());
    auto observed = j.at("observed").get<std::vector<std::vector<int>>>();
    auto rewards = j.at("rewards").get<std::vector<double>>();
    auto proposed = j.at("proposed").get<std::vector<std::vector<int>>>();
    if (observed.size() != rewards.size()) {
      throw Error("strategy state: damaged (trials and rewards differ in number)");
    }
    for (double r : rewards) {
      if (!std::isfinite(r)) throw Error("strategy state: damaged (a reward is not finite)");
    }
    strategy_state::check_trials(observed, space_);
    strategy_state::check_trials(proposed, space_);
    rng_ = rng;
    observed_ = std::move(observed);
    rewards_ = std::move(rewards);
    proposed_ = std::set<std::vector<int>>(proposed.begin(), proposed.end());
  } catch (const nlohmann::json::exception& e) {
    throw Error(std::string("strategy state: damaged (") + e.what() + ")");
  }
}

}  // namespace mnas
