#ifndef MNAS_LATENCY_FAKE_DEVICE_H_
#define MNAS_LATENCY_FAKE_DEVICE_H_

#include <atomic>
#include <chrono>
#include <mutex>

#include "latency/device.h"

namespace mnas {

// A device for tests: answers at once and deterministically, from the cost model. A network's
// latency is `ms_per_gmac` per thousand million multiply-adds plus `overhead_ms`, times the
// device's current speed factor (1 at first; `drift` multiplies it by (1 + drift) after every
// measurement, like a machine that slowly heats up). Every timed run of a measurement gives the
// same value, so statistics are exact; paired measurements see one speed for both networks.
// Thread-safe.
class FakeDevice : public Device {
 public:
  struct Options {
    double ms_per_gmac = 10.0;           // Default: 10 ms per 10^9 multiply-adds (100 GMAC/s)
    double overhead_ms = 0.01;           // Default: 0.01 ms per network
    double drift = 0.0;                  // Default: no drift
    std::chrono::milliseconds delay{0};  // wall time each call takes; Default: none
    int logical_cpus = 4;                // Default: 4
  };
  FakeDevice() : FakeDevice(Options{}) {}
  explicit FakeDevice(Options options);

  std::string location() const override { return "fake"; }
  DeviceInfo info() override;
  MNAS_DEVICE_TIMINGS;

  // The next `n` calls throw DeviceUnreachable (a device that went away).
  void fail_next(int n) { failures_ = n; }
  // Calls that timed something (failures not counted).
  int measurements() const { return measurements_; }
  // What `arch` (its detector, when `request` asks for one) measures at the current speed.
  double latency_ms(const Architecture& arch, const TimingRequest& request = {}) const;

 private:
  void begin_call();  // applies delay and failures
  double next_speed();
  LatencyResult result(const Architecture& arch, double ms, const TimingRequest& request) const;

  Options options_;
  mutable std::mutex mutex_;
  double speed_ = 1.0;
  std::atomic<int> failures_{0}, measurements_{0};
};

}  // namespace mnas

#endif  // MNAS_LATENCY_FAKE_DEVICE_H_
