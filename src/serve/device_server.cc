#include "serve/device_server.h"

#include <httplib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>

#include "latency/measurement.h"
#include "space/error.h"
#include "space/printable.h"

namespace mnas {
namespace {

using Clock = std::chrono::steady_clock;

// When the request on this worker thread started (set before routing, read by the logger): one
// thread serves one request at a time.
thread_local Clock::time_point request_start;
thread_local std::string request_note;

}  // namespace

struct DeviceServer::Impl {
  DeviceService& service;
  ServerOptions options;
  std::function<void(const std::string&)> log;
  httplib::Server server;
  int bound_socket = -1;                  // the last socket the library made to bind
  std::atomic<int> listening_socket{-1};  // bound_socket once bind() succeeded, until stop()
  std::atomic<bool> serving{false};       // serve() was called

  Impl(DeviceService& s, ServerOptions o, std::function<void(const std::string&)> l)
      : service(s), options(std::move(o)), log(std::move(l)) {}

  void reply(const httplib::Request& req, httplib::Response& res) {
    const ServiceResponse r =
        service.handle(req.method, req.path, req.get_header_value("Authorization"), req.body);
    res.status = r.status;
    if (r.status == 401) res.set_header("WWW-Authenticate", "Bearer");
    if (r.retry_after_seconds > 0) {
      res.set_header("Retry-After", std::to_string(r.retry_after_seconds));
    }
    // Replace, not throw on, bytes that are not UTF-8 (an error may quote what a client sent).
    res.set_content(r.body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n",
                    "application/json");
    request_note = r.note;
  }
};

DeviceServer::DeviceServer(DeviceService& service, ServerOptions options,
                           std::function<void(const std::string&)> log)
    : impl_(std::make_unique<Impl>(service, std::move(options), std::move(log))) {
  ServerOptions& o = impl_->options;
  if (o.port < 0 || o.port > 65535) throw Error("port: must be in [0, 65535]");
  if (o.workers == 0) o.workers = service.limits().max_queue + 4;
  if (o.workers < 2 || o.workers > 1024) throw Error("workers: must be in [2, 1024]");
  if (o.read_timeout_seconds < 1 || o.read_timeout_seconds > 600) {
    throw Error("read timeout: must be in [1, 600] seconds");
  }
  httplib::Server& s = impl_->server;
  const size_t workers = static_cast<size_t>(o.workers);
  s.new_task_queue = [workers] { return new httplib::ThreadPool(workers); };
  s.set_payload_max_length(service.limits().max_body_bytes);
  s.set_read_timeout(o.read_timeout_seconds, 0);
  s.set_write_timeout(o.read_timeout_seconds, 0);
  s.set_keep_alive_max_count(100);
  // The library's own socket options set SO_REUSEPORT, under which a second mnas-device binds a
  // port already served and the kernel splits the clients between the two: SO_REUSEADDR only
  // (a restart may rebind a port in TIME_WAIT; a port in use is an error). The socket is kept to
  // widen its backlog after bind (see bind()).
  Impl* impl = impl_.get();
  s.set_socket_options([impl](socket_t sock) {
    const int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    impl->bound_socket = sock;
  });
  s.set_pre_routing_handler([](const httplib::Request&, httplib::Response&) {
    request_start = Clock::now();
    request_note.clear();
    return httplib::Server::HandlerResponse::Unhandled;
  });
  const auto handler = [impl](const httplib::Request& req, httplib::Response& res) {
    impl->reply(req, res);
  };
  s.Get(".*", handler);
  s.Post(".*", handler);
  s.Put(".*", handler);
  s.Delete(".*", handler);
  s.Patch(".*", handler);
  // What the library refuses itself (a body over the limit, a malformed request) gets a JSON
  // error too.
  s.set_error_handler(
      httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        std::string message = "request: refused (HTTP " + std::to_string(res.status) + ")";
        if (res.status == 413) message = "body: larger than this device accepts";
        if (res.status == 400) message = "request: malformed HTTP";
        res.set_content(nlohmann::json{{"error", message}}.dump() + "\n", "application/json");
        return httplib::Server::HandlerResponse::Handled;
      }));
  s.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    res.status = 500;
    res.set_content("{\"error\": \"internal error\"}\n", "application/json");
  });
  s.set_logger([impl](const httplib::Request& req, const httplib::Response& res) {
    if (!impl->log) return;
    const double ms =
        request_start == Clock::time_point{}
            ? 0.0
            : std::chrono::duration<double, std::milli>(Clock::now() - request_start).count();
    char line[512];
    std::snprintf(line, sizeof line, "%s %s %s %s %d %.1f ms%s%s", utc_timestamp().c_str(),
                  req.remote_addr.c_str(), printable(req.method, 16).c_str(),
                  printable(req.path, 80).c_str(),  // a client's text cannot forge log lines
                  res.status, ms, request_note.empty() ? "" : " ", request_note.c_str());
    impl->log(line);
    request_start = Clock::time_point{};
    request_note.clear();
  });
}

DeviceServer::~DeviceServer() {
  stop();
  // Served, the library closed it on its way out; never served, it is ours to close.
  if (!impl_->serving && impl_->bound_socket >= 0) ::close(impl_->bound_socket);
}

int DeviceServer::bind() {
  const ServerOptions& o = impl_->options;
  const std::string address = o.host + ":" + std::to_string(o.port);
  const int port = o.port == 0 ? impl_->server.bind_to_any_port(o.host)
                               : (impl_->server.bind_to_port(o.host, o.port) ? o.port : -1);
  if (port < 0) {
    impl_->bound_socket = -1;  // the library closed what it tried
    throw Error("--bind " + address + ": cannot bind (in use, or not an address of this machine)",
                Error::Kind::kIo);
  }
  // cpp-httplib 0.11 listens with a backlog of 5: under a burst of new connections the kernel
  // drops the handshakes beyond it, and a client whose request was already sent may be reset a
  // second later (seen under load as "connection reset" for a request that deserved a 400).
  // Listening again on a listening socket only changes its backlog.
  if (::listen(impl_->bound_socket, SOMAXCONN) != 0) {
    throw Error("--bind " + address + ": cannot listen: " + std::strerror(errno),
                Error::Kind::kIo);
  }
  impl_->listening_socket = impl_->bound_socket;
  return port;
}

void DeviceServer::serve() {
  impl_->serving = true;
  impl_->server.listen_after_bind();
  impl_->listening_socket = -1;  // closed by the library on its way out
}

void DeviceServer::stop() {
  const int socket = impl_->listening_socket.exchange(-1);
  if (socket < 0) return;  // never bound, stopped already, or done serving
  if (impl_->server.is_running()) {
    impl_->server.stop();
  } else {
    // The library's stop() does nothing until its accept loop has started, so a stop between
    // bind() and that moment (a SIGTERM right after start) would be lost and serve() would run
    // on. A shut-down listening socket fails the loop's accept at once, and serve() returns.
    ::shutdown(socket, SHUT_RDWR);
  }
}

}  // namespace mnas
