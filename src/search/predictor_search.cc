#include "search/predictor_search.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "base/error.h"
#include "search/strategy_state.h"

namespace mnas {

void validate(const PredictorOptions& o) {
  const auto check = [](bool ok, const std::string& message) {
    if (!ok) throw Error(message);
  };
  check(o.initial >= 1 && o.initial <= 100000,
        "predictor initial proposals: must be in [1, 100000]");
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
  for (const Decision& d : space_.decisions()) {
    layout_.arity.push_back(d.vocab);
    layout_.ordinal.push_back(false);
  }
  if (options_.choice_counts) {
    // Decisions grouped by their list of choice names, in order of first appearance.
    std::vector<std::pair<std::vector<std::string>, std::vector<int>>> groups;
    for (size_t i = 0; i < space_.size(); ++i) {
      const Decision& d = space_.decisions()[i];
      if (d.choices.empty()) continue;
      auto it = std::find_if(groups.begin(), groups.end(),
                             [&](const auto& g) { return g.first == d.choices; });
      if (it == groups.end()) {
        groups.push_back({d.choices, {}});
        it = groups.end() - 1;
      }
      it->second.push_back(static_cast<int>(i));
    }
    for (const auto& g : groups) {
      if (g.second.size() < 2) continue;
      for (int v = 0; v < static_cast<int>(g.first.size()); ++v) {
        counts_.push_back({g.second, v});
        layout_.arity.push_back(static_cast<int>(g.second.size()) + 1);
        layout_.ordinal.push_back(true);
      }
    }
  }
}

std::vector<int> PredictorSearch::key(const std::vector<int>& tokens) const {
  return options_.canonical ? options_.canonical(tokens) : tokens;
}

std::vector<int> PredictorSearch::features(const std::vector<int>& tokens) const {
  std::vector<int> f = tokens;
  for (const auto& c : counts_) {
    int n = 0;
    for (int d : c.first) n += tokens[d] == c.second;
    f.push_back(n);
  }
  return f;
}

// A uniform sample not yet proposed (any sample once 100 draws found none: a tiny space).
std::vector<int> PredictorSearch::fresh_sample(const std::set<std::vector<int>>& taken) {
  std::vector<int> tokens;
  for (int attempt = 0; attempt < 100; ++attempt) {
    tokens = space_.sample(rng_);
    if (!taken.count(key(tokens))) break;
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
    const std::vector<int> k = key(c);
    if (!taken.count(k) && seen.insert(k).second) out.push_back(c);
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

namespace {

// One ensemble fitted to one target (the reward, or one of its parts), predicting in the
// target's own units. With ranks, it learns the targets' ranks (ties shared) and maps a predicted
// rank back through the observed values (linear between neighbours, clamped at the ends): the
// order is learnt robustly and the output can still be combined with other parts.
class FittedTarget {
 public:
  FittedTarget(const std::vector<std::vector<int>>& samples, std::vector<double> targets,
               bool ranks, const FeatureLayout& layout, const PredictorOptions& o,
               std::mt19937_64& rng)
      : ranks_(ranks), sorted_(targets) {
    std::sort(sorted_.begin(), sorted_.end());
    if (ranks_) {
      std::vector<int> order(targets.size());
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(),
                       [&](int a, int b) { return targets[a] < targets[b]; });
      std::vector<double> rank(targets.size());
      for (size_t i = 0; i < order.size();) {
        size_t j = i;
        while (j + 1 < order.size() && targets[order[j + 1]] == targets[order[i]]) ++j;
        for (size_t k = i; k <= j; ++k) rank[order[k]] = 0.5 * static_cast<double>(i + j);
        i = j + 1;
      }
      targets = rank;
    }
    mean_ = std::accumulate(targets.begin(), targets.end(), 0.0) / targets.size();
    double var = 0;
    for (double t : targets) var += (t - mean_) * (t - mean_);
    scale_ = std::sqrt(var / targets.size());
    for (double& t : targets) t = scale_ > 0 ? (t - mean_) / scale_ : 0.0;
    model_.fit(samples, targets, layout, o.members, o.trees, rng);
  }

  std::vector<double> members(const std::vector<int>& features) const {
    std::vector<double> out = model_.predict_members(features);
    for (double& v : out) {
      v = mean_ + scale_ * v;
      if (ranks_) {
        const double r = std::clamp(v, 0.0, static_cast<double>(sorted_.size() - 1));
        const size_t lo = static_cast<size_t>(r);
        const size_t hi = std::min(lo + 1, sorted_.size() - 1);
        v = sorted_[lo] + (r - static_cast<double>(lo)) * (sorted_[hi] - sorted_[lo]);
      }
    }
    return out;
  }

 private:
  bool ranks_;
  std::vector<double> sorted_;
  double mean_ = 0, scale_ = 0;
  TreeEnsemble model_;
};

}  // namespace

// Every trial, or the best and the latest halves of max_training.
std::vector<int> PredictorSearch::training_rows() const {
  std::vector<int> rows(observed_.size());
  std::iota(rows.begin(), rows.end(), 0);
  if (static_cast<int>(rows.size()) <= options_.max_training) return rows;
  std::vector<int> by_reward = rows;
  std::stable_sort(by_reward.begin(), by_reward.end(),
                   [&](int a, int b) { return rewards_[a] > rewards_[b]; });
  std::set<int> keep(by_reward.begin(), by_reward.begin() + options_.max_training / 2);
  for (int i = static_cast<int>(rows.size()) - 1;
       i >= 0 && static_cast<int>(keep.size()) < options_.max_training; --i) {
    keep.insert(i);
  }
  return std::vector<int>(keep.begin(), keep.end());
}

std::vector<Proposal> PredictorSearch::propose(int n) {
  if (n < 1) throw Error("propose: n must be ≥ 1");
  std::vector<Proposal> out;
  if (static_cast<int>(observed_.size()) < options_.initial) {
    for (int i = 0; i < n; ++i) {
      Proposal p;
      p.tokens = fresh_sample(proposed_);
      proposed_.insert(key(p.tokens));
      out.push_back(std::move(p));
    }
    return out;
  }
  // One model of the reward, or one per part of it (over the trials that have their parts).
  std::vector<FittedTarget> models;
  const bool by_parts =
      static_cast<bool>(options_.objectives) && static_cast<bool>(options_.combine);
  std::vector<int> rows;
  for (int i : training_rows()) {
    if (!by_parts || !parts_[i].empty()) rows.push_back(i);
  }
  const size_t n_parts = by_parts && !rows.empty() ? parts_[rows[0]].size() : 0;
  if (rows.size() < 2 || (by_parts && n_parts == 0)) {
    rows = training_rows();  // too few trials with parts: the reward itself
  }
  std::vector<std::vector<int>> samples;
  for (int i : rows) samples.push_back(features(observed_[i]));
  if (by_parts && n_parts > 0 && rows.size() >= 2 && parts_[rows[0]].size() == n_parts) {
    for (size_t k = 0; k < n_parts; ++k) {
      std::vector<double> targets;
      for (int i : rows) targets.push_back(parts_[i][k]);
      models.emplace_back(samples, targets, options_.rank_targets, layout_, options_, rng_);
    }
  } else {
    std::vector<double> targets;
    for (int i : rows) targets.push_back(rewards_[i]);
    models.emplace_back(samples, targets, options_.rank_targets, layout_, options_, rng_);
  }
  const bool combined = models.size() > 1 || (by_parts && n_parts == 1);

  std::vector<std::vector<int>> pool = candidates(proposed_);
  std::vector<std::pair<double, int>> scored;
  for (size_t i = 0; i < pool.size(); ++i) {
    const std::vector<int> f = features(pool[i]);
    std::vector<std::vector<double>> per_model;
    for (const FittedTarget& m : models) per_model.push_back(m.members(f));
    // Each member's reward: its own prediction of every part, combined.
    std::vector<double> rewards;
    for (size_t k = 0; k < per_model[0].size(); ++k) {
      if (!combined) {
        rewards.push_back(per_model[0][k]);
        continue;
      }
      std::vector<double> parts;
      for (const auto& pm : per_model) parts.push_back(pm[k]);
      rewards.push_back(options_.combine(parts));
    }
    double sum = 0, sq = 0;
    for (double r : rewards) {
      sum += r;
      sq += r * r;
    }
    const double mean = sum / rewards.size();
    const double sd = std::sqrt(std::max(0.0, sq / rewards.size() - mean * mean));
    scored.push_back({mean + options_.kappa * sd, static_cast<int>(i)});
  }
  // Highest score first; ties by the candidate's place (deterministic).
  std::stable_sort(scored.begin(), scored.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (int i = 0; i < n; ++i) {
    Proposal p;
    p.tokens = i < static_cast<int>(scored.size()) ? pool[scored[i].second]
                                                  : fresh_sample(proposed_);
    proposed_.insert(key(p.tokens));
    out.push_back(std::move(p));
  }
  return out;
}

void PredictorSearch::observe(const std::vector<Trial>& trials) {
  strategy_state::check_observed(trials, space_);
  for (const Trial& t : trials) {
    std::vector<double> parts;
    if (options_.objectives) {
      parts = options_.objectives(t);
      for (double v : parts) {
        if (!std::isfinite(v)) throw Error("observe: a part of the reward that is not finite");
      }
    }
    observed_.push_back(t.tokens);
    rewards_.push_back(t.reward);
    parts_.push_back(std::move(parts));
    proposed_.insert(key(t.tokens));
  }
}

std::string PredictorSearch::save_state() const {
  nlohmann::json j = strategy_state::header(name(), space_, rng_);
  j["observed"] = observed_;
  j["rewards"] = rewards_;
  j["parts"] = parts_;
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
    auto parts = j.at("parts").get<std::vector<std::vector<double>>>();
    if (observed.size() != rewards.size() || observed.size() != parts.size()) {
      throw Error("strategy state: damaged (trials, rewards and parts differ in number)");
    }
    for (double r : rewards) {
      if (!std::isfinite(r)) throw Error("strategy state: damaged (a reward is not finite)");
    }
    for (const auto& p : parts) {
      for (double v : p) {
        if (!std::isfinite(v)) throw Error("strategy state: damaged (a part is not finite)");
      }
    }
    strategy_state::check_trials(observed, space_);
    strategy_state::check_trials(proposed, space_);
    rng_ = rng;
    observed_ = std::move(observed);
    rewards_ = std::move(rewards);
    parts_ = std::move(parts);
    proposed_ = std::set<std::vector<int>>(proposed.begin(), proposed.end());
  } catch (const nlohmann::json::exception& e) {
    throw Error(std::string("strategy state: damaged (") + e.what() + ")");
  }
}

void model_reward_parts(PredictorOptions& options, const RewardOptions& reward) {
  options.objectives = [reward](const Trial& t) -> std::vector<double> {
    const Evaluation& e = t.evaluation;
    if (!e.ok) return {};
    std::vector<double> parts = {e.accuracy};
    if (!e.latencies.empty()) {
      for (const DeviceLatency& d : e.latencies) {
        if (!(d.ratio > 0)) return {};
        parts.push_back(std::log(d.ratio));
      }
    } else {
      if (!(e.latency_ms > 0) || !(reward.target_ms > 0)) return {};
      parts.push_back(std::log(e.latency_ms / reward.target_ms));
    }
    return parts;
  };
  options.combine = [reward](const std::vector<double>& parts) {
    std::vector<double> ratios;
    for (size_t i = 1; i < parts.size(); ++i) ratios.push_back(std::exp(parts[i]));
    const double accuracy = std::clamp(parts[0], 0.0, 1.0);
    return ratios.empty() ? accuracy : compute_reward(accuracy, ratios, reward);
  };
}

}  // namespace mnas
