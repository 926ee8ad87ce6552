#include "store/results_views.h"

#include <algorithm>
#include <set>

#include "base/median.h"

namespace mnas {

std::vector<StoredTrial> pareto_front(const std::vector<StoredTrial>& trials) {
  std::vector<StoredTrial> done;
  std::set<std::string> seen;
  for (const StoredTrial& t : trials) {
    if (t.status == "done" && !t.partial && seen.insert(t.canonical).second) done.push_back(t);
  }
  std::vector<StoredTrial> front;
  for (const StoredTrial& a : done) {
    bool dominated = false;
    for (const StoredTrial& b : done) {
      if (b.accuracy >= a.accuracy && b.latency_ms <= a.latency_ms &&
          (b.accuracy > a.accuracy || b.latency_ms < a.latency_ms)) {
        dominated = true;
        break;
      }
    }
    if (!dominated) front.push_back(a);
  }
  std::sort(front.begin(), front.end(),
            [](const StoredTrial& x, const StoredTrial& y) { return x.latency_ms < y.latency_ms; });
  return front;
}

namespace {

const DeviceLatency* find_device(const std::vector<DeviceLatency>& latencies,
                                 const std::string& device) {
  for (const DeviceLatency& d : latencies) {
    if (d.device == device) return &d;
  }
  return nullptr;
}

}  // namespace

namespace {

// StoredTrial or StoredReference: done rows without `device` left out, latency_ms set to its.
template <typename Row>
std::vector<Row> rows_on_device(const std::vector<Row>& rows, const std::string& device) {
  std::vector<Row> out;
  for (const Row& row : rows) {
    const DeviceLatency* d = find_device(row.latencies, device);
    if (row.status == "done" && d == nullptr) continue;
    out.push_back(row);
    if (d) out.back().latency_ms = d->latency_ms;
  }
  return out;
}

}  // namespace

std::vector<StoredTrial> on_device(const std::vector<StoredTrial>& trials,
                                   const std::string& device) {
  return rows_on_device(trials, device);
}

std::vector<StoredReference> on_device(const std::vector<StoredReference>& references,
                                       const std::string& device) {
  return rows_on_device(references, device);
}

std::vector<std::string> measured_devices(const std::vector<StoredTrial>& trials) {
  std::vector<std::string> names;
  for (const StoredTrial& t : trials) {
    for (const DeviceLatency& d : t.latencies) {
      if (std::find(names.begin(), names.end(), d.device) == names.end()) {
        names.push_back(d.device);
      }
    }
  }
  return names;
}

double typical_target_ms(const std::vector<StoredTrial>& trials, const std::string& device) {
  std::vector<double> t;
  for (const StoredTrial& trial : trials) {
    if (const DeviceLatency* d = find_device(trial.latencies, device)) t.push_back(d->target_ms);
  }
  return t.empty() ? 0 : median(t);
}

}  // namespace mnas
