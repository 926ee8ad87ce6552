#ifndef MNAS_SEARCH_FIDELITY_H_
#define MNAS_SEARCH_FIDELITY_H_

#include <cstdint>
#include <vector>

#include "store/store.h"

namespace mnas {

// Multi-fidelity proxy (SearchConfig::fidelity, `--fidelity 1000,5000`): successive halving
// inside each strategy step. Every proposal of the step trains on the first rung's images; the
// best ⌈n / keep⌉ by their reward at that rung train again, from scratch, on the next rung's,
// and so on up to the full proxy. With Fidelity::continue_runs a proposal is instead one run of
// the full proxy, stopped and scored at each rung (after the rung's first images, on the full
// run's learning-rate schedule): a promoted proposal goes on from where it stopped, so it costs
// the full proxy rather than the full proxy plus the rungs below, and its last rung is the plain
// proxy's result. Latency is measured once, at the first rung. Each rung's result is stored as it
// finishes (Store::add_rung), so a search killed mid-rung resumes there (a run that was held in
// memory trains again from its start, to the same result); the step's trials are stored when its
// last rung is done.
//
// Rewards comparable across rungs: a proposal that stopped at rung k has its rung-k accuracy
// only, which is lower than what the full proxy would give (fewer images). The strategy learns
// from the reward of that accuracy plus the median gain from rung k to the last rung, measured on
// every proposal of the search trained at both (rung_gain; 0 until one is). So a small model
// that stopped early is not punished for the budget it was not given. The store keeps the raw
// rung accuracy (StoredTrial::accuracy, partial = true) beside that reward; results rank and
// draw fronts with full-proxy trials only.

// The held-out images a rung is scored on: its share of the full proxy's (holdout × images /
// last_images), at least kMinRungHoldout and at most `holdout`; the last rung's is `holdout`; 0
// (the evaluator's own) when `holdout` is 0. A lower rung only ranks proposals for the next, and
// scoring is not free: on this machine 2,000 held-out images cost half as much as training on
// 1,000 (bench/search_throughput.sh before and after: docs/search-strategies.md).
constexpr int64_t kMinRungHoldout = 500;
int64_t rung_holdout(int64_t holdout, int64_t images, int64_t last_images);

// Proposals that go on from a rung where `pool` succeeded: ⌈pool / keep⌉ (0 for an empty pool).
int promoted_count(int pool, int keep);

// The median of (last-rung accuracy − rung-k accuracy) over the proposals in `rungs` that were
// trained at both and succeeded at both; 0 when there are none.
double rung_gain(const std::vector<StoredRung>& rungs, int rung, int last);

// One rung of a multi-fidelity search as `mnas results` and library users summarise it.
struct RungSummary {
  int64_t images = 0;          // training images at this rung
  int evaluated = 0, failed = 0;
  double seconds = 0;          // evaluation time spent at this rung
  double median_accuracy = 0;  // of the rung's successful evaluations; 0 when none
  double gain_to_last = 0;     // rung_gain to the last rung (0 for the last)
};

// Per rung of `rung_images` (the search's Fidelity::rungs), what `rungs` (the store's) hold.
std::vector<RungSummary> summarize_rungs(const std::vector<StoredRung>& rungs,
                                         const std::vector<int64_t>& rung_images);

}  // namespace mnas

#endif  // MNAS_SEARCH_FIDELITY_H_
