#ifndef MNAS_SEARCH_SEARCH_SETUP_H_
#define MNAS_SEARCH_SEARCH_SETUP_H_

#include <memory>
#include <string>

#include "search/reward.h"
#include "search/search_config.h"
#include "store/trial.h"
#include "train/trainer.h"

namespace mnas {

// What a process needs besides the stored configuration to evaluate trials: where this machine
// keeps the data and how many cores it may train on. Not stored (a resumed search or another MPI
// rank may have other paths and cores).
struct EvaluatorRuntime {
  std::string data_dir;     // the data set's folder; "" = its default; Default: ""
  int threads = 0;          // training threads; 0 = every CPU this process may use; Default: 0
  std::string train_device = "auto";  // where the proxy trains (train/train_device.h); an MPI
                                      // worker's "cuda"/"auto" is its own GPU; Default: auto
  double surrogate_cost_ms = 0;  // the surrogate sleeps this long per trial (a stand-in for
                                 // training, for throughput benchmarks); Default: 0
  std::string work_dir;  // where a cmd: evaluator makes its trial folders; "" = $TMPDIR or /tmp
};

// The evaluator `config` describes — the proxy trainer on config.proxy, the synthetic surrogate
// seeded with config.seed, or the user's command (search/command_evaluator.h) — as every process
// that evaluates builds it (the search, an MPI rank, a test). Checks the data set against the space
// (at least 2 classes, the space's channels and classes). Throws mnas::Error naming the
// configuration field.
std::unique_ptr<Evaluator> make_evaluator(const SearchConfig& config,
                                          const EvaluatorRuntime& runtime);

// What the proxy evaluator trains each candidate with: the trainer's proxy recipe with
// config.proxy's data set, epochs, images, held-out images and batch, and the runtime's threads.
TrainOptions proxy_train_options(const SearchConfig& config, const EvaluatorRuntime& runtime);

// The reward the search uses: config's exponents; for latency "surrogate" also T, computed once
// from the target model with the surrogate's latency (stored in config.devices[0].target_ms, so
// that the store records it).
RewardOptions make_reward(SearchConfig& config);

}  // namespace mnas

#endif  // MNAS_SEARCH_SEARCH_SETUP_H_
