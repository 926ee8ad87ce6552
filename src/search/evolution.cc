#include "search/evolution.h"

#include <cstdint>

#include "base/error.h"
#include "search/strategy_state.h"

namespace mnas {

RegularizedEvolution::RegularizedEvolution(const DecisionSpace& space, uint64_t seed,
                                           EvolutionOptions options)
    : space_(space), options_(options), rng_(seed) {
  if (options_.population < 2) throw Error("evolution population: must be ≥ 2");
  if (options_.sample_size < 1 || options_.sample_size > options_.population) {
    throw Error("evolution sample size: must be in [1, population]");
  }
}

std::vector<int> RegularizedEvolution::mutate(const std::vector<int>& parent) {
  const std::vector<Decision>& decisions = space_.decisions();
  std::vector<int> mutable_decisions;
  for (size_t i = 0; i < decisions.size(); ++i) {
    if (decisions[i].vocab > 1) mutable_decisions.push_back(static_cast<int>(i));
  }
  std::vector<int> child = parent;
  if (mutable_decisions.empty()) return child;
  const int d = mutable_decisions[uniform_index(rng_, static_cast<int>(mutable_decisions.size()))];
  // A different value, uniformly among the others.
  const int shift = 1 + uniform_index(rng_, decisions[d].vocab - 1);
  child[d] = (child[d] + shift) % decisions[d].vocab;
  return child;
}

std::vector<Proposal> RegularizedEvolution::propose(int n) {
  if (n < 1) throw Error("propose: n must be ≥ 1");
  std::vector<Proposal> out;
  for (int i = 0; i < n; ++i) {
    Proposal p;
    if (static_cast<int>(population_.size()) < options_.population &&
        proposed_ < options_.population) {
      p.tokens = space_.sample(rng_);
      ++proposed_;
    } else if (population_.empty()) {
      p.tokens = space_.sample(rng_);  // every initial proposal still unobserved
    } else {
      const Member* best = nullptr;
      for (int s = 0; s < options_.sample_size; ++s) {
        const Member& m = population_[uniform_index(rng_, static_cast<int>(population_.size()))];
        if (best == nullptr || m.reward > best->reward) best = &m;
      }
      p.tokens = mutate(best->tokens);
    }
    out.push_back(std::move(p));
  }
  return out;
}

void RegularizedEvolution::observe(const std::vector<Trial>& trials) {
  strategy_state::check_observed(trials, space_);
  for (const Trial& t : trials) {
    population_.push_back({t.tokens, t.reward});
    if (static_cast<int>(population_.size()) > options_.population) population_.pop_front();
  }
}

std::string RegularizedEvolution::save_state() const {
  nlohmann::json j = strategy_state::header(name(), space_, rng_);
  j["population_size"] = options_.population;
  j["sample_size"] = options_.sample_size;
  j["proposed"] = proposed_;
  nlohmann::json members = nlohmann::json::array();
  for (const Member& m : population_)
    members.push_back({{"tokens", m.tokens}, {"reward", m.reward}});
  j["population"] = members;
  return j.dump();
}

void RegularizedEvolution::load_state(std::string_view state) {
  const nlohmann::json j = strategy_state::check_header(state, name(), space_);
  try {
    // A search keeps the sizes it started with (stores from before the defaults changed).
    EvolutionOptions saved;
    saved.population = j.at("population_size").get<int>();
    saved.sample_size = j.at("sample_size").get<int>();
    if (saved.population < 2 || saved.population > 1000000 || saved.sample_size < 1 ||
        saved.sample_size > saved.population) {
      throw Error("strategy state: a population of " + std::to_string(saved.population) +
                  " with tournaments of " + std::to_string(saved.sample_size) +
                  " (damaged)");
    }
    std::mt19937_64 rng = strategy_state::load_rng(j.at("rng").get<std::string>());
    std::deque<Member> population;
    std::vector<std::vector<int>> tokens;
    for (const auto& m : j.at("population")) {
      population.push_back({m.at("tokens").get<std::vector<int>>(), m.at("reward").get<double>()});
      tokens.push_back(population.back().tokens);
    }
    strategy_state::check_trials(tokens, space_);
    const int proposed = j.at("proposed").get<int>();
    if (static_cast<int>(population.size()) > saved.population) {
      throw Error("strategy state: more members than its population (damaged)");
    }
    options_ = saved;
    rng_ = rng;
    population_ = std::move(population);
    proposed_ = proposed;
  } catch (const nlohmann::json::exception& e) {
    throw Error(std::string("strategy state: damaged (") + e.what() + ")");
  }
}

}  // namespace mnas
