#include "cli/train_progress.h"

#include <cstdio>

#include "cli/app.h"
#include "cli/interrupt.h"
#include "cli/table.h"

namespace mnas::cli {

void TrainProgressPrinter::operator()(const TrainProgress& p) {
  epoch_ = p.epoch;
  if (InterruptGuard::requested()) throw Interrupted{};
  const auto now = std::chrono::steady_clock::now();
  if (p.step != p.steps && now - last_ < std::chrono::seconds(2)) return;
  last_ = now;
  std::fprintf(stderr, "mnas: epoch %d/%d step %lld/%lld loss %.4f %s %.1f%% %.0f img/s ETA %s\n",
               p.epoch, p.epochs, static_cast<long long>(p.step), static_cast<long long>(p.steps),
               p.loss, accuracy_.c_str(), 100 * p.accuracy, p.images_per_second,
               format_duration(p.eta_seconds).c_str());
}

void TrainProgressPrinter::stopped(const std::string& checkpoint) const {
  if (checkpoint.empty()) {
    std::fprintf(stderr,
                 "mnas: training stopped by %s during epoch %d; nothing kept (give --out FILE to "
                 "keep a checkpoint after every epoch)\n",
                 InterruptGuard::signal_name(), epoch_);
  } else {
    std::fprintf(stderr,
                 "mnas: training stopped by %s during epoch %d; %s holds the epochs finished "
                 "before it (if any); the same command with --resume %s continues\n",
                 InterruptGuard::signal_name(), epoch_, checkpoint.c_str(), checkpoint.c_str());
  }
  throw ExitWith{interrupted_exit_code(InterruptGuard::signal_number())};
}

}  // namespace mnas::cli
