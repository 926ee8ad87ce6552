#ifndef MNAS_SEARCH_STRATEGY_FACTORY_H_
#define MNAS_SEARCH_STRATEGY_FACTORY_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "search/controller.h"
#include "search/evolution.h"
#include "search/predictor_search.h"
#include "search/strategy.h"
#include "space/search_space.h"

namespace mnas {

// Options of every strategy, for the one the name picks.
struct StrategyOptions {
  ControllerOptions controller;  // ppo, reinforce (algorithm is set from the name)
  EvolutionOptions evolution;    // evolution
  PredictorOptions predictor;    // predictor
};

// "ppo", "reinforce", "evolution", "random", "predictor".
std::vector<std::string> strategy_names();

// Whether the strategy of that name is the RNN controller (ppo, reinforce): the one that
// ControllerOptions configure.
bool is_controller(std::string_view name);

// The strategy of that name over a categorical decision space: its proposals carry tokens only.
// Throws mnas::Error listing the known names for an unknown one.
std::unique_ptr<Strategy> make_strategy(std::string_view name, const DecisionSpace& space,
                                        uint64_t seed, const StrategyOptions& options = {});

// The same over MnasNet's space (space.decision_space()), with each proposal's architecture
// decoded from its tokens.
std::unique_ptr<Strategy> make_strategy(std::string_view name, const SearchSpace& space,
                                        uint64_t seed, const StrategyOptions& options = {});

}  // namespace mnas

#endif  // MNAS_SEARCH_STRATEGY_FACTORY_H_
