#include "space/decision_space.h"

#include <cstdint>

#include "base/error.h"

namespace mnas {

DecisionSpace::DecisionSpace(std::vector<Decision> decisions) : decisions_(std::move(decisions)) {
  if (decisions_.empty()) throw Error("decision space: no decisions");
  for (const Decision& d : decisions_) {
    if (d.vocab < 1) throw Error("decision '" + d.name + "': no values to choose from");
    if (!d.choices.empty() && static_cast<int>(d.choices.size()) != d.vocab) {
      throw Error("decision '" + d.name + "': " + std::to_string(d.choices.size()) +
                  " choice names for " + std::to_string(d.vocab) + " values");
    }
  }
}

std::vector<int> DecisionSpace::vocabulary() const {
  std::vector<int> vocab;
  for (const Decision& d : decisions_) vocab.push_back(d.vocab);
  return vocab;
}

std::vector<int> DecisionSpace::sample(std::mt19937_64& rng) const {
  std::vector<int> tokens;
  tokens.reserve(decisions_.size());
  for (const Decision& d : decisions_) tokens.push_back(uniform_index(rng, d.vocab));
  return tokens;
}

std::string DecisionSpace::problem(const std::vector<int>& tokens) const {
  if (tokens.size() != decisions_.size()) {
    return std::to_string(tokens.size()) + " tokens, the space has " +
           std::to_string(decisions_.size()) + " decisions";
  }
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (tokens[i] < 0 || tokens[i] >= decisions_[i].vocab) {
      return "token " + std::to_string(i) + " (" + decisions_[i].name + ") is " +
             std::to_string(tokens[i]) + ", outside [0, " + std::to_string(decisions_[i].vocab) +
             ")";
    }
  }
  return "";
}

bool DecisionSpace::operator==(const DecisionSpace& o) const {
  if (decisions_.size() != o.decisions_.size()) return false;
  for (size_t i = 0; i < decisions_.size(); ++i) {
    const Decision &a = decisions_[i], &b = o.decisions_[i];
    if (a.name != b.name || a.block != b.block || a.vocab != b.vocab || a.choices != b.choices)
      return false;
  }
  return true;
}

int uniform_index(std::mt19937_64& rng, int n) {
  MNAS_ASSERT(n > 0);
  const uint64_t bound = static_cast<uint64_t>(n);
  // Rejection sampling: drop the top partial range so every value is equally likely.
  const uint64_t limit = std::mt19937_64::max() - (std::mt19937_64::max() % bound + 1) % bound;
  uint64_t x;
  do {
    x = rng();
  } while (x > limit);
  return static_cast<int>(x % bound);
}

}  // namespace mnas
