#ifndef MNAS_STORE_TRIAL_H_
#define MNAS_STORE_TRIAL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "space/architecture.h"

namespace mnas {

// One device's latency for one architecture, as the reward uses it.
struct DeviceLatency {
  std::string device;      // the device's name in the search ("local", "a")
  double latency_ms = 0;   // LAT: the device's statistic (median or p90) of the candidate
  double target_ms = 0;    // T: fixed, or the target model's statistic timed alongside
  double ratio = 0;        // LAT / T as the reward uses it (of one paired measurement)
  std::string stats_json;  // the measurement(s) with their statistics and provenance
  // When latency_ms is a lookup table's prediction that was confirmed on the device
  // (latency_check.h): the measured LAT and T (0: not measured).
  double measured_ms = 0;
  double measured_target_ms = 0;
};

// What an evaluator measured for one architecture.
struct Evaluation {
  bool ok = true;            // false: the evaluation failed (diverged, threw, too large)
  std::string failure;       // why, when !ok
  double accuracy = 0.0;     // held-out top-1 in [0, 1]
  double latency_ms = 0.0;   // latency on the (first) target device
  std::string latency_json;  // the latency's statistics and provenance (JSON), when measured
  // Every device's latency when the search measures on devices (latency_objective.h); empty
  // when the evaluator gives the latency itself (the synthetic surrogate), judged against the
  // reward's fixed T.
  std::vector<DeviceLatency> latencies;
  double seconds = 0.0;          // wall time the evaluation took, latency included
  double latency_seconds = 0.0;  // of which measuring (or predicting) the latency
  // Further numbers an evaluator reported (an external command's extra fields, e.g. top-5 or
  // loss) as a JSON object of name → number, checked (trial_latencies.h); "" when none.
  std::string metrics_json;
};

// One sampled model: a proposal and what became of it.
struct Trial {
  std::vector<int> tokens;  // the strategy's decisions (SearchSpace token order)
  Architecture arch;
  Evaluation evaluation;
  double reward = 0.0;  // the reward the strategy learns from (failed trials: a configured value)
  int step = 0;         // the strategy step (batch) that proposed it
};

// What one evaluation of a search is asked for: the training budget (0: the evaluator's own,
// the full proxy; a multi-fidelity rung's images otherwise, search/fidelity.h) and whether the
// latency is measured (a later rung reuses rung 0's).
struct TrialTask {
  int64_t train_images = 0;
  int64_t holdout = 0;  // held-out images scored; 0: the evaluator's own
  bool latency = true;
  // > 0: the rung is the first train_images of one training run on run_images images
  // (Evaluator::evaluate_rung), which a later rung continues; 0: a run of its own.
  int64_t run_images = 0;
  // Where the evaluation stands in the search, for runners that hand it on (ask/tell): the
  // strategy step and the multi-fidelity rung (-1: none).
  int step = 0;
  int rung = -1;
};

// Scores architectures. Implementations: the real one (proxy training + measured latency, in the
// search issue) and SyntheticSurrogate (tests and benchmarks).
class Evaluator {
 public:
  virtual ~Evaluator() = default;
  virtual std::string name() const = 0;
  // Never throws for a bad architecture: failures come back as !ok with the reason.
  virtual Evaluation evaluate(const Architecture& arch) = 0;
  // The same on a budget of `train_images` training images, scored on `holdout` held-out ones
  // (0: its own number; multi-fidelity rungs). Evaluators that cannot train on a budget fail the
  // evaluation and say why.
  virtual Evaluation evaluate_at(const Architecture& arch, int64_t train_images,
                                 int64_t holdout) {
    (void)arch;
    (void)holdout;
    Evaluation e;
    e.ok = false;
    e.failure = name() + " cannot train on a budget (" + std::to_string(train_images) +
                " images): multi-fidelity needs the proxy or the surrogate evaluator";
    return e;
  }
  // A rung that is part of one run: the first `train_images` images of a training run on
  // `run_images`, scored on `holdout` held-out ones; the last rung (train_images = run_images)
  // is exactly evaluate()'s training. An evaluator that kept the run from an earlier rung goes
  // on from there (the proxy), else it trains the run from the start. The default trains on the
  // rung's budget as evaluate_at does.
  virtual Evaluation evaluate_rung(const Architecture& arch, int64_t train_images,
                                   int64_t run_images, int64_t holdout) {
    (void)run_images;
    return evaluate_at(arch, train_images, holdout);
  }
};

}  // namespace mnas

#endif  // MNAS_STORE_TRIAL_H_
