#ifndef MNAS_SEARCH_EVOLUTION_H_
#define MNAS_SEARCH_EVOLUTION_H_

#include <cstdint>
#include <deque>
#include <random>

#include "search/strategy.h"

namespace mnas {

// A population of 64 (the size this strategy first had) left a 48- or 72-trial search random
// until its end: the experiments of docs/experiments.md found evolution's stores identical to
// random search's. 24 is four steps of the default batch, so mutation starts at the fifth; the
// tournament keeps AmoebaNet's ratio (25 of 100).
struct EvolutionOptions {
  int population = 24;  // individuals kept (the newest); Default: 24
  int sample_size = 6;  // tournament size; Default: 6
};

// Regularized evolution (Real et al., AmoebaNet, 2019). Until the population is full, proposals
// are random. Afterwards each proposal takes `sample_size` individuals uniformly from the
// population, mutates the best of them in one decision (a uniformly chosen decision set to a
// different value), and once observed the child joins the population and the *oldest* member
// leaves (aging, not the worst).
class RegularizedEvolution : public Strategy {
 public:
  // Throws mnas::Error for population < 2 or sample_size outside [1, population]. A state
  // loaded later brings the sizes it was saved with.
  RegularizedEvolution(const DecisionSpace& space, uint64_t seed, EvolutionOptions options = {});
  std::string name() const override { return "evolution"; }
  MNAS_STRATEGY_STEPS;

 private:
  struct Member {
    std::vector<int> tokens;
    double reward = 0.0;
  };
  std::vector<int> mutate(const std::vector<int>& parent);

  DecisionSpace space_;
  EvolutionOptions options_;
  std::mt19937_64 rng_;
  std::deque<Member> population_;  // oldest first
  int proposed_ = 0;               // proposals made before the population filled
};

}  // namespace mnas

#endif  // MNAS_SEARCH_EVOLUTION_H_
