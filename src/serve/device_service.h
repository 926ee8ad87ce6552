#ifndef MNAS_SERVE_DEVICE_SERVICE_H_
#define MNAS_SERVE_DEVICE_SERVICE_H_

#include <atomic>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "latency/device.h"
#include "serve/measurement_queue.h"

namespace mnas {

// What one request may ask of the device. Every request is checked against these before anything
// is built or measured; a request over a limit gets 400 (413 for the body) naming the field.
struct ServiceLimits {
  size_t max_body_bytes = size_t{1} << 20;  // Default: 1 MiB
  int max_json_depth = 16;                  // Default: 16 levels of nesting
  size_t max_architecture_chars = 16384;    // canonical string or JSON text; Default: 16 KiB
  int64_t max_macs = 5'000'000'000;         // per network; Default: 5·10^9 multiply-adds
  int64_t max_params = 100'000'000;         // per network; Default: 10^8 parameters
  double max_request_seconds = 600;         // worst case of a request's protocol; Default: 600 s
  int max_queue = 8;                        // requests waiting behind the running one; Default: 8
  size_t max_lut_keys = 64;                 // lookup-table entries per request; Default: 64
  int max_threads = 0;                      // Default (0): the device's logical CPUs
};

// A response: status, JSON body, and for 503 the seconds a client should wait.
struct ServiceResponse {
  int status = 200;
  nlohmann::json body;
  int retry_after_seconds = 0;
  std::string note;  // a few words for the request's log line (what was measured)
};

// The HTTP/JSON API of mnas-device, independent of the transport (device_server.h carries it
// over HTTP/1.1; tests call it directly):
//   GET  /v1/device       → identity and provenance (latency_json.h device_info_json), the
//                           limits and the queue
//   POST /v1/latency      {architecture, input?, classes?, threads?, protocol?}
//                         → the JSON of `mnas latency --json` (latency_json, canonical, protocol)
//   POST /v1/paired       {architecture, reference, input?, classes?, threads?, protocol?}
//                         → {candidate, reference}: the two timed alternately
//   POST /v1/profile      {architecture, input?, classes?, threads?, protocol?}
//                         → {operators: [...], canonical, protocol}
//   POST /v1/lut/entries  {keys: [...], threads?, protocol?} → {entries: [...]}
// `architecture` and `reference` are a canonical string or the JSON form (architecture_codec.h);
// `input` ("HxWxC") and `classes` replace the architecture's own; `threads` Default: 1;
// `protocol` a preset name or fields (latency_json.h protocol_from_json), Default: "latency".
// Every request needs "Authorization: Bearer <token>" (401 otherwise; compared in constant time).
// Measurements run one at a time through a MeasurementQueue (503 + Retry-After when it is full).
// Errors are JSON {"error": "<field>: <what is wrong>"}: 400 bad request, 401, 404 unknown path,
// 405 wrong method, 413 body too large, 503 queue full, 500 the device failed.
// Thread-safe: the server calls handle() from many threads.
class DeviceService {
 public:
  // `device` must outlive the service. Throws mnas::Error for an empty token or bad limits.
  DeviceService(Device& device, std::string token, ServiceLimits limits = {});

  ServiceResponse handle(const std::string& method, const std::string& path,
                         const std::string& authorization, const std::string& body);
  // The answer a request gets from its head alone (a missing or wrong token, an unknown path, a
  // wrong method), so that a server refuses it before reading, or buffering, its body; status 0
  // when the request may go on. handle() checks the same first.
  ServiceResponse refuse_before_body(const std::string& method, const std::string& path,
                                     const std::string& authorization) const;

  const ServiceLimits& limits() const { return limits_; }

 private:
  ServiceResponse route(const std::string& path, const std::string& body);
  ServiceResponse measure(const std::string& path, const nlohmann::json& request);
  int retry_after_seconds() const;

  Device& device_;
  DeviceInfo info_;
  std::string token_;
  ServiceLimits limits_;
  MeasurementQueue queue_;
  std::atomic<double> mean_request_seconds_{1.0};  // for Retry-After
};

// Throws mnas::Error naming the nesting when `text` nests arrays and objects deeper than
// `max_depth` (a scan of the bytes, before any parsing).
void check_json_depth(const std::string& text, int max_depth);

}  // namespace mnas

#endif  // MNAS_SERVE_DEVICE_SERVICE_H_
