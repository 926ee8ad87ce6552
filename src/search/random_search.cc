#include "search/random_search.h"

#include <cstdint>

#include "base/error.h"
#include "search/strategy_state.h"

namespace mnas {

RandomSearch::RandomSearch(const DecisionSpace& space, uint64_t seed) : space_(space), rng_(seed) {}

std::vector<Proposal> RandomSearch::propose(int n) {
  if (n < 1) throw Error("propose: n must be ≥ 1");
  std::vector<Proposal> out;
  for (int i = 0; i < n; ++i) {
    Proposal p;
    p.tokens = space_.sample(rng_);
    out.push_back(std::move(p));
  }
  return out;
}

void RandomSearch::observe(const std::vector<Trial>& trials) {
  strategy_state::check_observed(trials, space_);
}

std::string RandomSearch::save_state() const {
  nlohmann::json j = strategy_state::header(name(), space_, rng_);
  return j.dump();
}

void RandomSearch::load_state(std::string_view state) {
  const nlohmann::json j = strategy_state::check_header(state, name(), space_);
  if (!j.contains("rng") || !j["rng"].is_string()) throw Error("strategy state: damaged (rng)");
  rng_ = strategy_state::load_rng(j["rng"].get<std::string>());
}

}  // namespace mnas
