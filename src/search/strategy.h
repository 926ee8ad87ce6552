#ifndef MNAS_SEARCH_STRATEGY_H_
#define MNAS_SEARCH_STRATEGY_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "space/decision_space.h"
#include "store/trial.h"

namespace mnas {

// A candidate a strategy wants evaluated: its tokens, one per decision of the DecisionSpace the
// strategy searches; and what they decode to (a strategy itself sees only the decisions):
// for MnasNet's space the architecture (make_strategy over a SearchSpace fills it), for a table's
// space the cell's string (search/table_trials.h). `canonical` is how the store keys it; empty:
// the architecture's canonical string.
struct Proposal {
  std::vector<int> tokens;
  Architecture arch;
  std::string canonical;
};

// A search strategy: proposes architectures, learns from their rewards.
//
// The search loop calls propose(n), evaluates every proposal, then observe() with the resulting
// trials (same tokens, with rewards), then save_state() and stores it. A strategy restored with
// load_state() from that state continues exactly as the original would: the same future proposals.
class Strategy {
 public:
  virtual ~Strategy() = default;
  // "ppo", "reinforce", "evolution", "random".
  virtual std::string name() const = 0;
  // `n` ≥ 1 proposals, in order.
  virtual std::vector<Proposal> propose(int n) = 0;
  // Learn from evaluated trials (typically the last batch proposed). Trials must have this
  // space's token length; throws mnas::Error otherwise.
  virtual void observe(const std::vector<Trial>& trials) = 0;
  // Everything needed to continue: opaque bytes (may contain NULs).
  virtual std::string save_state() const = 0;
  // Throws mnas::Error for a state of another strategy or space, or a damaged one; the strategy is
  // unchanged then.
  virtual void load_state(std::string_view state) = 0;
};

// Declares Strategy's four steps in a subclass, each `override` (one list for every strategy).
#define MNAS_STRATEGY_STEPS                                        \
  std::vector<Proposal> propose(int n) override;                   \
  void observe(const std::vector<Trial>& trials) override;         \
  std::string save_state() const override;                        \
  void load_state(std::string_view state) override

}  // namespace mnas

#endif  // MNAS_SEARCH_STRATEGY_H_
