#ifndef MNAS_LATENCY_MEASUREMENT_H_
#define MNAS_LATENCY_MEASUREMENT_H_

#include <functional>
#include <string>
#include <vector>

#include "latency/precision.h"

namespace mnas {

// The measurement protocol shared by every command that times an inference (shaped like TFLite's
// benchmark_model): warm-up, then a run loop bounded by count *and* time, statistics, and a
// re-measurement when the machine was too noisy.
struct MeasureOptions {
  int warmup_runs = 1;          // Default: 1; warm-up continues until both warm-up bounds are met
  double warmup_seconds = 0.2;  // Default: 0.2 s
  int min_runs = 50;            // Default: 50 timed runs at least ...
  double min_seconds = 1.0;     // Default: ... and at least 1 s of timed runs ...
  double max_seconds = 10.0;    // Default: ... but never more than 10 s (stops even below min_runs)
  int cpu = -1;                 // pin the measuring thread to this logical CPU; Default: -1 (no)
  double max_cv = 0.05;         // re-measure when std/mean exceeds this; Default: 0.05
  int max_attempts = 3;         // attempts in all; the one with the lowest CV is kept; Default: 3
};

// Throws mnas::Error naming the bad field (negative runs, max_seconds < min_seconds, a CPU this
// process may not use, ...). `on_this_machine` false: the protocol is for another machine (a
// remote device), whose CPUs it checks itself; a pinned CPU is then only checked as a number.
void validate(const MeasureOptions& options, bool on_this_machine = true);

// Statistics of one attempt's timed runs, in milliseconds.
struct LatencyStats {
  double min_ms = 0, median_ms = 0, mean_ms = 0, std_ms = 0, p90_ms = 0;
  double cv = 0;  // std / mean
  int runs = 0;
};

// Computes the statistics of `samples_ms` (at least one). p90 is the nearest-rank percentile.
LatencyStats summarize(std::vector<double> samples_ms);

// A latency believed from outside (a device's or a command's answer, a lookup table's entry):
// from a nanosecond to about three hours. Beyond that a value is a fault, not a measurement.
constexpr double kMinPlausibleMs = 1e-6;
constexpr double kMaxPlausibleMs = 1e7;

// "" when `s` could be a measurement, else what is wrong with it: every time in
// [kMinPlausibleMs, kMaxPlausibleMs], min ≤ median ≤ p90, min ≤ mean, std and cv finite and
// ≥ 0, at least one run. `median_only`: an attempt's summary, of which only median and runs
// are told. One rule set for every answer, applied before anything is printed or stored.
std::string implausible(const LatencyStats& s, bool median_only = false);

struct Measurement {
  LatencyStats stats;                  // the kept attempt
  std::vector<LatencyStats> attempts;  // every attempt, in order
};

// The clock a measurement reads, in seconds (monotonic). Empty: std::chrono::steady_clock; tests
// give a fake one so that what they check does not depend on how busy the machine is.
using MeasureClock = std::function<double()>;

// Times `run` with the protocol above. `run` must do one complete inference.
Measurement measure(const std::function<void()>& run, const MeasureOptions& options,
                    const MeasureClock& clock = {});

// Two networks timed alternately (a, b, a, b, ...) under one protocol, so that a machine that
// speeds up or slows down while they are measured affects both alike and their ratio holds.
// Both warm up first; a round is one run of each, and the protocol's bounds apply to rounds
// (at least min_runs rounds and min_seconds, at most max_seconds per attempt). An attempt is
// kept when both CVs are ≤ max_cv; otherwise the attempt whose larger CV is lowest.
struct PairedMeasurement {
  Measurement first, second;  // the kept attempt's statistics of `a` and of `b`, and every attempt
};
PairedMeasurement measure_interleaved(const std::function<void()>& a,
                                      const std::function<void()>& b,
                                      const MeasureOptions& options,
                                      const MeasureClock& clock = {});

// Where and how a latency was measured; goes with every result.
struct Provenance {
  std::string device = "local";  // where: "local" (this process) or the device server's URL
  std::string device_id;         // the device's stable id (device.h); empty in older records
  std::string engine;            // "xnnpack"
  std::string engine_version;    // the XNNPACK package version
  std::string cpu_model;         // see cpu_model_from below
  int logical_cpus = 0;          // CPUs this process may run on
  int pinned_cpu = -1;           // MeasureOptions::cpu
  int threads = 1;
  std::string input_shape;  // "28x28x1"
  std::string timestamp;    // UTC, ISO 8601
  Precision precision = Precision::kFp32;  // what the network ran in; fp32 in older records
  // 0: a classifier; N: SSDLite for N categories on it (device.h's TimingRequest); 0 in older
  // records, and written only when set.
  int detector_categories = 0;
};

// The most categories a detector may be timed for (COCO has 80; the data readers allow 10,000).
constexpr int kMaxDetectorCategories = 10000;

// Fills the machine fields (CPU model, logical CPUs, timestamp).
Provenance machine_provenance();

// The CPU model from the text of /proc/cpuinfo and of /proc/device-tree/model (either may be
// empty). x86 has a "model name" line; ARM kernels have none, so there the board (device tree
// model, or the "Hardware" line of older and Android kernels) and the cores ("CPU implementer" and
// "CPU part", named for the common ones: "ARM Cortex-A72"; big.LITTLE lists each kind once) make
// the name: "Raspberry Pi 4 Model B Rev 1.4 (ARM Cortex-A72)". "unknown" when nothing is known.
std::string cpu_model_from(const std::string& cpuinfo, const std::string& device_tree_model);

}  // namespace mnas

#endif  // MNAS_LATENCY_MEASUREMENT_H_
