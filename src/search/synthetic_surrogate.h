#ifndef MNAS_SEARCH_SYNTHETIC_SURROGATE_H_
#define MNAS_SEARCH_SYNTHETIC_SURROGATE_H_

#include <cstdint>
#include <vector>

#include "space/search_space.h"
#include "store/trial.h"

namespace mnas {

// A SYNTHETIC evaluator for tests and benchmarks of search strategies — NOT a measurement of
// anything. It scores thousands of architectures per second so that strategies can be compared
// over many trials and seeds; its numbers must never be reported as accuracy or latency.
//
// "Accuracy" is shaped like the real thing:
//   - capacity: rises with multiply-adds relative to the space's skeleton, with diminishing
//     returns (0.60 + 0.20 · (1 − e^(−2·macs/skeleton_macs)));
//   - per-block preferences: each block prefers some ops, kernels, SE ratios and skips (a seeded
//     table of small bonuses, plus a mild general preference for SE and residuals);
//   - interactions: a seeded bonus for each pair of adjacent blocks' ops;
// clamped to [0, 1]. Deterministic: the same seed and architecture always give the same value.
//
// "Latency" comes from the analytic cost model: pointwise and regular convolutions at 40 GMAC/s,
// depthwise at 4 GMAC/s (memory-bound, as on phones), 0.01 ms per layer and per SE.
class SyntheticSurrogate : public Evaluator {
 public:
  SyntheticSurrogate(const SearchSpace& space, uint64_t seed);
  std::string name() const override { return "synthetic-surrogate"; }
  Evaluation evaluate(const Architecture& arch) override;
  // On a budget (a multi-fidelity rung): a fraction f = train_images / full_images of the full
  // budget gives accuracy · (0.7 + 0.3 f) plus a seeded error of up to ±0.04 (1 − f), so that a
  // low rung ranks architectures like the full one, roughly.
  // (`holdout` is not modelled.)
  Evaluation evaluate_at(const Architecture& arch, int64_t train_images,
                         int64_t holdout) override;
  void set_full_images(int64_t images) { full_images_ = images; }  // Default: 5,000

  double accuracy(const Architecture& arch) const;
  double latency_ms(const Architecture& arch) const;

 private:
  struct BlockPreferences {
    std::vector<double> op;      // indexed by ConvOp * 16 + expansion
    std::vector<double> kernel;  // indexed by kernel
    std::vector<double> skip;    // indexed by SkipOp
    double se = 0.0;
  };
  double op_bonus(int block, const BlockSpec& b) const;

  double skeleton_macs_;
  int64_t full_images_ = 5000;
  std::vector<BlockPreferences> blocks_;
  std::vector<double> pair_bonus_;  // [block][op_a][op_b], flattened
};

}  // namespace mnas

#endif  // MNAS_SEARCH_SYNTHETIC_SURROGATE_H_
