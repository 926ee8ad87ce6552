#ifndef MNAS_SEARCH_RANDOM_SEARCH_H_
#define MNAS_SEARCH_RANDOM_SEARCH_H_

#include <cstdint>
#include <random>

#include "search/strategy.h"

namespace mnas {

// Uniform random search: every token drawn uniformly and independently. Learns nothing; the
// baseline every other strategy must beat.
class RandomSearch : public Strategy {
 public:
  RandomSearch(const DecisionSpace& space, uint64_t seed);
  std::string name() const override { return "random"; }
  MNAS_STRATEGY_STEPS;

 private:
  DecisionSpace space_;
  std::mt19937_64 rng_;
};

}  // namespace mnas

#endif  // MNAS_SEARCH_RANDOM_SEARCH_H_
