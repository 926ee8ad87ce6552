// LocalDevice: this machine's XNNPACK behind the device seam.
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "base/number_format.h"
#include "graph/detector_graph.h"
#include "graph/graph.h"
#include "latency/device.h"
#include "latency/lookup_table.h"
#include "latency/xnnpack_network.h"

namespace mnas {
namespace {

std::string first_line(const char* path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line.substr(0, 256);
}

Provenance provenance_for(const DeviceInfo& info, const TimingRequest& request,
                          const Architecture& arch) {
  Provenance p = machine_provenance();
  p.device = "local";
  p.device_id = info.id;
  p.engine = info.engine;
  p.engine_version = info.engine_version;
  p.pinned_cpu = request.protocol.cpu;
  p.threads = request.threads;
  p.input_shape = to_string(arch.input);
  p.precision = request.precision;
  p.detector_categories = request.detector_categories;
  return p;
}


}  // namespace

DeviceInfo local_device_info() {
  DeviceInfo info;
  const Provenance machine = machine_provenance();
  info.cpu_model = machine.cpu_model;
  info.logical_cpus = machine.logical_cpus;
  utsname u{};
  info.machine = uname(&u) == 0 ? u.machine : "unknown";
  std::string machine_id = first_line("/etc/machine-id");
  if (machine_id.empty()) machine_id = first_line("/var/lib/dbus/machine-id");
  if (machine_id.empty()) {
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    machine_id = host;
  }
  info.id = fingerprint_hex(machine_id + "|" + info.cpu_model + "|" + info.machine);
  info.engine = "xnnpack";
  info.engine_version = xnnpack_version();
  info.mnas_version = MNAS_VERSION;
  return info;
}

void require_fp32(const TimingRequest& request, const std::string& what) {
  if (request.precision != Precision::kFp32) {
    throw Error::about("precision", to_string(request.precision) + ": " + what +
                                        " time fp32 only so far");
  }
}

Graph graph_to_time(const Architecture& arch, const TimingRequest& request) {
  if (request.detector_categories > 0) return lower_detector(arch, request.detector_categories);
  return lower_architecture(arch);
}

void require_classifier(const TimingRequest& request, const std::string& what) {
  if (request.detector_categories != 0) {
    throw Error::about("task", "detection: " + what + " time classifiers only so far");
  }
}

void validate(const TimingRequest& request, bool on_this_machine) {
  if (request.detector_categories < 0 || request.detector_categories > kMaxDetectorCategories) {
    throw Error::about("detector_categories",
                       std::to_string(request.detector_categories) + " is out of range; must be "
                       "in [0, " + std::to_string(kMaxDetectorCategories) + "] (0: a classifier)");
  }
  if (request.threads < 1 || request.threads > 256) {
    throw Error("threads: " + std::to_string(request.threads) +
                " is out of range; must be in [1, 256]");
  }
  validate(request.protocol, on_this_machine);
}

LocalDevice::LocalDevice() : info_(local_device_info()) {}

// More threads than CPUs only makes the threads wait for each other (64 threads on 2 CPUs spun
// for minutes): refused, naming what this process may use.
void LocalDevice::check_threads(const TimingRequest& request) const {
  validate(request);
  if (info_.logical_cpus > 0 && request.threads > info_.logical_cpus) {
    throw Error("threads: " + std::to_string(request.threads) + " is more than the " +
                std::to_string(info_.logical_cpus) + " CPUs this process may use");
  }
}

LatencyResult LocalDevice::measure(const Architecture& arch, const TimingRequest& request) {
  check_threads(request);
  XnnpackNetwork net(graph_to_time(arch, request), request.threads, request.precision);
  LatencyResult r;
  r.measurement = mnas::measure([&net] { net.run(); }, request.protocol);
  r.median_ms = r.measurement.stats.median_ms;
  r.provenance = provenance_for(info_, request, arch);
  return r;
}

PairedLatency LocalDevice::measure_paired(const Architecture& candidate,
                                          const Architecture& reference,
                                          const TimingRequest& request) {
  check_threads(request);
  XnnpackNetwork a(graph_to_time(candidate, request), request.threads, request.precision);
  XnnpackNetwork b(graph_to_time(reference, request), request.threads, request.precision);
  const PairedMeasurement m =
      measure_interleaved([&a] { a.run(); }, [&b] { b.run(); }, request.protocol);
  PairedLatency p;
  p.candidate.measurement = m.first;
  p.candidate.median_ms = m.first.stats.median_ms;
  p.candidate.provenance = provenance_for(info_, request, candidate);
  p.reference.measurement = m.second;
  p.reference.median_ms = m.second.stats.median_ms;
  p.reference.provenance = provenance_for(info_, request, reference);
  return p;
}

std::vector<OperatorTiming> LocalDevice::profile(const Architecture& arch,
                                                 const TimingRequest& request) {
  check_threads(request);
  return profile_operators(graph_to_time(arch, request), request.threads, request.protocol, {},
                           request.precision);
}

std::vector<LutEntryTiming> LocalDevice::measure_lut_entries(const std::vector<std::string>& keys,
                                                             const TimingRequest& request) {
  check_threads(request);
  require_classifier(request, "lookup-table entries");
  std::vector<LutEntryTiming> out;
  for (const std::string& key : keys) {
    // An int8 entry is the part's int8 network without conversions (int8 in, int8 out), as it
    // runs inside a whole int8 network; the conversions at the ends are the calibration's.
    const bool int8 = request.precision == Precision::kInt8;
    XnnpackNetwork net(lut_entry_graph(key), request.threads, request.precision, int8);
    const Measurement m = mnas::measure([&net] { net.run(); }, request.protocol);
    out.push_back({key, m.stats.median_ms, m.stats.std_ms, m.stats.runs});
  }
  return out;
}

}  // namespace mnas
