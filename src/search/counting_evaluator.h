#ifndef MNAS_SEARCH_COUNTING_EVALUATOR_H_
#define MNAS_SEARCH_COUNTING_EVALUATOR_H_

// For tests, as latency/fake_device.h is: the synthetic surrogate behind an Evaluator that counts
// what it is asked, fails chosen architectures, and stops the search like a kill.

#include <cstdint>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>

#include "search/synthetic_surrogate.h"
#include "store/trial.h"

namespace mnas {

// Thrown at the kill: not a std::exception, which the search loop would record as a failed
// trial; this one ends the search, as a kill does.
struct Killed {};

class CountingEvaluator : public Evaluator {
 public:
  explicit CountingEvaluator(const SearchSpace& space, uint64_t seed = 3)
      : surrogate_(space, seed) {}
  std::string name() const override { return "counting"; }
  // The full proxy: what the surrogate gives with every image (5,000).
  Evaluation evaluate(const Architecture& arch) override { return evaluate_at(arch, 5000, 0); }
  Evaluation evaluate_at(const Architecture& arch, int64_t images, int64_t holdout) override {
    if (calls++ == kill_at) throw Killed{};
    if (throw_if && throw_if(arch)) throw std::runtime_error("injected");
    ++by_images[images];
    holdouts[images] = holdout;
    if (fail_if && fail_if(arch)) {
      Evaluation e;
      e.ok = false;
      e.failure = "diverged: injected";
      return e;
    }
    return surrogate_.evaluate_at(arch, images, holdout);
  }
  Evaluation evaluate_rung(const Architecture& arch, int64_t images, int64_t run_images,
                           int64_t holdout) override {
    ++by_run_images[run_images];
    return evaluate_at(arch, images, holdout);
  }

  int kill_at = -1;  // the call (counted from 0) that throws Killed; -1: none
  std::function<bool(const Architecture&)> fail_if;   // a failed evaluation for these
  std::function<bool(const Architecture&)> throw_if;  // std::runtime_error("injected") for these

  int calls = 0;                           // evaluations asked for, the killed one included
  std::map<int64_t, int> by_images;        // evaluations per training images
  std::map<int64_t, int64_t> holdouts;     // the held-out images asked for, per training images
  std::map<int64_t, int> by_run_images;    // rungs evaluated as part of one run, per run length

 private:
  SyntheticSurrogate surrogate_;
};

}  // namespace mnas

#endif  // MNAS_SEARCH_COUNTING_EVALUATOR_H_
