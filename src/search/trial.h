#ifndef MNAS_SEARCH_TRIAL_H_
#define MNAS_SEARCH_TRIAL_H_

#include <string>
#include <vector>

#include "space/architecture.h"

namespace mnas {

// What an evaluator measured for one architecture.
struct Evaluation {
  bool ok = true;            // false: the evaluation failed (diverged, threw, too large)
  std::string failure;       // why, when !ok
  double accuracy = 0.0;     // held-out top-1 in [0, 1]
  double latency_ms = 0.0;   // median latency on the target device
  std::string latency_json;  // the latency's statistics and provenance (JSON), when measured
  double seconds = 0.0;      // wall time the evaluation took
};

// One sampled model: a proposal and what became of it.
struct Trial {
  std::vector<int> tokens;  // the strategy's decisions (SearchSpace token order)
  Architecture arch;
  Evaluation evaluation;
  double reward = 0.0;  // the reward the strategy learns from (failed trials: a configured value)
  int step = 0;         // the strategy step (batch) that proposed it
};

// Scores architectures. Implementations: the real one (proxy training + measured latency, in the
// search issue) and SyntheticSurrogate (tests and benchmarks).
class Evaluator {
 public:
  virtual ~Evaluator() = default;
  virtual std::string name() const = 0;
  // Never throws for a bad architecture: failures come back as !ok with the reason.
  virtual Evaluation evaluate(const Architecture& arch) = 0;
};

}  // namespace mnas

#endif  // MNAS_SEARCH_TRIAL_H_
