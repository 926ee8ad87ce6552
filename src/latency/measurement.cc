#include "latency/measurement.h"

#include <sched.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <sstream>
#include <utility>

#include "base/error.h"
#include "base/field_table.h"
#include "base/machine.h"
#include "base/number_format.h"
#include "base/stop.h"
#include "latency/measure_presets.h"

namespace mnas {
namespace {

// Seconds on the measurement's clock (MeasureClock); steady_clock unless a test gives its own.
double steady_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
const MeasureClock kSteadyClock = steady_seconds;

// Pins the calling thread to one CPU for its lifetime and restores the previous mask after.
class CpuPin {
 public:
  explicit CpuPin(int cpu) {
    if (cpu < 0) return;
    if (sched_getaffinity(0, sizeof(previous_), &previous_) != 0) {
      throw Error("cpu: cannot read this thread's CPU affinity", Error::Kind::kIo);
    }
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof(set), &set) != 0) {
      throw Error("cpu: cannot pin to CPU " + std::to_string(cpu));
    }
    pinned_ = true;
  }
  ~CpuPin() {
    if (pinned_) sched_setaffinity(0, sizeof(previous_), &previous_);
  }
  CpuPin(const CpuPin&) = delete;
  CpuPin& operator=(const CpuPin&) = delete;

 private:
  cpu_set_t previous_{};
  bool pinned_ = false;
};

LatencyStats attempt(const std::function<void()>& run, const MeasureOptions& o,
                     const MeasureClock& now) {
  const double warm = now();
  for (int i = 0; i < o.warmup_runs || now() - warm < o.warmup_seconds; ++i) {
    run();
    check_stop();
    if (now() - warm > o.max_seconds) break;
  }
  std::vector<double> samples;
  const double start = now();
  while (static_cast<int>(samples.size()) < o.min_runs || now() - start < o.min_seconds) {
    const double t = now();
    run();
    samples.push_back(1000 * (now() - t));
    check_stop();
    if (now() - start >= o.max_seconds) break;
  }
  return summarize(std::move(samples));
}

// One attempt of measure_interleaved: rounds of (a, b).
std::pair<LatencyStats, LatencyStats> paired_attempt(const std::function<void()>& a,
                                                     const std::function<void()>& b,
                                                     const MeasureOptions& o,
                                                     const MeasureClock& now) {
  const double warm = now();
  for (int i = 0; i < o.warmup_runs || now() - warm < o.warmup_seconds; ++i) {
    a();
    b();
    check_stop();
    if (now() - warm > o.max_seconds) break;
  }
  std::vector<double> sa, sb;
  const double start = now();
  while (static_cast<int>(sa.size()) < o.min_runs || now() - start < o.min_seconds) {
    const double t = now();
    a();
    const double mid = now();
    b();
    sa.push_back(1000 * (mid - t));
    sb.push_back(1000 * (now() - mid));
    check_stop();
    if (now() - start >= o.max_seconds) break;
  }
  return {summarize(std::move(sa)), summarize(std::move(sb))};
}

}  // namespace

void validate(const MeasureOptions& o, bool on_this_machine) {
  const auto fail = [](const std::string& m) { throw Error(m); };
  field_table::check_ranges(measure_option_fields(), o);  // each number in its range
  if (o.max_seconds < o.min_seconds) {
    fail("max seconds (" + format_double(o.max_seconds) + ") is below min seconds (" +
         format_double(o.min_seconds) + ")");
  }
  if (o.cpu >= 0 && !on_this_machine) {
    if (o.cpu >= (1 << 20)) fail("cpu: " + std::to_string(o.cpu) + " is not a CPU number");
  } else if (o.cpu >= 0) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) != 0 || o.cpu >= CPU_SETSIZE ||
        !CPU_ISSET(o.cpu, &set)) {
      fail("cpu: " + std::to_string(o.cpu) + " is not a CPU this process may run on");
    }
  } else if (o.cpu != -1) {
    fail("cpu: " + std::to_string(o.cpu) + "; use a CPU number ≥ 0, or -1 for no pinning");
  }
}

