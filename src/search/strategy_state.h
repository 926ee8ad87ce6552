#ifndef MNAS_SEARCH_STRATEGY_STATE_H_
#define MNAS_SEARCH_STRATEGY_STATE_H_

// Internal to the strategies: the parts of a saved state they all share.

#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "space/decision_space.h"
#include "store/trial.h"

namespace mnas::strategy_state {

// The vocabulary sizes of `space`'s decisions: a state only loads into the same action space.
std::vector<int> vocabulary(const DecisionSpace& space);

// A state's "rng" (header() saves it); throws mnas::Error for damaged text.
std::mt19937_64 load_rng(const std::string& text);

// A JSON header {"strategy": name, "vocab": [...], "rng": the state of `rng`}, for the strategy's
// fields to be added to.
nlohmann::json header(const std::string& strategy, const DecisionSpace& space,
                      const std::mt19937_64& rng);
// Parses `text` as JSON and checks the header against `strategy` and `space`; throws mnas::Error
// ("strategy state: saved by 'evolution', not 'random'").
nlohmann::json check_header(std::string_view text, const std::string& strategy,
                            const DecisionSpace& space);

// Throws mnas::Error unless every trial has the space's token count and tokens in range.
void check_trials(const std::vector<std::vector<int>>& tokens, const DecisionSpace& space);
// The same for the trials a strategy observes, and that their rewards are finite (what
// observe() checks before it changes anything).
void check_observed(const std::vector<Trial>& trials, const DecisionSpace& space);

}  // namespace mnas::strategy_state

#endif  // MNAS_SEARCH_STRATEGY_STATE_H_
