#include "latency/measurement.h"

#include <sched.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <fstream>

#include "space/error.h"
#include "space/number_format.h"

namespace mnas {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

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

LatencyStats attempt(const std::function<void()>& run, const MeasureOptions& o) {
  const Clock::time_point warm = Clock::now();
  for (int i = 0; i < o.warmup_runs || seconds_since(warm) < o.warmup_seconds; ++i) {
    run();
    if (seconds_since(warm) > o.max_seconds) break;
  }
  std::vector<double> samples;
  const Clock::time_point start = Clock::now();
  while (static_cast<int>(samples.size()) < o.min_runs || seconds_since(start) < o.min_seconds) {
    const Clock::time_point t = Clock::now();
    run();
    samples.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t).count());
    if (seconds_since(start) >= o.max_seconds) break;
  }
  return summarize(std::move(samples));
}

}  // namespace

void validate(const MeasureOptions& o) {
  const auto fail = [](const std::string& m) { throw Error(m); };
  if (o.warmup_runs < 0) fail("warmup runs: " + std::to_string(o.warmup_runs) + "; must be ≥ 0");
  if (!(o.warmup_seconds >= 0) || !std::isfinite(o.warmup_seconds))
    fail("warmup seconds: must be ≥ 0");
  if (o.min_runs < 1) fail("runs: " + std::to_string(o.min_runs) + "; must be ≥ 1");
  if (!(o.min_seconds >= 0) || !std::isfinite(o.min_seconds)) fail("min seconds: must be ≥ 0");
  if (!(o.max_seconds > 0) || !std::isfinite(o.max_seconds)) fail("max seconds: must be > 0");
  if (o.max_seconds < o.min_seconds) {
    fail("max seconds (" + format_double(o.max_seconds) + ") is below min seconds (" +
         format_double(o.min_seconds) + ")");
  }
  if (!(o.max_cv > 0) || !std::isfinite(o.max_cv)) fail("max cv: must be > 0");
  if (o.max_attempts < 1 || o.max_attempts > 100) fail("attempts: must be in [1, 100]");
  if (o.cpu >= 0) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) != 0 || o.cpu >= CPU_SETSIZE ||
        !CPU_ISSET(o.cpu, &set)) {
      fail("cpu: " + std::to_string(o.cpu) + " is not a CPU this process may run on");
    }
  } else if (o.cpu != -1) {
    fail("cpu: " + std::to_string(o.cpu) + "; use a CPU number ≥ 0, or -1 for no pinning");
  }
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

Measurement measure(const std::function<void()>& run, const MeasureOptions& options) {
  validate(options);
  CpuPin pin(options.cpu);
  Measurement m;
  for (int a = 0; a < options.max_attempts; ++a) {
    m.attempts.push_back(attempt(run, options));
    if (a == 0 || m.attempts.back().cv < m.stats.cv) m.stats = m.attempts.back();
    if (m.attempts.back().cv <= options.max_cv) break;
  }
  return m;
}

Provenance machine_provenance() {
  Provenance p;
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("model name", 0) == 0) {
      const size_t colon = line.find(':');
      if (colon != std::string::npos) p.cpu_model = line.substr(colon + 2);
      break;
    }
  }
  if (p.cpu_model.empty()) p.cpu_model = "unknown";
  cpu_set_t set;
  p.logical_cpus = sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set) : 0;
  const std::time_t now = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  p.timestamp = buf;
  return p;
}

}  // namespace mnas
