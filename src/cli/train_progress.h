#ifndef MNAS_CLI_TRAIN_PROGRESS_H_
#define MNAS_CLI_TRAIN_PROGRESS_H_

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "train/trainer.h"

namespace mnas::cli {

// What `mnas train` prints while a run trains — a line on stderr every 2 s and at each epoch's
// end ("mnas: epoch 3/30 step 120/430 loss 0.61 acc 90.1% 480 img/s ETA 20m") — and how it
// stops on Ctrl-C or SIGTERM: the progress callback throws Interrupted at the next step, and
// stopped() says what the checkpoint holds and exits 130/143. The classifier's and the
// detector's runs share it; `accuracy` names what their accuracy counts.
class TrainProgressPrinter {
 public:
  explicit TrainProgressPrinter(std::string accuracy) : accuracy_(std::move(accuracy)) {}
  void operator()(const TrainProgress& p);
  // Says where the interrupted run stopped and what `checkpoint` (possibly none) keeps, then
  // throws ExitWith the signal's exit code.
  [[noreturn]] void stopped(const std::string& checkpoint) const;

 private:
  std::string accuracy_;
  int epoch_ = 0;
  std::chrono::steady_clock::time_point last_ =
      std::chrono::steady_clock::now() - std::chrono::seconds(10);
};

// What `mnas train --json` reports of any run, classifier's (TrainResult) or detector's
// (DetectionTrainResult): its size, epochs, loss, speed, device, status and checkpoint.
template <typename Result>
nlohmann::json run_summary_json(const Result& r, const std::string& checkpoint) {
  return {{"params", r.params},
          {"split", "holdout"},
          {"epochs", r.epochs_done},
          {"train_loss", r.train_loss},
          {"images_per_second", r.images_per_second},
          {"seconds", r.seconds},
          {"train_device", r.device},
          {"status", r.status},
          {"reason", r.reason},
          {"checkpoint", checkpoint}};
}

}  // namespace mnas::cli

#endif  // MNAS_CLI_TRAIN_PROGRESS_H_
