#include "search/strategy_factory.h"

#include <cstdint>

#include "base/error.h"
#include "search/random_search.h"

namespace mnas {

std::vector<std::string> strategy_names() {
  return {"ppo", "reinforce", "evolution", "random", "predictor"};
}

bool is_controller(std::string_view name) { return name == "ppo" || name == "reinforce"; }

namespace {

// A strategy over MnasNet's decisions whose proposals also carry their architecture.
class Decoding : public Strategy {
 public:
  Decoding(const SearchSpace& space, std::unique_ptr<Strategy> inner)
      : space_(space), inner_(std::move(inner)) {}
  std::string name() const override { return inner_->name(); }
  std::vector<Proposal> propose(int n) override {
    std::vector<Proposal> proposals = inner_->propose(n);
    for (Proposal& p : proposals) p.arch = space_.decode(p.tokens);
    return proposals;
  }
  void observe(const std::vector<Trial>& trials) override { inner_->observe(trials); }
  std::string save_state() const override { return inner_->save_state(); }
  void load_state(std::string_view state) override { inner_->load_state(state); }

 private:
  SearchSpace space_;
  std::unique_ptr<Strategy> inner_;
};

}  // namespace

std::unique_ptr<Strategy> make_strategy(std::string_view name, const SearchSpace& space,
                                        uint64_t seed, const StrategyOptions& options) {
  StrategyOptions o = options;
  // Tokens that decode to the same architecture are one candidate to the predictor.
  o.predictor.canonical = [space](const std::vector<int>& tokens) {
    return space.encode(space.decode(tokens));
  };
  return std::make_unique<Decoding>(space, make_strategy(name, space.decision_space(), seed, o));
}

std::unique_ptr<Strategy> make_strategy(std::string_view name, const DecisionSpace& space,
                                        uint64_t seed, const StrategyOptions& options) {
  if (is_controller(name)) {
    ControllerOptions c = options.controller;
    c.algorithm = name == "ppo" ? ControllerOptions::Algorithm::kPpo
                                : ControllerOptions::Algorithm::kReinforce;
    return std::make_unique<Controller>(space, seed, c);
  }
  if (name == "evolution")
    return std::make_unique<RegularizedEvolution>(space, seed, options.evolution);
  if (name == "random") return std::make_unique<RandomSearch>(space, seed);
  if (name == "predictor")
    return std::make_unique<PredictorSearch>(space, seed, options.predictor);
  throw Error("strategy: unknown '" + std::string(name) +
              "'; use ppo, reinforce, evolution, random or predictor");
}

}  // namespace mnas
