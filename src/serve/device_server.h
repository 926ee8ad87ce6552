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
  int workers = 0;               // threads answering requests; Default (0): the queue's length + 4
  int read_timeout_seconds = 5;  // a whole request must arrive within it, an idle connection is
                                 // closed after it, an answer must be taken within it; Default: 5 s
  int max_connections = 1000;  // open at once (also bounded by the open-file limit); Default: 1000
};

// Carries a DeviceService over HTTP/1.1: one thread reads and writes every connection
// (non-blocking, so idle or slow connections hold no worker), complete requests go to `workers`
// threads. Every request is bounded before it is buffered: its head (16 KiB, 431), its body
// (the service's max_body_bytes, 413; chunked too), and the whole request in time (408 after
// the read timeout, however slowly its bytes trickle). A request with a missing or wrong token,
// an unknown path or a wrong method is answered from its head, before its body is read.
// Keep-alive and pipelined requests are served in order. At the connection limit, the
// connection waiting longest for its request is closed to admit a new one. One log line per
// answer ("<time> <client> <method> <path> <status> <ms> ms <note>") goes to `log`.
//
// Why not cpp-httplib's server (the client side still is): Debian's build is compiled into a
// shared library whose limits cannot be changed, and it gives every connection a thread, reads
// headers without a cap, buffers chunked bodies past the payload limit, and bounds each read
// rather than the request — 500 idle or 20 slowloris connections starve every good client.
class DeviceServer {
 public:
  // Throws mnas::Error for bad options.
  DeviceServer(DeviceService& service, ServerOptions options,
               std::function<void(const std::string&)> log);
  ~DeviceServer();
  DeviceServer(const DeviceServer&) = delete;
  DeviceServer& operator=(const DeviceServer&) = delete;

  // Binds host:port and listens; returns the port (the chosen one for port 0). Throws
  // mnas::Error (kIo) when it cannot bind, naming the address.
  int bind();
  // Serves until stop(); call after bind(). On stop it accepts nothing more, closes idle
  // connections, and returns once the requests being answered have been answered.
  void serve();
  // Stops serving (thread-safe; at any moment, before serve() too).
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mnas

#endif  // MNAS_SERVE_DEVICE_SERVER_H_
