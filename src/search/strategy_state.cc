#include "search/strategy_state.h"

#include <cmath>
#include <sstream>

#include "base/error.h"

namespace mnas::strategy_state {

std::vector<int> vocabulary(const DecisionSpace& space) { return space.vocabulary(); }

namespace {

std::string save_rng(const std::mt19937_64& rng) {
  std::ostringstream out;
  out << rng;
  return out.str();
}

}  // namespace

std::mt19937_64 load_rng(const std::string& text) {
  std::istringstream in(text);
  std::mt19937_64 rng;
  in >> rng;
  if (in.fail()) throw Error("strategy state: damaged random-number state");
  return rng;
}

nlohmann::json header(const std::string& strategy, const DecisionSpace& space,
                      const std::mt19937_64& rng) {
  return {{"strategy", strategy}, {"vocab", vocabulary(space)}, {"rng", save_rng(rng)}};
}

nlohmann::json check_header(std::string_view text, const std::string& strategy,
                            const DecisionSpace& space) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::exception& e) {
    throw Error(std::string("strategy state: damaged (") + e.what() + ")");
  }
  if (!j.is_object() || !j.contains("strategy") || !j["strategy"].is_string()) {
    throw Error("strategy state: damaged (no strategy name)");
  }
  if (j["strategy"] != strategy) {
    throw Error("strategy state: saved by '" + j["strategy"].get<std::string>() + "', not '" +
                strategy + "'");
  }
  if (!j.contains("vocab") || j["vocab"] != vocabulary(space)) {
    throw Error("strategy state: saved for another search space (its decisions differ)");
  }
  return j;
}

void check_trials(const std::vector<std::vector<int>>& tokens, const DecisionSpace& space) {
  const std::vector<int> vocab = vocabulary(space);
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (tokens[i].size() != vocab.size()) {
      throw Error("trials[" + std::to_string(i) + "].tokens: " + std::to_string(tokens[i].size()) +
                  " tokens; this space has " + std::to_string(vocab.size()));
    }
    for (size_t t = 0; t < vocab.size(); ++t) {
      if (tokens[i][t] < 0 || tokens[i][t] >= vocab[t]) {
        throw Error("trials[" + std::to_string(i) + "].tokens[" + std::to_string(t) +
                    "]: out of range");
      }
    }
  }
}

void check_observed(const std::vector<Trial>& trials, const DecisionSpace& space) {
  std::vector<std::vector<int>> tokens;
  for (const Trial& t : trials) {
    if (!std::isfinite(t.reward)) throw Error("observe: a trial's reward is not finite");
    tokens.push_back(t.tokens);
  }
  check_trials(tokens, space);
}

}  // namespace mnas::strategy_state
