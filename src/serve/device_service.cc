#include "serve/device_service.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>

#include "base/json_fields.h"
#include "base/token.h"
#include "latency/latency_json.h"
#include "latency/lookup_table.h"
#include "latency/measure_presets.h"
#include "space/architecture_codec.h"
#include "space/cost_model.h"
#include "space/layer_plan.h"

namespace mnas {
namespace {

using Json = nlohmann::json;
namespace jf = json_fields;

ServiceResponse error(int status, const std::string& message) {
  ServiceResponse r;
  r.status = status;
  r.body = {{"error", message}};
  return r;
}

// A request that is well formed, within the limits, ready to measure.
struct Request {
  Architecture arch, reference;
  std::vector<std::string> keys;
  TimingRequest timing;
  double worst_case_seconds = 0;
};

Architecture read_architecture(const Json& value, const std::string& field,
                               const ServiceLimits& limits) {
  std::string text;
  if (value.is_string()) {
    text = value.get<std::string>();
  } else if (value.is_object()) {
    text = value.dump();
  } else {
    throw Error(field + ": expected a canonical architecture string or its JSON form, got " +
                jf::type_name(value));
  }
  if (text.size() > limits.max_architecture_chars) {
    throw Error(field + ": " + std::to_string(text.size()) + " characters; at most " +
                std::to_string(limits.max_architecture_chars));
  }
  try {
    return value.is_string() ? parse_architecture_string(text) : parse_architecture_json(text);
  } catch (const Error& e) {
    throw Error(field + ": " + e.what());
  }
}

// Upper bound of the operators a layer lowers to (convolutions, SE's five, the shortcut's three).
int64_t max_operators(const Architecture& arch) {
  return 4 + 11 * static_cast<int64_t>(plan_network(arch).layers.size());
}

void check_size(const Architecture& arch, const std::string& field, const ServiceLimits& limits) {
  CostReport cost;
  try {
    cost = estimate_cost(arch, false);
  } catch (const Error& e) {
    throw Error(field + ": " + e.what());
  }
  if (cost.macs > limits.max_macs) {
    throw Error(field + ": " + std::to_string(cost.macs) + " multiply-adds at input " +
                to_string(arch.input) + "; this device measures at most " +
                std::to_string(limits.max_macs));
  }
  if (cost.params > limits.max_params) {
    throw Error(field + ": " + std::to_string(cost.params) +
                " parameters; this device measures "
                "at most " +
                std::to_string(limits.max_params));
  }
}

Request parse_request(const std::string& path, const Json& j, const ServiceLimits& limits,
                      int max_threads) {
  jf::require_object(j, "body");
  const bool lut = path == "/v1/lut/entries", paired = path == "/v1/paired";
  if (lut) {
    jf::reject_unknown_keys(j, {"keys", "threads", "protocol", "precision"}, "");
  } else if (paired) {
    jf::reject_unknown_keys(j,
                            {"architecture", "reference", "input", "classes", "threads",
                             "protocol", "precision", "detector_categories"},
                            "");
  } else {
    jf::reject_unknown_keys(j,
                            {"architecture", "input", "classes", "threads", "protocol",
                             "precision", "detector_categories"},
                            "");
  }
  Request r;
  if (j.contains("threads")) r.timing.threads = jf::as_int(j["threads"], "threads", 1, max_threads);
  r.timing.protocol = j.contains("protocol") ? protocol_from_json(j["protocol"], "protocol")
                                             : latency_command_protocol();
  if (j.contains("precision")) {  // fp32 when absent (clients before int8)
    r.timing.precision = parse_precision(jf::as_string(j["precision"], "precision"), "precision");
  }
  if (j.contains("detector_categories")) {  // a classifier when absent (clients before detectors)
    r.timing.detector_categories = jf::as_int(j["detector_categories"], "detector_categories", 1,
                                              kMaxDetectorCategories);
  }
  const double each = worst_case_seconds(r.timing.protocol);
  if (lut) {
    const Json& keys = jf::required(j, "keys", "");
    jf::require_array(keys, "keys");
    if (keys.empty() || keys.size() > limits.max_lut_keys) {
      throw Error("keys: " + std::to_string(keys.size()) + " entries; send 1 to " +
                  std::to_string(limits.max_lut_keys) + " per request");
    }
    for (size_t i = 0; i < keys.size(); ++i) {
      const std::string field = jf::element("keys", i);
      const std::string& key = jf::as_string(keys[i], field);
      LayerCost cost;
      try {
        cost = lut_entry_cost(key);
      } catch (const Error& e) {
        throw Error(field + ": " + e.what());
      }
      if (cost.macs > limits.max_macs || cost.params > limits.max_params) {
        throw Error(field + ": larger than this device measures (" + std::to_string(cost.macs) +
                    " multiply-adds, " + std::to_string(cost.params) + " parameters)");
      }
      r.keys.push_back(key);
    }
    r.worst_case_seconds = each * static_cast<double>(r.keys.size());
    return r;
  }
  const auto adjust = [&](Architecture& a) {
    if (j.contains("input")) a.input = parse_input_shape(jf::as_string(j["input"], "input"));
    if (j.contains("classes"))
      a.classes = jf::as_int(j["classes"], "classes", 1, limits::kMaxClasses);
  };
  r.arch = read_architecture(jf::required(j, "architecture", ""), "architecture", limits);
  adjust(r.arch);
  check_size(r.arch, "architecture", limits);
  r.worst_case_seconds = each;
  if (paired) {
    r.reference = read_architecture(jf::required(j, "reference", ""), "reference", limits);
    adjust(r.reference);
    check_size(r.reference, "reference", limits);
  }
  if (path == "/v1/profile")
    r.worst_case_seconds = each * static_cast<double>(max_operators(r.arch));
  return r;
}

}  // namespace

void check_json_depth(const std::string& text, int max_depth) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (const char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > max_depth) {
        throw Error("body: JSON nested deeper than " + std::to_string(max_depth) + " levels");
      }
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
}