std::string implausible(const LatencyStats& s, bool median_only) {
  const auto out_of_range = [](double ms) {
    return !(ms >= kMinPlausibleMs && ms <= kMaxPlausibleMs);  // NaN too
  };
  char buf[160];
  const auto fmt = [&](const char* what, double v) {
    std::snprintf(buf, sizeof buf, "%s %.6g ms is not a plausible latency (%.0e to %.0e ms)",
                  what, v, kMinPlausibleMs, kMaxPlausibleMs);
    return std::string(buf);
  };
  if (s.runs < 1) return "runs " + std::to_string(s.runs) + ": a measurement has at least one run";
  if (out_of_range(s.median_ms)) return fmt("median", s.median_ms);
  if (median_only) return "";
  if (out_of_range(s.min_ms)) return fmt("min", s.min_ms);
  if (out_of_range(s.mean_ms)) return fmt("mean", s.mean_ms);
  if (out_of_range(s.p90_ms)) return fmt("p90", s.p90_ms);
  if (!(s.min_ms <= s.median_ms && s.median_ms <= s.p90_ms && s.min_ms <= s.mean_ms)) {
    std::snprintf(buf, sizeof buf,
                  "statistics that contradict themselves (min %.6g, median %.6g, mean %.6g, "
                  "p90 %.6g ms)",
                  s.min_ms, s.median_ms, s.mean_ms, s.p90_ms);
    return buf;
  }
  if (!(s.std_ms >= 0 && s.std_ms <= kMaxPlausibleMs) || !(s.cv >= 0 && s.cv <= 1e3)) {
    return "std or cv out of range";
  }
  return "";
}

LatencyStats summarize(std::vector<double> samples) {
  MNAS_ASSERT(!samples.empty());
  std::sort(samples.begin(), samples.end());
  LatencyStats s;
  s.runs = static_cast<int>(samples.size());
  s.min_ms = samples.front();
  const size_t n = samples.size();
  s.median_ms = n % 2 ? samples[n / 2] : 0.5 * (samples[n / 2 - 1] + samples[n / 2]);
  double sum = 0;
  for (double v : samples) sum += v;
  s.mean_ms = sum / n;
  double sq = 0;
  for (double v : samples) sq += (v - s.mean_ms) * (v - s.mean_ms);
  s.std_ms = n > 1 ? std::sqrt(sq / (n - 1)) : 0.0;
  const size_t rank = static_cast<size_t>(std::ceil(0.9 * n));
  s.p90_ms = samples[std::max<size_t>(rank, 1) - 1];
  s.cv = s.mean_ms > 0 ? s.std_ms / s.mean_ms : 0.0;
  return s;
}

Measurement measure(const std::function<void()>& run, const MeasureOptions& options,
                    const MeasureClock& clock) {
  const MeasureClock& now = clock ? clock : kSteadyClock;
  validate(options);
  CpuPin pin(options.cpu);
  Measurement m;
  for (int a = 0; a < options.max_attempts; ++a) {
    m.attempts.push_back(attempt(run, options, now));
    if (a == 0 || m.attempts.back().cv < m.stats.cv) m.stats = m.attempts.back();
    if (m.attempts.back().cv <= options.max_cv) break;
  }
  return m;
}

