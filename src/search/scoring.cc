#include "search/scoring.h"

#include "space/error.h"

namespace mnas {

Evaluation evaluate_safely(Evaluator& evaluator, const Architecture& arch) {
  try {
    return evaluator.evaluate(arch);
  } catch (const std::exception& ex) {
    Evaluation e;
    e.ok = false;
    e.failure = ex.what();
    return e;
  }
}

Score score(const Evaluation& e, const RewardOptions& reward, double failed_reward) {
  if (!e.ok) return {"failed", e.failure, failed_reward};
  try {
    return {"done", "", compute_reward(e.accuracy, e.latency_ms, reward)};
  } catch (const Error& err) {
    return {"failed", err.what(), failed_reward};
  }
}

}  // namespace mnas
