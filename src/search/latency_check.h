#ifndef MNAS_SEARCH_LATENCY_CHECK_H_
#define MNAS_SEARCH_LATENCY_CHECK_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "search/latency_objective.h"
#include "search/search_config.h"
#include "store/store.h"

namespace mnas {

// Checks a lookup table's predictions while the search runs (latency "lut:FILE"). A trial's
// latency is predicted; it is also measured on the device when it enters the Pareto front of the
// trials so far, or when it is drawn for the random share (seeded by the search's seed and the
// trial's step and index, so a resumed search draws the same). The store keeps both
// (DeviceLatency::measured_ms). When the median bias of the predictions over the measurements
// since the last calibration (at least kMinSamples of them) exceeds the threshold, the table's
// calibration is refit from those measurements (every term times the median measured/predicted
// ratio), used for every later prediction, and recorded in the store
// (Store::latency_calibrations); the table's file is never written. The reward keeps using
// predictions, so that every trial is judged alike.
class LatencyCheck {
 public:
  // Measurements a bias is judged on: enough that one noisy measurement does not trigger a refit.
  static constexpr int kMinSamples = 8;

  // `objective` must predict (LatencyObjective::predicts()) and outlive this.
  LatencyCheck(LatencyObjective& objective, const LatencyCheckOptions& options, uint64_t seed);

  // Where a resumed search stood: the trials' measurements, and each device's latest refit
  // applied to its table.
  void restore(const Store& store);

  // One evaluated trial, before it is stored: measured when due (its latencies get
  // measured_ms); a refit when the predictions drifted, recorded in `store`, with the warning
  // returned. Throws as LatencyObjective::confirm does (DeviceUnreachable pauses the search).
  std::optional<std::string> review(Store& store, StoredTrial& trial, const Architecture& arch);

  int measured() const { return measured_; }

 private:
  struct Sample {
    double predicted_ms = 0, measured_ms = 0;
  };
  struct PerDevice {
    size_t target = 0;            // index in the objective's targets
    std::vector<Sample> samples;  // every measurement, in trial order
    size_t window_start = 0;      // first sample since the latest calibration
  };

  bool due(const StoredTrial& trial) const;
  std::optional<std::string> judge(Store& store, PerDevice& d, int64_t after_trials);

  LatencyObjective& objective_;
  LatencyCheckOptions options_;
  uint64_t seed_;
  std::vector<PerDevice> devices_;
  std::vector<std::pair<double, double>> done_;  // (latency_ms, accuracy) of the done trials
  int measured_ = 0;
};

// How a search's predictions compared with its measurements on one device.
struct PredictionError {
  std::string device;
  int measured = 0;               // trials measured as well as predicted
  double median_abs_error = 0;    // median |predicted / measured − 1|
  double bias = 0;                // median (predicted / measured − 1)
};
// One entry per device with at least one measured prediction, in the trials' device order.
std::vector<PredictionError> prediction_errors(const std::vector<StoredTrial>& trials);

}  // namespace mnas

#endif  // MNAS_SEARCH_LATENCY_CHECK_H_
