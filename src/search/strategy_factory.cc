#include "search/strategy_factory.h"

#include <cstdint>

#include "search/random_search.h"
#include "space/error.h"

namespace mnas {

std::vector<std::string> strategy_names() { return {"ppo", "reinforce", "evolution", "random"}; }

bool is_controller(std::string_view name) { return name == "ppo" || name == "reinforce"; }

std::unique_ptr<Strategy> make_strategy(std::string_view name, const SearchSpace& space,
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
  throw Error("strategy: unknown '" + std::string(name) +
              "'; use ppo, reinforce, evolution or random");
}

}  // namespace mnas
