#ifndef MNAS_SEARCH_FINALIZE_H_
#define MNAS_SEARCH_FINALIZE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/field_table.h"
#include "latency/precision.h"
#include "search/latency_objective.h"
#include "search/search_config.h"
#include "store/finalists.h"
#include "store/store.h"
#include "train/trainer.h"

namespace mnas {

// After a search, what the paper did next: the best candidates trained fully, scaled (depth
// multiplier, input size) and compared with the reference models scaled the same way, every
// variant measured on the search's device(s).
struct FinalizeOptions {
  int top = 2;  // candidates: the best `rank` names; Default: 2
  // "reward": the best of the Pareto front by reward (Default); "accuracy": the most accurate
  // trials within T on every device (LAT/T ≤ 1), for a user whose budget is hard.
  std::string rank = "reward";
  std::vector<double> multipliers = {0.5, 0.75, 1.0, 1.4};  // Default: 0.5, 0.75, 1.0, 1.4
  std::vector<int> inputs;  // square input sides; Default: empty = the search's input only
  std::vector<std::string> references = {"mobilenetv2", "mnasnet-a1", "mnasnet-b1"};
  std::string recipe = "full";  // train/trainer.h's train_recipe; Default: full
  int epochs = 0;               // > 0: instead of the recipe's
  int64_t train_images = 0;     // > 0: instead of the recipe's (full: all but the held-out)
  int64_t holdout = -1;         // ≥ 0: training images held out instead of the recipe's 5,000
  std::string data_dir;         // the data set's folder; "" = its default
  int threads = 0;              // training threads; 0 = every core
  std::string folder;           // checkpoints; Default: "<store>.finalists" beside the store
  // Measure the latency of networks already done again, on the search's device(s) as they are
  // now: for networks trained on another machine (a GPU box; scripts/finalize_parallel.sh), or
  // after the device changed. Trains nothing that is done. Default: off.
  bool remeasure = false;
  // The arithmetic finalists are compared in: "fp32", "int8" (each trained network quantized
  // after training, calibrated on 512 of its training images, and its int8 XNNPACK network
  // scored on the test split; latency measured in int8), or "" for the search's (int8 when every
  // device of the search runs int8). The training is the same at both: a network finalized at
  // one precision is not trained again for the other. Default: "".
  std::string precision;
};

// FinalizeOptions as data (base/field_table.h): `mnas finalize`'s flags, help, defaults and
// ranges; validate_finalize_options checks the ranges and what the table cannot say.
const std::vector<Field<FinalizeOptions>>& finalize_option_fields();

// Throws mnas::Error about the field (Error::field()): a number out of range, no multiplier, an
// unknown zoo name or rank, nothing to do.
void validate_finalize_options(const FinalizeOptions& options);

// The precision `options` compare in: its own, or the search's (int8 when every device is).
Precision finalize_precision(const SearchConfig& config, const FinalizeOptions& options);

// The search's configuration with every device at `precision`: what finalists are measured
// with. Where that changes a device's precision, a search whose lookup table predicts the
// search's precision measures instead (latency "measured"). Throws mnas::Error about
// "precision" where the devices cannot (int8 on a cmd: device or with surrogate latency).
SearchConfig finalize_measurement_config(const SearchConfig& config, Precision precision);

// The variants to train: the `top` best trials as `rank` orders them (one per architecture)
// and the references, each at every multiplier and input, in that order; with what the store
// already holds for the same work (FinalVariant::key) filled in. Throws mnas::Error naming the
// option for bad options (a multiplier out of range, an unknown zoo name, no done trial).
std::vector<FinalVariant> plan_finalists(const Store& store, const SearchConfig& config,
                                         const FinalizeOptions& options);

struct FinalizeProgress {
  int done = 0, total = 0;        // variants finished (done or failed), of all
  const FinalVariant* variant = nullptr;  // the one in progress or just finished
  const TrainProgress* training = nullptr;  // during its training; null once it finished
  double eta_seconds = 0;         // from the variants finished in this run
  bool remeasured = false;        // `variant` was done before and was just measured again
};

// Trains (resuming from its checkpoint when one is there), evaluates on the test split and
// measures every variant of the plan that is not done (at int8: its quantized network scored, on
// `objective` made from finalize_measurement_config), storing the list after each; a variant
// whose training is done for the other precision takes that checkpoint; with
// `remeasure`, first measures the done ones again (stored once all are measured). A variant
// that diverges or fails is stored as failed with the reason and the rest go on;
// DeviceUnreachable stops the run (what is done stays). `objective` null: the search's latency
// is the surrogate's. Returns false when `stop` was set (between epochs): the store keeps what
// finished, and the interrupted training its checkpoint.
bool run_finalize(Store& store, const SearchConfig& config, const FinalizeOptions& options,
                  LatencyObjective* objective, std::vector<FinalVariant>& plan,
                  const std::function<void(const FinalizeProgress&)>& progress,
                  const std::atomic<bool>* stop = nullptr);

}  // namespace mnas

#endif  // MNAS_SEARCH_FINALIZE_H_
