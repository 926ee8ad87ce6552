#ifndef MNAS_LATENCY_DEVICE_H_
#define MNAS_LATENCY_DEVICE_H_

#include <memory>
#include <string>
#include <vector>

#include "base/error.h"
#include "graph/graph.h"
#include "latency/latency_result.h"
#include "latency/measurement.h"
#include "latency/operator_profile.h"
#include "space/architecture.h"

namespace mnas {

// The device seam: whatever times a network for mnas. Every command that measures (`mnas
// latency`, `--profile`, `lut build`, `lut check`) and the search go through it, so each works
// the same against this machine (LocalDevice), an `mnas-device` server on a board or phone
// (RemoteDevice) or a FakeDevice in tests.
//
// What is timed is named, not shipped: an architecture (the device lowers it itself, with random
// weights: latency does not depend on values) or a lookup-table entry key (lookup_table.h). So
// the wire carries a few hundred bytes, and a device never runs a graph it did not build.

// Who a device is. `id` is stable across restarts of the same machine (a hash of its machine id
// and CPU model), so that a table or a store can tell one board from another of the same kind.
struct DeviceInfo {
  std::string id;
  std::string cpu_model;  // measurement.h's cpu_model_from
  std::string machine;    // "x86_64", "aarch64" (uname)
  int logical_cpus = 0;   // CPUs the measuring process may run on
  std::string engine = "xnnpack";
  std::string engine_version;
  std::string mnas_version;
};

// How to time: threads and the measurement protocol (measure_presets.h has the presets).
struct TimingRequest {
  int threads = 1;          // Default: 1 (the paper's protocol: one core)
  MeasureOptions protocol;  // Default: measurement.h's defaults
  // The network's arithmetic. int8 is timed on this machine and by an mnas-device server (sent
  // only when not fp32; an answer in another precision is refused), lookup-table entries
  // included; a cmd: device refuses it. Default: fp32.
  Precision precision = Precision::kFp32;
  // What is timed on the architecture: 0, its classifier; N ≥ 1, SSDLite for N categories with
  // the architecture as its backbone (graph/detector_graph.h: backbone, extra layers and
  // prediction layers; softmax, box decoding and NMS excluded). Sent to an mnas-device server
  // only when set (one from before detectors refuses it). Lookup-table entries and cmd: devices
  // time classifiers only. Default: 0.
  int detector_categories = 0;
};

// The graph `request` times on `arch`: its classifier or its detector (detector_categories).
Graph graph_to_time(const Architecture& arch, const TimingRequest& request);

// Throws mnas::Error about "task" when `request` asks for a detector, for what times classifiers
// only (`what`: "cmd: devices", "lookup-table entries").
void require_classifier(const TimingRequest& request, const std::string& what);

// Throws mnas::Error about "precision" unless `request` is fp32, for what times fp32 only
// (`what`: "cmd: devices").
void require_fp32(const TimingRequest& request, const std::string& what);

// A candidate timed alternately with a reference on the same device (measure_interleaved): the
// ratio of their statistics is what a drifting machine does not bias.
struct PairedLatency {
  LatencyResult candidate, reference;
};

// One lookup-table entry as measured.
struct LutEntryTiming {
  std::string key;
  double median_ms = 0, std_ms = 0;
  int runs = 0;
};

class Device {
 public:
  virtual ~Device() = default;

  // Where it is: "local", or the server's URL. Goes into every result's provenance.
  virtual std::string location() const = 0;
  // Throws mnas::Error (DeviceUnreachable for a device that does not answer).
  virtual DeviceInfo info() = 0;

  // Each throws mnas::Error naming the field for a request the device refuses (an architecture
  // too large, threads beyond its CPUs, a bad protocol) and DeviceUnreachable when it cannot be
  // reached; results carry the device's provenance.
  virtual LatencyResult measure(const Architecture& arch, const TimingRequest& request) = 0;
  virtual PairedLatency measure_paired(const Architecture& candidate, const Architecture& reference,
                                       const TimingRequest& request) = 0;
  // Every operator of `arch` timed alone (operator_profile.h), under `request` as given (callers
  // usually pass operator_profile_protocol()).
  virtual std::vector<OperatorTiming> profile(const Architecture& arch,
                                              const TimingRequest& request) = 0;
  // Lookup-table entries by key (LookupTable::enumerate_keys), in the order given.
  virtual std::vector<LutEntryTiming> measure_lut_entries(const std::vector<std::string>& keys,
                                                          const TimingRequest& request) = 0;
};

// Declares Device's four timings in a subclass, each `override`: one list, so that the devices
// (local, remote, fake, cmd:) cannot drift from the interface and each header shows only what is
// its own.
#define MNAS_DEVICE_TIMINGS                                                                   \
  LatencyResult measure(const Architecture& arch, const TimingRequest& request) override;    \
  PairedLatency measure_paired(const Architecture& candidate, const Architecture& reference, \
                               const TimingRequest& request) override;                       \
  std::vector<OperatorTiming> profile(const Architecture& arch,                              \
                                      const TimingRequest& request) override;                \
  std::vector<LutEntryTiming> measure_lut_entries(const std::vector<std::string>& keys,      \
                                                  const TimingRequest& request) override

// A device that could not be reached, or kept failing, after the client's retries. Callers that
// can wait (the search) stop cleanly on it and resume later instead of recording a failure.
class DeviceUnreachable : public Error {
 public:
  explicit DeviceUnreachable(const std::string& message) : Error(message, Kind::kIo) {}
};

// This machine: XNNPACK, in this process.
class LocalDevice : public Device {
 public:
  LocalDevice();
  std::string location() const override { return "local"; }
  DeviceInfo info() override { return info_; }
  MNAS_DEVICE_TIMINGS;

 private:
  void check_threads(const TimingRequest& request) const;  // ≤ the CPUs this process may use
  DeviceInfo info_;
};

// This machine's identity (LocalDevice::info, the device server's /v1/device).
DeviceInfo local_device_info();

// Throws mnas::Error unless 1 ≤ threads ≤ 256 and the protocol is valid (measurement.h; for
// another machine when !on_this_machine: a remote device checks its own CPUs).
void validate(const TimingRequest& request, bool on_this_machine = true);

}  // namespace mnas

#endif  // MNAS_LATENCY_DEVICE_H_
