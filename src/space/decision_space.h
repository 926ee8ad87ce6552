#ifndef MNAS_SPACE_DECISION_SPACE_H_
#define MNAS_SPACE_DECISION_SPACE_H_

#include <random>
#include <string>
#include <vector>

namespace mnas {

// One decision of a search: a token with `vocab` possible values.
struct Decision {
  std::string name;  // "b3.kernel", "edge 2<-1"
  int block = 0;     // the block it belongs to (MnasNet's space); 0 where there are none
  int vocab = 0;
  // The values' names, in token order ("none", "skip_connect", ...); empty where a space does
  // not name them.
  std::vector<std::string> choices;
};

// A categorical search space as a strategy sees it: decisions in order, each a choice among
// `vocab` values. A candidate is one token per decision. MnasNet's factorized space is one
// (SearchSpace::decision_space()), a public table's cell space another (NAS-Bench-201: six edges
// of five operations); strategies know nothing else about either.
class DecisionSpace {
 public:
  DecisionSpace() = default;
  // Throws mnas::Error for no decisions, a vocabulary below 1, or choice names that do not
  // match their vocabulary.
  explicit DecisionSpace(std::vector<Decision> decisions);

  const std::vector<Decision>& decisions() const { return decisions_; }
  size_t size() const { return decisions_.size(); }
  // Every decision's vocabulary size, in order.
  std::vector<int> vocabulary() const;
  // One uniform token per decision, in order (uniform_index): the same draws on every platform.
  std::vector<int> sample(std::mt19937_64& rng) const;
  // "" when `tokens` is a candidate of this space, else what is wrong ("7 tokens, the space has
  // 42 decisions"; "token 1 (b1.kernel) is 7, outside [0, 2)").
  std::string problem(const std::vector<int>& tokens) const;

  bool operator==(const DecisionSpace& o) const;

 private:
  std::vector<Decision> decisions_;
};

// A uniform integer in [0, n), the same on every platform (std::uniform_int_distribution is not).
int uniform_index(std::mt19937_64& rng, int n);

}  // namespace mnas

#endif  // MNAS_SPACE_DECISION_SPACE_H_
