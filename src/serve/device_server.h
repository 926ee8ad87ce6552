#ifndef MNAS_SERVE_DEVICE_SERVER_H_
#define MNAS_SERVE_DEVICE_SERVER_H_

#include <functional>
#include <memory>
#include <string>

#include "serve/device_service.h"

namespace mnas {

struct ServerOptions {
  std::string host = "127.0.0.1";  // Default: loopback only; "0.0.0.0" to serve a network
  int port = 8765;                 // Default: 8765; 0 picks a free port (tests)
  int workers = 0;                 // connection threads; Default (0): the queue's length + 4
  int read_timeout_seconds = 5;    // a client that sends slower is cut off; Default: 5 s
};

// Carries a DeviceService over HTTP with cpp-httplib: one worker thread per connection being
// served, the body limit enforced while reading (413), slow senders cut off after the read
// timeout, a JSON error for whatever the library itself refuses, and one log line per request
// ("<time> <client> <method> <path> <status> <ms> ms <note>") to `log`.
class DeviceServer {
 public:
  // Throws mnas::Error for bad options.
  DeviceServer(DeviceService& service, ServerOptions options,
               std::function<void(const std::string&)> log);
  ~DeviceServer();
  DeviceServer(const DeviceServer&) = delete;
  DeviceServer& operator=(const DeviceServer&) = delete;

  // Binds host:port; returns the port (the chosen one for port 0). Throws mnas::Error (kIo) when
  // it cannot bind, naming the address.
  int bind();
  // Serves until stop(); call after bind(). Returns once every connection is closed.
  void serve();
  // Stops serving (thread-safe, async-signal-unsafe: call it from a thread, not a handler).
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mnas

#endif  // MNAS_SERVE_DEVICE_SERVER_H_
