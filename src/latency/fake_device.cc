#include "latency/fake_device.h"

#include <thread>

#include "base/machine.h"
#include "graph/graph.h"
#include "latency/lookup_table.h"
#include "space/cost_model.h"

namespace mnas {
namespace {

LatencyStats constant_stats(double ms, int runs) {
  LatencyStats s;
  s.min_ms = s.median_ms = s.mean_ms = s.p90_ms = ms;
  s.runs = runs;
  return s;
}

}  // namespace

FakeDevice::FakeDevice(Options options) : options_(options) {}

DeviceInfo FakeDevice::info() {
  begin_call();
  DeviceInfo d;
  d.id = "fake";
  d.cpu_model = "fake CPU";
  d.machine = "fake";
  d.logical_cpus = options_.logical_cpus;
  d.engine = "fake";
  d.engine_version = "1";
  d.mnas_version = MNAS_VERSION;
  return d;
}

void FakeDevice::begin_call() {
  if (options_.delay.count() > 0) std::this_thread::sleep_for(options_.delay);
  if (failures_ > 0) {
    --failures_;
    throw DeviceUnreachable("device fake: unreachable (injected failure)");
  }
}

double FakeDevice::next_speed() {
  std::lock_guard<std::mutex> lock(mutex_);
  const double now = speed_;
  speed_ *= 1.0 + options_.drift;
  return now;
}

double FakeDevice::latency_ms(const Architecture& arch, const TimingRequest& request) const {
  int64_t macs = estimate_cost(arch, false).macs;
  if (request.detector_categories > 0) {  // the detector's graph: count what its operators do
    const Graph graph = graph_to_time(arch, request);
    macs = 0;
    for (size_t i = 0; i < graph.ops.size(); ++i) {
      macs += describe_operator(graph, static_cast<int>(i)).macs;
    }
  }
  std::lock_guard<std::mutex> lock(mutex_);
  return speed_ * (options_.overhead_ms + options_.ms_per_gmac * static_cast<double>(macs) / 1e9);
}

LatencyResult FakeDevice::result(const Architecture& arch, double ms,
                                 const TimingRequest& request) const {
  LatencyResult r;
  r.median_ms = ms;
  r.measurement.stats = constant_stats(ms, request.protocol.min_runs);
  r.measurement.attempts = {r.measurement.stats};
  r.provenance.device = "fake";
  r.provenance.device_id = "fake";
  r.provenance.engine = "fake";
  r.provenance.engine_version = "1";
  r.provenance.cpu_model = "fake CPU";
  r.provenance.logical_cpus = options_.logical_cpus;
  r.provenance.pinned_cpu = request.protocol.cpu;
  r.provenance.threads = request.threads;
  r.provenance.input_shape = to_string(arch.input);
  r.provenance.timestamp = utc_timestamp();
  r.provenance.precision = request.precision;
  r.provenance.detector_categories = request.detector_categories;
  return r;
}

LatencyResult FakeDevice::measure(const Architecture& arch, const TimingRequest& request) {
  validate(request);
  begin_call();
  const double ms = latency_ms(arch, request);
  next_speed();
  ++measurements_;
  return result(arch, ms, request);
}

PairedLatency FakeDevice::measure_paired(const Architecture& candidate,
                                         const Architecture& reference,
                                         const TimingRequest& request) {
  validate(request);
  begin_call();
  PairedLatency p{result(candidate, latency_ms(candidate, request), request),
                  result(reference, latency_ms(reference, request), request)};
  next_speed();
  ++measurements_;
  return p;
}

std::vector<OperatorTiming> FakeDevice::profile(const Architecture& arch,
                                                const TimingRequest& request) {
  validate(request);
  begin_call();
  const Graph graph = graph_to_time(arch, request);
  std::vector<OperatorTiming> out;
  const double speed = next_speed();
  for (size_t i = 0; i < graph.ops.size(); ++i) {
    OperatorTiming t = describe_operator(graph, static_cast<int>(i));
    t.median_ms = speed * (0.001 + options_.ms_per_gmac * static_cast<double>(t.macs) / 1e9);
    out.push_back(t);
  }
  ++measurements_;
  return out;
}

std::vector<LutEntryTiming> FakeDevice::measure_lut_entries(const std::vector<std::string>& keys,
                                                            const TimingRequest& request) {
  validate(request);
  require_classifier(request, "lookup-table entries");
  begin_call();
  const double speed = next_speed();
  std::vector<LutEntryTiming> out;
  for (const std::string& key : keys) {
    const double ms = speed * (0.001 + options_.ms_per_gmac *
                                           static_cast<double>(lut_entry_cost(key).macs) / 1e9);
    out.push_back({key, ms, 0.0, request.protocol.min_runs});
  }
  ++measurements_;
  return out;
}

}  // namespace mnas
