#include "search/latency_objective.h"

#include "base/error.h"
#include "base/json_fields.h"
#include "base/number_format.h"
#include "latency/latency_json.h"
#include "latency/measure_presets.h"
#include "latency/remote_device.h"
#include "space/zoo.h"

namespace mnas {
namespace {

double statistic(const LatencyResult& r, const std::string& stat) {
  return stat == "p90" ? r.measurement.stats.p90_ms : r.median_ms;
}

}  // namespace

std::pair<double, Architecture> target_model(const std::string& spec, const SearchSpace& space) {
  double factor = 1.0;
  std::string name = spec;
  const size_t colon = spec.find("x:");
  if (colon != std::string::npos) {
    factor = parse_double(spec.substr(0, colon),
                          "target: '" + spec + "' should read like 0.8x:mnasnet-a1");
    name = spec.substr(colon + 2);
    if (!(factor > 0)) throw Error("target: the factor must be > 0");
  }
  ZooOptions o;
  o.input = space.input();
  o.classes = space.classes();
  return {factor, zoo_model(name, o)};
}

LatencyObjective::LatencyObjective(std::vector<Target> targets, TimingRequest request)
    : targets_(std::move(targets)), request_(request) {
  MNAS_ASSERT(!targets_.empty());
  validate(request_);
}

std::pair<LatencyResult, LatencyResult> LatencyObjective::measure_device(Target& t,
                                                                       const Architecture& arch) {
  MNAS_ASSERT(t.device != nullptr);
  TimingRequest request = request_;  // in the device's own precision
  request.precision = parse_precision(t.objective.precision, "devices." + t.objective.name);
  if (t.objective.target_ms > 0) return {t.device->measure(arch, request), LatencyResult{}};
  const PairedLatency p = t.device->measure_paired(arch, t.reference, request);
  return {p.candidate, p.reference};
}

bool LatencyObjective::predicts() const {
  for (const Target& t : targets_) {
    if (t.table && t.device) return true;
  }
  return false;
}

void LatencyObjective::confirm(const Architecture& arch, std::vector<DeviceLatency>& latencies) {
  MNAS_ASSERT(latencies.size() == targets_.size());
  for (size_t i = 0; i < targets_.size(); ++i) {
    Target& t = targets_[i];
    if (!t.table || !t.device) continue;
    const DeviceObjective& o = t.objective;
    try {
      const auto [candidate, reference] = measure_device(t, arch);
      latencies[i].measured_ms = statistic(candidate, o.latency_stat);
      latencies[i].measured_target_ms =
          o.target_ms > 0 ? o.target_ms : t.factor * statistic(reference, o.latency_stat);
    } catch (const DeviceUnreachable&) {
      throw;
    } catch (const Error& e) {
      throw Error("confirming the predicted latency on device " + o.name + ": " + e.what(),
                  e.kind());
    }
    if (!(latencies[i].measured_ms > 0) || !(latencies[i].measured_target_ms > 0)) {
      throw Error("confirming the predicted latency on device " + o.name +
                  ": a measurement of no time");
    }
  }
}

std::vector<std::pair<std::string, DeviceInfo>> LatencyObjective::check_devices() {
  std::vector<std::pair<std::string, DeviceInfo>> out;
  for (Target& t : targets_) {
    if (t.device) out.emplace_back(t.objective.name, t.device->info());
  }
  return out;
}

std::vector<DeviceLatency> LatencyObjective::measure(const Architecture& arch) {
  std::vector<DeviceLatency> out;
  for (Target& t : targets_) {
    const DeviceObjective& o = t.objective;
    DeviceLatency d;
    d.device = o.name;
    nlohmann::json stats = {{"stat", o.latency_stat}};
    try {
      const bool paired = o.target_ms <= 0;
      LatencyResult candidate, reference;
      // A model outside the table's space (a zoo reference) is measured on the device the table
      // was built on, with T timed alongside, instead of being dropped.
      const bool in_table =
          t.table && t.table->covers(arch) && (!paired || t.table->covers(t.reference));
      if (in_table || (t.table && !t.device)) {  // no device: the table's own error
        candidate = t.table->predict(arch);
        if (paired) reference = t.table->predict(t.reference);
      } else {
        std::tie(candidate, reference) = measure_device(t, arch);
        if (t.table) stats["outside_table"] = true;
      }
      d.latency_ms = statistic(candidate, o.latency_stat);
      d.target_ms = paired ? t.factor * statistic(reference, o.latency_stat) : o.target_ms;
      stats["candidate"] = latency_json(candidate);
      if (paired) {
        stats["reference"] = latency_json(reference);
        stats["target"] = o.target;
      }
    } catch (const DeviceUnreachable&) {
      throw;
    } catch (const Error& e) {
      throw Error("latency on device " + o.name + ": " + e.what(), e.kind());
    }
    if (!(d.latency_ms > 0) || !(d.target_ms > 0)) {
      throw Error("latency on device " + o.name + ": a measurement of " +
                  format_double(d.latency_ms) + " ms against T = " + format_double(d.target_ms) +
                  " ms; both must be > 0");
    }
    d.ratio = d.latency_ms / d.target_ms;
    d.stats_json = stats.dump();
    out.push_back(std::move(d));
  }
  return out;
}

std::unique_ptr<LatencyObjective> make_latency_objective(const SearchConfig& c,
                                                         const DeviceAccess& access) {
  validate(c);
  if (c.latency == "surrogate" || c.latency == "told")
    return nullptr;  // the evaluator's, the caller's
  std::vector<LatencyObjective::Target> targets;
  for (const DeviceObjective& o : c.devices) {
    LatencyObjective::Target t;
    t.objective = o;
    if (o.target_ms <= 0) std::tie(t.factor, t.reference) = target_model(o.target, c.space);
    if (c.latency.rfind("lut:", 0) == 0) {
      auto table = std::make_shared<LookupTable>(LookupTable::load(c.latency.substr(4)));
      try {
        table->require_space(c.space);
      } catch (const Error& e) {
        throw Error("latency: " + std::string(e.what()));
      }
      if (to_string(table->provenance().precision) != o.precision) {
        throw Error::about("devices." + o.name + ".precision",
                           o.precision + ": the lookup table " + c.latency.substr(4) +
                               " predicts " + to_string(table->provenance().precision) +
                               " latency");
      }
      t.table = table;
      // The device the table was measured on, to confirm predictions while the search runs
      // (latency_check.h): this machine or the board behind an mnas-device URL.
      t.device = open_device(o.url, access, o.name, "devices." + o.name);
      try {
        table->require_device(t.device->info());
      } catch (const Error& e) {
        throw Error("latency: " + std::string(e.what()) + " (devices." + o.name + " is " +
                        o.url + "; a table predicts the device it was built on: mnas lut build "
                        "--device URL)",
                    e.kind());
      }
      if (table->threads() != 1) {
        throw Error("latency: the lookup table was measured with " +
                    std::to_string(table->threads()) +
                    " threads; a search times on one (build it with --threads 1)");
      }
    } else {
      t.device = open_device(o.url, access, o.name, "devices." + o.name);
    }
    targets.push_back(std::move(t));
  }
  TimingRequest request{1, search_trial_protocol()};
  if (c.task == "detection") request.detector_categories = c.space.classes();
  return std::make_unique<LatencyObjective>(std::move(targets), request);
}

}  // namespace mnas
