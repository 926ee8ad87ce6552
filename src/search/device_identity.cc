#include "search/device_identity.h"

#include <map>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/printable.h"
#include "latency/latency_json.h"

namespace mnas {
namespace {

// The candidate's provenance in a stored measurement's statistics (latency_json.h's reader);
// nothing when the statistics carry none or not all of it (a prediction, an older store).
bool provenance_of(const std::string& stats_json, Provenance& out) {
  const nlohmann::json stats = nlohmann::json::parse(stats_json, nullptr, false);
  if (!stats.is_object() || !stats.contains("candidate") || !stats["candidate"].is_object() ||
      !stats["candidate"].contains("provenance")) {
    return false;
  }
  try {
    out = provenance_from_json(stats["candidate"]["provenance"], "stored provenance");
  } catch (const Error&) {
    return false;
  }
  return !out.cpu_model.empty() && !out.engine_version.empty();
}

std::string describe(const std::string& cpu_model, const std::string& engine,
                     const std::string& engine_version) {
  return "'" + printable(cpu_model, 120) + "' (" +
         printable(engine.empty() ? "xnnpack" : engine, 40) + " " + printable(engine_version, 60) +
         ")";
}

}  // namespace

std::vector<std::string> check_device_identity(
    const std::vector<StoredTrial>& trials,
    const std::vector<std::pair<std::string, DeviceInfo>>& devices) {
  std::map<std::string, Provenance> latest;  // per device name, from the newest trial back
  for (auto t = trials.rbegin(); t != trials.rend() && latest.size() < devices.size(); ++t) {
    for (const DeviceLatency& d : t->latencies) {
      Provenance p;
      if (!latest.count(d.device) && !d.stats_json.empty() && provenance_of(d.stats_json, p)) {
        latest[d.device] = p;
      }
    }
  }
  std::vector<std::string> notes;
  for (const auto& [name, info] : devices) {
    const auto found = latest.find(name);
    if (found == latest.end()) continue;
    const Provenance& was = found->second;
    if (was.cpu_model != info.cpu_model || was.engine_version != info.engine_version) {
      throw Error("devices." + name + ": this search's trials were timed on " +
                  describe(was.cpu_model, was.engine, was.engine_version) +
                  ", and the device now is " +
                  describe(info.cpu_model, info.engine, info.engine_version) +
                  ": their latencies would not compare. Resume with the kind of device the "
                  "search started on, or start a new search for this one");
    }
    if (!was.device_id.empty() && was.device_id != info.id) {
      notes.push_back("device " + name + " is another machine of the same kind (id " +
                      printable(was.device_id, 40) + " then, " + printable(info.id, 40) +
                      " now): its latencies compare with the stored ones");
    }
  }
  return notes;
}

}  // namespace mnas