namespace {

std::string read_small_file(const char* path) {
  std::ifstream in(path);
  std::string text, line;
  while (text.size() < (size_t{1} << 20) && std::getline(in, line)) text += line + "\n";
  return text;
}

std::string trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  const size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// "CPU implementer" × "CPU part" → name, for the cores boards and phones mostly have.
std::string arm_core_name(int implementer, int part) {
  struct Core {
    int implementer, part;
    const char* name;
  };
  static const Core kCores[] = {
      {0x41, 0xd03, "ARM Cortex-A53"},         {0x41, 0xd04, "ARM Cortex-A35"},
      {0x41, 0xd05, "ARM Cortex-A55"},         {0x41, 0xd07, "ARM Cortex-A57"},
      {0x41, 0xd08, "ARM Cortex-A72"},         {0x41, 0xd09, "ARM Cortex-A73"},
      {0x41, 0xd0a, "ARM Cortex-A75"},         {0x41, 0xd0b, "ARM Cortex-A76"},
      {0x41, 0xd0c, "ARM Neoverse-N1"},        {0x41, 0xd0d, "ARM Cortex-A77"},
      {0x41, 0xd40, "ARM Neoverse-V1"},        {0x41, 0xd41, "ARM Cortex-A78"},
      {0x41, 0xd44, "ARM Cortex-X1"},          {0x41, 0xd46, "ARM Cortex-A510"},
      {0x41, 0xd47, "ARM Cortex-A710"},        {0x41, 0xd48, "ARM Cortex-X2"},
      {0x41, 0xd49, "ARM Neoverse-N2"},        {0x41, 0xd4b, "ARM Cortex-A78C"},
      {0x41, 0xd4d, "ARM Cortex-A715"},        {0x41, 0xd4e, "ARM Cortex-X3"},
      {0x41, 0xd4f, "ARM Neoverse-V2"},        {0x41, 0xd80, "ARM Cortex-A520"},
      {0x41, 0xd81, "ARM Cortex-A720"},        {0x41, 0xd82, "ARM Cortex-X4"},
      {0x51, 0x800, "Qualcomm Kryo 2xx Gold"}, {0x51, 0x801, "Qualcomm Kryo 2xx Silver"},
      {0x51, 0x802, "Qualcomm Kryo 3xx Gold"}, {0x51, 0x803, "Qualcomm Kryo 3xx Silver"},
      {0x51, 0x804, "Qualcomm Kryo 4xx Gold"}, {0x51, 0x805, "Qualcomm Kryo 4xx Silver"},
      {0x61, 0x022, "Apple M1 Icestorm"},      {0x61, 0x023, "Apple M1 Firestorm"},
  };
  for (const Core& c : kCores) {
    if (c.implementer == implementer && c.part == part) return c.name;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "ARM core 0x%02x/0x%03x", implementer, part);
  return buf;
}

}  // namespace

std::string cpu_model_from(const std::string& cpuinfo, const std::string& device_tree_model) {
  std::string model_name, hardware;
  std::vector<std::string> cores;  // distinct, in the order the CPUs list them
  int implementer = -1;
  std::istringstream in(cpuinfo);
  std::string line;
  while (std::getline(in, line)) {
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    const std::string key = trim(line.substr(0, colon)), value = trim(line.substr(colon + 1));
    if (key == "model name" && model_name.empty()) model_name = value;
    if (key == "Hardware" && hardware.empty()) hardware = value;
    if (key == "CPU implementer")
      implementer = static_cast<int>(std::strtol(value.c_str(), nullptr, 0));
    if (key == "CPU part" && implementer >= 0) {
      const std::string core =
          arm_core_name(implementer, static_cast<int>(std::strtol(value.c_str(), nullptr, 0)));
      if (std::find(cores.begin(), cores.end(), core) == cores.end()) cores.push_back(core);
    }
  }
  // x86, and ARM kernels that have a model name line (some do: "ARMv7 Processor rev 4 (v7l)" is
  // less telling than the core names, so those win on ARM).
  if (!model_name.empty() && cores.empty()) return model_name;
  // The device tree's model is NUL-terminated.
  std::string board = trim(device_tree_model.substr(0, device_tree_model.find('\0')));
  if (board.empty()) board = hardware;
  std::string core_list;
  for (const std::string& c : cores) core_list += (core_list.empty() ? "" : " + ") + c;
  if (board.empty() && core_list.empty()) return model_name.empty() ? "unknown" : model_name;
  if (board.empty()) return core_list;
  if (core_list.empty()) return board;
  return board + " (" + core_list + ")";
}

PairedMeasurement measure_interleaved(const std::function<void()>& a,
                                      const std::function<void()>& b,
                                      const MeasureOptions& options, const MeasureClock& clock) {
  const MeasureClock& now = clock ? clock : kSteadyClock;
  validate(options);
  CpuPin pin(options.cpu);
  PairedMeasurement m;
  double kept_cv = 0;
  for (int i = 0; i < options.max_attempts; ++i) {
    const auto [first, second] = paired_attempt(a, b, options, now);
    m.first.attempts.push_back(first);
    m.second.attempts.push_back(second);
    const double cv = std::max(first.cv, second.cv);
    if (i == 0 || cv < kept_cv) {
      m.first.stats = first;
      m.second.stats = second;
      kept_cv = cv;
    }
    if (cv <= options.max_cv) break;
  }
  return m;
}

Provenance machine_provenance() {
  Provenance p;
  p.cpu_model =
      cpu_model_from(read_small_file("/proc/cpuinfo"), read_small_file("/proc/device-tree/model"));
  cpu_set_t set;
  p.logical_cpus = sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set) : 0;
  p.timestamp = utc_timestamp();
  return p;
}

}  // namespace mnas
