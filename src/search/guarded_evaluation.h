#ifndef MNAS_SEARCH_GUARDED_EVALUATION_H_
#define MNAS_SEARCH_GUARDED_EVALUATION_H_

#include <chrono>
#include <exception>
#include <functional>

#include "store/trial.h"

namespace mnas {

// An evaluation as the training evaluators (proxy_evaluator.h, detection_evaluator.h) make it:
// `body` fills it in; whatever it throws becomes a failed evaluation with the reason (an
// evaluator never throws for a bad architecture); the wall time is its seconds either way.
inline Evaluation guarded_evaluation(const std::function<void(Evaluation&)>& body) {
  Evaluation e;
  const auto start = std::chrono::steady_clock::now();
  try {
    body(e);
  } catch (const std::exception& ex) {
    e.ok = false;
    e.failure = ex.what();
  }
  e.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return e;
}

}  // namespace mnas

#endif  // MNAS_SEARCH_GUARDED_EVALUATION_H_
