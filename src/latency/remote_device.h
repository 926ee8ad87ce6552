#ifndef MNAS_LATENCY_REMOTE_DEVICE_H_
#define MNAS_LATENCY_REMOTE_DEVICE_H_

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "latency/device.h"

namespace mnas {

// How a RemoteDevice talks to its server.
struct RemoteOptions {
  std::string token;                   // bearer token (the server's); Default: none
  int retries = 6;                     // transient failures retried per call; Default: 6
  double backoff_seconds = 0.5;        // first wait, doubled per retry up to 8 s; Default: 0.5
  double connect_timeout_seconds = 5;  // Default: 5 s
  double read_timeout_seconds = 900;   // queue wait + measurement; Default: 900 s
};

// An mnas-device server (src/serve, docs/devices.md) over HTTP/JSON: the target device of a
// search when it is not this machine. Transient failures (connection refused or reset, timeouts,
// 502/503/504 with the server's Retry-After) are retried with exponential backoff; when they last
// past the retries, DeviceUnreachable. A refused token is an mnas::Error that says where the token
// comes from; a request the server refuses (4xx) is an mnas::Error with the server's message,
// which names the field. Answers are validated as they are read (latency_json.h).
class RemoteDevice : public Device {
 public:
  // `url`: "http://host:port" (or https://). Throws mnas::Error for a malformed URL.
  RemoteDevice(std::string url, RemoteOptions options = {});
  ~RemoteDevice() override;

  std::string location() const override { return url_; }
  DeviceInfo info() override;
  MNAS_DEVICE_TIMINGS;

 private:
  nlohmann::json call(const std::string& method, const std::string& path,
                      const nlohmann::json& body);
  std::string url_;
  RemoteOptions options_;
};

// The token for a remote device: the first line of `token_file` when given, else the
// MNAS_DEVICE_TOKEN environment variable, else empty. Throws mnas::Error naming the file when it
// cannot be read, is larger than 4 KiB or holds no token.
std::string resolve_device_token(const std::string& token_file);

}  // namespace mnas

#endif  // MNAS_LATENCY_REMOTE_DEVICE_H_
