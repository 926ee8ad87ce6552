#include "store/trial_latencies.h"

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/json_fields.h"

namespace mnas {

nlohmann::json latency_rows(const std::vector<DeviceLatency>& latencies, bool with_stats) {
  nlohmann::json devices = nlohmann::json::array();
  for (const DeviceLatency& d : latencies) {
    nlohmann::json j = {{"device", d.device},
                        {"latency_ms", d.latency_ms},
                        {"target_ms", d.target_ms},
                        {"ratio", d.ratio}};
    if (with_stats) {
      j["stats"] = d.stats_json.empty() ? nlohmann::json::object()
                                        : nlohmann::json::parse(d.stats_json);
    }
    if (d.measured_ms > 0) {
      j["measured_ms"] = d.measured_ms;
      j["measured_target_ms"] = d.measured_target_ms;
    }
    devices.push_back(std::move(j));
  }
  return devices;
}

std::string encode_latencies(const std::vector<DeviceLatency>& latencies) {
  return nlohmann::json{{"devices", latency_rows(latencies, true)}}.dump();
}

std::vector<DeviceLatency> decode_latencies(const std::string& text, const std::string& where) {
  if (text.empty()) return {};
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception&) {
    throw Error(where + ": latency_json: not valid JSON");
  }
  if (!j.is_object() || !j.contains("devices")) return {};
  const std::string path = where + ": latency_json.devices";
  json_fields::require_array(j["devices"], path);
  std::vector<DeviceLatency> out;
  for (size_t i = 0; i < j["devices"].size(); ++i) {
    const nlohmann::json& d = j["devices"][i];
    const std::string p = json_fields::element(path, i);
    json_fields::require_object(d, p);
    DeviceLatency l;
    l.device = json_fields::as_string(json_fields::required(d, "device", p), p + ".device");
    const auto positive = [&](const char* key) {
      const double v =
          json_fields::as_double(json_fields::required(d, key, p), json_fields::child(p, key));
      if (!(v > 0)) throw Error(json_fields::child(p, key) + ": must be > 0");
      return v;
    };
    l.latency_ms = positive("latency_ms");
    l.target_ms = positive("target_ms");
    l.ratio = positive("ratio");
    if (d.contains("measured_ms")) {  // a prediction confirmed on the device
      l.measured_ms = positive("measured_ms");
      l.measured_target_ms = positive("measured_target_ms");
    }
    if (d.contains("stats")) l.stats_json = d["stats"].dump();
    out.push_back(std::move(l));
  }
  return out;
}

std::string checked_metrics(const nlohmann::json& metrics, const std::string& where) {
  if (metrics.is_null() || (metrics.is_object() && metrics.empty())) return "";
  json_fields::require_object(metrics, where);
  if (metrics.size() > 32) throw Error(where + ": at most 32 metrics");
  for (auto it = metrics.begin(); it != metrics.end(); ++it) {
    const std::string& name = it.key();
    const bool valid = !name.empty() && name.size() <= 64 &&
                       name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                              "0123456789_-.") == std::string::npos;
    if (!valid) throw Error(where + ": '" + name.substr(0, 64) + "' is not a metric name");
    json_fields::as_double(it.value(), json_fields::child(where, name));  // a finite number
  }
  return metrics.dump();
}

std::string checked_metrics_text(const std::string& text, const std::string& where) {
  if (text.empty()) return "";
  return checked_metrics(json_fields::parse(text, where), where);
}

}  // namespace mnas