DeviceService::DeviceService(Device& device, std::string token, ServiceLimits limits)
    : device_(device),
      info_(device.info()),
      token_(std::move(token)),
      limits_(limits),
      queue_(limits.max_queue) {
  if (token_.empty()) throw Error("token: empty; every request must carry one");
  if (limits_.max_threads == 0) limits_.max_threads = std::max(1, info_.logical_cpus);
  if (limits_.max_threads < 1 || limits_.max_threads > 256) {
    throw Error("max threads: must be in [1, 256]");
  }
  if (!(limits_.max_request_seconds > 0) || limits_.max_request_seconds > 86400) {
    throw Error("max request seconds: must be in (0, 86400]");
  }
  if (limits_.max_queue < 0 || limits_.max_queue > 10000)
    throw Error("queue: must be in [0, 10000]");
  if (limits_.max_body_bytes < 256 || limits_.max_body_bytes > (size_t{1} << 30)) {
    throw Error("max body: must be in [256, 2^30] bytes");
  }
  if (limits_.max_macs < 1 || limits_.max_macs > 1'000'000'000'000) {
    throw Error("max MACs: must be in [1, 10^12]");
  }
  if (limits_.max_params < 1 || limits_.max_params > 10'000'000'000) {
    throw Error("max params: must be in [1, 10^10]");
  }
  if (limits_.max_json_depth < 2) throw Error("max JSON depth: must be ≥ 2");
}

int DeviceService::retry_after_seconds() const {
  const double wait = mean_request_seconds_.load() * (queue_.waiting() + 1);
  return static_cast<int>(std::clamp(std::ceil(wait), 1.0, 600.0));
}

ServiceResponse DeviceService::refuse_before_body(const std::string& method,
                                                  const std::string& path,
                                                  const std::string& authorization) const {
  const std::string prefix = "Bearer ";
  const bool bearer = authorization.compare(0, prefix.size(), prefix) == 0;
  if (!bearer ||
      !constant_time_equal(std::string_view(authorization).substr(prefix.size()), token_)) {
    ServiceResponse r = error(401, bearer ? "authorization: the token is not this device's"
                                          : "authorization: missing; send "
                                            "\"Authorization: Bearer <token>\"");
    r.note = bearer ? "bad token" : "no token";
    return r;
  }
  const bool known = path == "/v1/device" || path == "/v1/latency" || path == "/v1/paired" ||
                     path == "/v1/profile" || path == "/v1/lut/entries";
  if (!known) {
    return error(404, "path: '" + path.substr(0, 100) +
                          "' is not an endpoint; use /v1/device, /v1/latency, /v1/paired, "
                          "/v1/profile or /v1/lut/entries");
  }
  const bool get = path == "/v1/device";
  if (method != (get ? "GET" : "POST")) {
    return error(405, "method: " + path + " takes " + (get ? "GET" : "POST"));
  }
  ServiceResponse go_on;
  go_on.status = 0;
  return go_on;
}

