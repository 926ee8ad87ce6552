#include "search/scoring.h"

#include <chrono>

#include "base/error.h"

namespace mnas {

Evaluation evaluate_safely(Evaluator& evaluator, const Architecture& arch,
                           int64_t train_images, int64_t holdout, int64_t run_images) {
  try {
    if (train_images <= 0) return evaluator.evaluate(arch);
    return run_images > 0 ? evaluator.evaluate_rung(arch, train_images, run_images, holdout)
                          : evaluator.evaluate_at(arch, train_images, holdout);
  } catch (const DeviceUnreachable&) {
    throw;
  } catch (const std::exception& ex) {
    Evaluation e;
    e.ok = false;
    e.failure = ex.what();
    return e;
  }
}

Evaluation evaluate_trial(Evaluator& evaluator, LatencyObjective* objective,
                          const Architecture& arch, const TrialTask& task) {
  const auto start = std::chrono::steady_clock::now();
  Evaluation e =
      evaluate_safely(evaluator, arch, task.train_images, task.holdout, task.run_images);
  if (!e.ok || objective == nullptr || !task.latency) return e;
  e = add_latency(std::move(e), objective, arch);
  e.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return e;
}

Evaluation add_latency(Evaluation e, LatencyObjective* objective, const Architecture& arch) {
  if (!e.ok || objective == nullptr) return e;
  const auto start = std::chrono::steady_clock::now();
  try {
    e.latencies = objective->measure(arch);
    e.latency_ms = e.latencies.front().latency_ms;
    e.latency_json = encode_latencies(e.latencies);
  } catch (const DeviceUnreachable&) {
    throw;
  } catch (const std::exception& ex) {
    e.ok = false;
    e.failure = ex.what();
    e.latencies.clear();
  }
  e.latency_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return e;
}

Score score(const Evaluation& e, const RewardOptions& reward, double failed_reward) {
  if (!e.ok) return {"failed", e.failure, failed_reward};
  try {
    if (!e.latencies.empty()) {
      std::vector<double> ratios;
      for (const DeviceLatency& d : e.latencies) ratios.push_back(d.ratio);
      return {"done", "", compute_reward(e.accuracy, ratios, reward)};
    }
    return {"done", "", compute_reward(e.accuracy, e.latency_ms, reward)};
  } catch (const Error& err) {
    return {"failed", err.what(), failed_reward};
  }
}

}  // namespace mnas
