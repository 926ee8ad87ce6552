#ifndef MNAS_SEARCH_LATENCY_OBJECTIVE_H_
#define MNAS_SEARCH_LATENCY_OBJECTIVE_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "devices/open_device.h"
#include "latency/device.h"
#include "latency/lookup_table.h"
#include "search/search_config.h"
#include "store/trial.h"
#include "store/trial_latencies.h"

namespace mnas {

// The latency half of a trial: a candidate measured on every device of the search, each turned
// into the reward's LAT/T. Per device, by its DeviceObjective:
//   - T a zoo model ("mobilenetv2", "0.8x:mnasnet-a1"): candidate and model are timed alternately
//     in one measurement (Device::measure_paired) and LAT/T is the ratio of their statistics, so
//     a machine that drifts mid-search does not bias the reward;
//   - T fixed in ms: the candidate alone, LAT/T = statistic / T.
// The statistic is the median or the p90 (DeviceObjective::latency_stat); every statistic and
// the provenance are kept in DeviceLatency::stats_json either way. With a lookup table (latency
// "lut:FILE") the one local device is predicted instead of measured.
class LatencyObjective {
 public:
  struct Target {
    DeviceObjective objective;
    std::shared_ptr<Device> device;      // measures (with a table: confirms its predictions)
    std::shared_ptr<LookupTable> table;  // predicts
    Architecture reference;              // the target model at the search's input
    double factor = 1.0;                 // T = factor · the reference's statistic
  };

  // `targets` in the search's device order. `request`: threads and protocol of each measurement.
  LatencyObjective(std::vector<Target> targets, TimingRequest request);

  // Every device's latency of `arch`: predicted where a device has a table that covers `arch`
  // (and T's model), else measured on the device (a zoo reference outside the table's space;
  // its stats say "outside_table"). Throws DeviceUnreachable when a device cannot be reached
  // (the search stops there and resumes later) and mnas::Error, naming the device, when it
  // refuses or fails the measurement (the trial fails).
  std::vector<DeviceLatency> measure(const Architecture& arch);

  // Whether a device's latency is predicted by a lookup table that can be confirmed there.
  bool predicts() const;
  // Measures `arch` on each predicted device (as measure() would without its table) and sets
  // measured_ms and measured_target_ms of that device in `latencies` (measure()'s result).
  // Throws as measure() does.
  void confirm(const Architecture& arch, std::vector<DeviceLatency>& latencies);

  // Asks every device who it is (at the start of a search: a wrong token or address shows at
  // once). Throws as measure() does.
  std::vector<std::pair<std::string, DeviceInfo>> check_devices();

  const std::vector<Target>& targets() const { return targets_; }

 private:
  // The candidate's (and the target model's, when T is one) measurement on t.device.
  std::pair<LatencyResult, LatencyResult> measure_device(Target& t, const Architecture& arch);

  std::vector<Target> targets_;
  TimingRequest request_;
};

// The objective `config` describes (its devices opened, a lookup table loaded and checked against
// the space); nullptr for latency "surrogate" (the evaluator gives the latency). Throws
// mnas::Error naming the field for a table that does not fit.
std::unique_ptr<LatencyObjective> make_latency_objective(const SearchConfig& config,
                                                         const DeviceAccess& access);

// "0.8x:mnasnet-a1" → (0.8, the zoo model at `space`'s input and classes).
std::pair<double, Architecture> target_model(const std::string& spec, const SearchSpace& space);

}  // namespace mnas

#endif  // MNAS_SEARCH_LATENCY_OBJECTIVE_H_