ServiceResponse DeviceService::handle(const std::string& method, const std::string& path,
                                      const std::string& authorization, const std::string& body) {
  ServiceResponse refused = refuse_before_body(method, path, authorization);
  if (refused.status != 0) return refused;
  try {
    return route(path, body);
  } catch (const Error& e) {
    // Bad requests name their field; an Error while measuring a valid request (XNNPACK refused
    // the graph, the machine failed us) is the device's failure.
    return error(e.kind() == Error::Kind::kIo ? 500 : 400, e.what());
  } catch (const std::exception& e) {
    return error(500, std::string("internal error: ") + e.what());
  }
}

ServiceResponse DeviceService::route(const std::string& path, const std::string& body) {
  // refuse_before_body() has checked the path and the method.
  if (path == "/v1/device") {
    ServiceResponse r;
    r.body = device_info_json(info_);
    r.body["api"] = 1;
    r.body["limits"] = {{"max_body_bytes", limits_.max_body_bytes},
                        {"max_json_depth", limits_.max_json_depth},
                        {"max_architecture_chars", limits_.max_architecture_chars},
                        {"max_macs", limits_.max_macs},
                        {"max_params", limits_.max_params},
                        {"max_request_seconds", limits_.max_request_seconds},
                        {"max_queue", limits_.max_queue},
                        {"max_lut_keys", limits_.max_lut_keys},
                        {"max_threads", limits_.max_threads}};
    r.body["queue"] = {{"running", queue_.busy()}, {"waiting", queue_.waiting()}};
    r.body["precisions"] = {"fp32", "int8"};  // what a request's "precision" may ask
    return r;
  }
  if (body.size() > limits_.max_body_bytes) {
    return error(413, "body: " + std::to_string(body.size()) + " bytes; at most " +
                          std::to_string(limits_.max_body_bytes));
  }
  check_json_depth(body, limits_.max_json_depth);
  return measure(path, jf::parse(body, "body"));
}

ServiceResponse DeviceService::measure(const std::string& path, const Json& j) {
  const Request request = parse_request(path, j, limits_, limits_.max_threads);
  if (request.worst_case_seconds > limits_.max_request_seconds) {
    return error(400, "protocol: this request could take up to " +
                          std::to_string(static_cast<int>(request.worst_case_seconds)) +
                          " s (attempts × 2 × max_seconds per measurement); this device allows " +
                          std::to_string(static_cast<int>(limits_.max_request_seconds)) +
                          " s per request: lower max_seconds or max_attempts, or send fewer keys");
  }
  std::optional<MeasurementQueue::Turn> turn = queue_.enter();
  if (!turn) {
    ServiceResponse r = error(503, "queue: " + std::to_string(queue_.max_waiting()) +
                                       " measurements are already waiting; try again later");
    r.retry_after_seconds = retry_after_seconds();
    r.note = "queue full";
    return r;
  }
  const auto start = std::chrono::steady_clock::now();
  ServiceResponse r;
  if (path == "/v1/latency") {
    r.body = latency_json(device_.measure(request.arch, request.timing));
    r.body["canonical"] = to_canonical_string(request.arch);
    r.body["protocol"] = protocol_json(request.timing.protocol);
    r.note = to_string(request.arch.input) + " median " +
             std::to_string(r.body["median_ms"].get<double>()) + " ms";
  } else if (path == "/v1/paired") {
    r.body = paired_latency_json(
        device_.measure_paired(request.arch, request.reference, request.timing));
    r.body["protocol"] = protocol_json(request.timing.protocol);
    r.note = "paired at " + to_string(request.arch.input);
  } else if (path == "/v1/profile") {
    const std::vector<OperatorTiming> ops = device_.profile(request.arch, request.timing);
    r.body = {{"operators", operators_json(ops)},
              {"canonical", to_canonical_string(request.arch)},
              {"protocol", protocol_json(request.timing.protocol)}};
    r.note = std::to_string(ops.size()) + " operators";
  } else {
    r.body = {
        {"entries", lut_entries_json(device_.measure_lut_entries(request.keys, request.timing))},
        {"protocol", protocol_json(request.timing.protocol)}};
    r.note = std::to_string(request.keys.size()) + " lookup-table entries";
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  mean_request_seconds_ = 0.8 * mean_request_seconds_.load() + 0.2 * seconds;
  return r;
}

}  // namespace mnas
