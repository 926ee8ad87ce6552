#include "search/device_identity.h"

#include <map>

#include <nlohmann/json.hpp>

#include "space/error.h"
#include "space/printable.h"

namespace mnas {
namespace {

struct MeasuredOn {
  std::string cpu_model, engine, engine_version, id;
};

// The candidate's provenance in a stored measurement's statistics; nothing when the statistics
// carry none (a prediction, a store from before provenance).
bool provenance_of(const std::string& stats_json, MeasuredOn& out) {
  const nlohmann::json stats = nlohmann::json::parse(stats_json, nullptr, false);
  if (!stats.is_object() || !stats.contains("candidate")) return false;
  const nlohmann::json& candidate = stats["candidate"];
  if (!candidate.is_object() || !candidate.contains("provenance")) return false;
  const nlohmann::json& p = candidate["provenance"];
  if (!p.is_object()) return false;
  const auto text = [&p](const char* key) {
    return p.contains(key) && p[key].is_string() ? p[key].get<std::string>() : std::string();
  };
  out = {text("cpu_model"), text("engine"), text("engine_version"), text("device_id")};
  return !out.cpu_model.empty() && !out.engine_version.empty();
}

std::string describe(const std::string& cpu_model, const std::string& engine,
                     const std::string& engine_version) {
  return "'" + printable(cpu_model, 120) + "' (" + printable(engine.empty() ? "xnnpack" : engine, 40) +
         " " + printable(engine_version, 60) + ")";
}

}  // namespace

std::vector<std::string> check_device_identity(
    const std::vector<StoredTrial>& trials,
    const std::vector<std::pair<std::string, DeviceInfo>>& devices) {
  std::map<std::string, MeasuredOn> latest;  // per device name, from the newest trial back
  for (auto t = trials.rbegin(); t != trials.rend() && latest.size() < devices.size(); ++t) {
    for (const DeviceLatency& d : t->latencies) {
      MeasuredOn p;
      if (!latest.count(d.device) && !d.stats_json.empty() && provenance_of(d.stats_json, p)) {
        latest[d.device] = p;
      }
    }
  }
  std::vector<std::string> notes;
  for (const auto& [name, info] : devices) {
    const auto found = latest.find(name);
    if (found == latest.end()) continue;
    const MeasuredOn& was = found->second;
    if (was.cpu_model != info.cpu_model || was.engine_version != info.engine_version) {
      throw Error("devices." + name + ": this search's trials were timed on " +
                  describe(was.cpu_model, was.engine, was.engine_version) +
                  ", and the device now is " +
                  describe(info.cpu_model, info.engine, info.engine_version) +
                  ": their latencies would not compare. Resume with the kind of device the "
                  "search started on, or start a new search for this one");
    }
    if (!was.id.empty() && was.id != info.id) {
      notes.push_back("device " + name + " is another machine of the same kind (id " +
                      printable(was.id, 40) + " then, " + printable(info.id, 40) +
                      " now): its latencies compare with the stored ones");
    }
  }
  return notes;
}

}  // namespace mnas
