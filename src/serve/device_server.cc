#include "serve/device_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "base/error.h"
#include "base/machine.h"
#include "base/printable.h"
#include "latency/measurement.h"
#include "serve/http_request.h"

namespace mnas {
namespace {

using Clock = std::chrono::steady_clock;

// One client connection, owned by the event loop.
struct Connection {
  // Reading a request, waiting for a worker's answer, writing it; lingering: the answer written
  // and our side shut, reading (and dropping) what the client still sends so that it sees the
  // answer rather than a reset.
  enum class Phase { kReading, kWorking, kWriting, kLingering };
  uint64_t id = 0;
  int fd = -1;
  std::string peer;
  std::string in;   // bytes received and not yet consumed by the reader
  std::string out;  // the answer being written
  size_t written = 0;
  HttpRequestReader reader;
  Phase phase = Phase::kReading;
  bool started = false;        // a byte of the current request has arrived
  Clock::time_point deadline;  // idle: close; reading: 408; writing: close
  Clock::time_point since;     // when the current wait (idle or request) began
  Clock::time_point answered_from;  // when the whole request was read (for the log)
  std::string method, path;         // of the current request, for the log
  int served = 0;
  bool close_after_write = false;
};

struct Job {
  uint64_t connection;
  HttpRequest request;
};

struct Done {
  uint64_t connection;
  ServiceResponse response;
};

constexpr int kMaxRequestsPerConnection = 100;

std::string peer_text(const sockaddr_storage& address) {
  char text[INET6_ADDRSTRLEN] = "?";
  if (address.ss_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&address)->sin_addr, text,
              sizeof text);
  } else if (address.ss_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&address)->sin6_addr, text,
              sizeof text);
  }
  return text;
}

std::string json_body(const nlohmann::json& body) {
  // Replace, not throw on, bytes that are not UTF-8 (an error may quote what a client sent).
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace

struct DeviceServer::Impl {
  DeviceService& service;
  ServerOptions options;
  std::function<void(const std::string&)> log;
  HttpLimits limits;
  int listener = -1;
  int wake[2] = {-1, -1};  // a byte on wake[1] wakes the event loop (stop, a job done)
  std::atomic<bool> stopping{false};
  size_t max_connections = 0;

  std::map<uint64_t, Connection> connections;
  uint64_t next_id = 1;

  std::mutex mutex;  // guards jobs, done, workers_stop
  std::condition_variable jobs_ready;
  std::deque<Job> jobs;
  std::vector<Done> done;
  bool workers_stop = false;
  std::vector<std::thread> workers;

  Clock::time_point last_trim = Clock::now();
  bool closed_since_trim = false;

  Impl(DeviceService& s, ServerOptions o, std::function<void(const std::string&)> l)
      : service(s), options(std::move(o)), log(std::move(l)) {}

  std::chrono::seconds timeout() const {
    return std::chrono::seconds(options.read_timeout_seconds);
  }

  void wake_up() {
    const char byte = 1;
    // A full pipe already holds a wake-up: nothing is lost when this write fails.
    [[maybe_unused]] ssize_t n = ::write(wake[1], &byte, 1);
  }

  void work() {
    for (;;) {
      Job job;
      {
        std::unique_lock<std::mutex> lock(mutex);
        jobs_ready.wait(lock, [&] { return workers_stop || !jobs.empty(); });
        if (jobs.empty()) return;
        job = std::move(jobs.front());
        jobs.pop_front();
      }
      ServiceResponse response;
      try {
        const std::string* authorization = job.request.header("Authorization");
        response = service.handle(job.request.method, job.request.path,
                                  authorization ? *authorization : "", job.request.body);
      } catch (const std::exception&) {
        response.status = 500;
        response.body = {{"error", "internal error"}};
      }
      {
        std::lock_guard<std::mutex> lock(mutex);
        done.push_back({job.connection, std::move(response)});
      }
      wake_up();
    }
  }

  void log_line(const Connection& c, int status, const std::string& note) {
    if (!log) return;
    const double ms = c.answered_from == Clock::time_point{}
                          ? 0.0
                          : std::chrono::duration<double, std::milli>(Clock::now() -
                                                                      c.answered_from)
                                .count();
    char line[512];
    std::snprintf(line, sizeof line, "%s %s %s %s %d %.1f ms%s%s", utc_timestamp().c_str(),
                  c.peer.c_str(), printable(c.method.empty() ? "-" : c.method, 16).c_str(),
                  printable(c.path.empty() ? "-" : c.path, 80).c_str(),  // no forged log lines
                  status, ms, note.empty() ? "" : " ", printable(note, 120).c_str());
    log(line);
  }

  // Queues an answer on `c` and starts writing it.
  void answer(Connection& c, const ServiceResponse& r, bool close) {
    const std::string body = json_body(r.body);
    std::string head = "HTTP/1.1 " + std::to_string(r.status) + " " + http_reason(r.status) +
                       "\r\nContent-Type: application/json\r\nContent-Length: " +
                       std::to_string(body.size()) + "\r\n";
    if (r.status == 401) head += "WWW-Authenticate: Bearer\r\n";
    if (r.retry_after_seconds > 0) {
      head += "Retry-After: " + std::to_string(r.retry_after_seconds) + "\r\n";
    }
    c.close_after_write = close || stopping;
    if (c.close_after_write) head += "Connection: close\r\n";
    c.out = head + "\r\n" + body;
    c.written = 0;
    c.phase = Connection::Phase::kWriting;
    c.deadline = Clock::now() + timeout();
    log_line(c, r.status, r.note);
    write_some(c);
  }

  void refuse(Connection& c, int status, const std::string& message) {
    ServiceResponse r;
    r.status = status;
    r.body = {{"error", message}};
    answer(c, r, /*close=*/true);
  }

  void close_connection(Connection& c) {
    if (c.fd >= 0) ::close(c.fd);
    c.fd = -1;
    closed_since_trim = true;
  }

  // Waits for the next request on `c` (already buffered bytes are a pipelined request).
  void next_request(Connection& c) {
    c.reader.reset();
    c.phase = Connection::Phase::kReading;
    c.started = false;
    c.method.clear();
    c.path.clear();
    c.answered_from = {};
    c.since = Clock::now();
    c.deadline = c.since + timeout();
    c.out.clear();
    c.out.shrink_to_fit();
    advance(c);
  }

  void write_some(Connection& c) {
    while (c.written < c.out.size()) {
      const ssize_t n =
          ::send(c.fd, c.out.data() + c.written, c.out.size() - c.written, MSG_NOSIGNAL);
      if (n > 0) {
        c.written += static_cast<size_t>(n);
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        return;  // the loop waits for POLLOUT
      } else {
        close_connection(c);
        return;
      }
    }
    ++c.served;
    if (c.close_after_write || c.served >= kMaxRequestsPerConnection) {
      // A client may still be sending a body we refused: closing with unread bytes would reset
      // the connection, and many clients then lose the answer. Shut our side and drop what
      // arrives (costing no memory) until the client closes or the read timeout passes.
      ::shutdown(c.fd, SHUT_WR);
      c.phase = Connection::Phase::kLingering;
      c.deadline = Clock::now() + timeout();
      c.in.clear();
      c.in.shrink_to_fit();
    } else {
      next_request(c);
    }
  }

  // Feeds what `c` has received to its reader and acts on the reader's state.
  void advance(Connection& c) {
    if (c.fd < 0 || c.phase != Connection::Phase::kReading) return;
    const HttpRequestReader::State before = c.reader.state();
    const HttpRequestReader::State state = c.reader.read(c.in);
    if (c.reader.started() && !c.started) {
      // The first byte of a request: from now on the whole request must arrive in time.
      c.started = true;
      c.since = Clock::now();
      c.deadline = c.since + timeout();
    }
    if (state != HttpRequestReader::State::kHead && before == HttpRequestReader::State::kHead &&
        state != HttpRequestReader::State::kFailed) {
      c.method = c.reader.request().method;
      c.path = c.reader.request().path;
    }
    switch (state) {
      case HttpRequestReader::State::kHead:
        return;
      case HttpRequestReader::State::kFailed:
        c.answered_from = Clock::now();
        refuse(c, c.reader.error_status(), c.reader.error_message());
        return;
      case HttpRequestReader::State::kBody:
        if (before == HttpRequestReader::State::kHead) {
          // Refuse what the head alone decides before buffering a byte of the body.
          const HttpRequest& request = c.reader.request();
          const std::string* authorization = request.header("Authorization");
          const ServiceResponse early = service.refuse_before_body(
              request.method, request.path, authorization ? *authorization : "");
          if (early.status != 0) {
            c.answered_from = Clock::now();
            answer(c, early, /*close=*/true);  // the unread body makes the connection unusable
            return;
          }
          if (request.expects_continue()) {
            static const char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
            // Tiny, and the socket's buffer is empty while a request is read: one send suffices;
            // a client that gets nothing sends its body after a pause anyway.
            [[maybe_unused]] ssize_t n =
                ::send(c.fd, kContinue, sizeof kContinue - 1, MSG_NOSIGNAL);
          }
        }
        return;
      case HttpRequestReader::State::kDone: {
        c.answered_from = Clock::now();
        c.phase = Connection::Phase::kWorking;
        HttpRequest request = c.reader.take_request();
        const bool keep_alive = request.keep_alive();
        c.close_after_write = !keep_alive;
        {
          std::lock_guard<std::mutex> lock(mutex);
          jobs.push_back({c.id, std::move(request)});
        }
        jobs_ready.notify_one();
        return;
      }
    }
  }

  void read_some(Connection& c) {
    static thread_local char chunk[65536];  // the event loop's thread only
    // A bounded amount per wake-up, so that one fast sender does not starve the others.
    for (int round = 0; round < 8 && c.fd >= 0 &&
                        (c.phase == Connection::Phase::kReading ||
                         c.phase == Connection::Phase::kLingering);
         ++round) {
      const ssize_t n = ::recv(c.fd, chunk, sizeof chunk, 0);
      if (n > 0 && c.phase == Connection::Phase::kLingering) {
        continue;  // dropped
      } else if (n > 0) {
        c.in.append(chunk, static_cast<size_t>(n));
        advance(c);
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        return;
      } else {
        close_connection(c);  // the client closed or reset the connection
        return;
      }
    }
  }

  // At the limit: closes the connection that has waited longest for its request (an idle one,
  // or the slowest sender), never one being answered. False when every connection is busy.
  bool make_room() {
    Connection* oldest = nullptr;
    for (auto& [id, c] : connections) {
      if (c.fd < 0) continue;
      if (c.phase == Connection::Phase::kLingering) {
        oldest = &c;  // done with already
        break;
      }
      if (c.phase != Connection::Phase::kReading) continue;
      if (oldest == nullptr || c.since < oldest->since) oldest = &c;
    }
    if (oldest == nullptr) return false;
    close_connection(*oldest);
    return true;
  }

  void accept_new() {
    for (int i = 0; i < 64; ++i) {
      sockaddr_storage address{};
      socklen_t length = sizeof address;
      const int fd = ::accept4(listener, reinterpret_cast<sockaddr*>(&address), &length,
                               SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) return;  // none waiting, or out of descriptors (retried on the next wake-up)
      size_t open = 0;
      for (const auto& entry : connections) open += entry.second.fd >= 0;
      if (open >= max_connections && !make_room()) {
        ::close(fd);
        continue;
      }
      const int yes = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
      Connection& c = connections[next_id];
      c.id = next_id++;
      c.fd = fd;
      c.peer = peer_text(address);
      c.reader = HttpRequestReader(limits);
      c.since = Clock::now();
      c.deadline = c.since + timeout();
    }
  }

  void finish_jobs() {
    std::vector<Done> finished;
    {
      std::lock_guard<std::mutex> lock(mutex);
      finished.swap(done);
    }
    for (Done& d : finished) {
      auto it = connections.find(d.connection);
      if (it == connections.end() || it->second.fd < 0) continue;
      answer(it->second, d.response, it->second.close_after_write);
    }
  }

  void expire(Clock::time_point now) {
    for (auto& [id, c] : connections) {
      if (c.fd < 0 || c.phase == Connection::Phase::kWorking || now < c.deadline) continue;
      if (c.phase == Connection::Phase::kReading && c.started) {
        c.answered_from = now;
        refuse(c, 408,
               "request: not received whole within " +
                   std::to_string(options.read_timeout_seconds) + " s (--read-timeout)");
        if (c.fd >= 0 && c.phase == Connection::Phase::kWriting) {
          // A client that is not reading gets no more time to take the 408.
          c.deadline = now + std::chrono::seconds(1);
        }
      } else {
        close_connection(c);  // idle past the keep-alive time, or not taking its answer
      }
    }
  }

  void trim_memory(Clock::time_point now) {
#if defined(__GLIBC__)
    // Freed connection buffers stay in glibc's heap; give them back after a flood.
    if (closed_since_trim && now - last_trim > std::chrono::seconds(1)) {
      malloc_trim(0);
      last_trim = now;
      closed_since_trim = false;
    }
#else
    (void)now;
#endif
  }

  void loop() {
    std::vector<pollfd> fds;
    std::vector<uint64_t> ids;
    bool listening = true;
    for (;;) {
      if (stopping && listening) {
        listening = false;
        for (auto& [id, c] : connections) {
          if (c.fd >= 0 && (c.phase == Connection::Phase::kReading ||
                            c.phase == Connection::Phase::kLingering)) {
            close_connection(c);
          }
        }
      }
      for (auto it = connections.begin(); it != connections.end();) {
        it = it->second.fd < 0 ? connections.erase(it) : std::next(it);
      }
      if (!listening && connections.empty()) return;

      fds.clear();
      ids.clear();
      fds.push_back({wake[0], POLLIN, 0});
      if (listening) fds.push_back({listener, POLLIN, 0});
      const size_t first = fds.size();
      Clock::time_point next = Clock::now() + std::chrono::seconds(1);
      for (auto& [id, c] : connections) {
        if (c.phase == Connection::Phase::kWorking) continue;
        fds.push_back({c.fd,
                       static_cast<short>(c.phase == Connection::Phase::kWriting ? POLLOUT
                                                                                 : POLLIN),
                       0});
        ids.push_back(id);
        next = std::min(next, c.deadline);
      }
      const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next - Clock::now());
      const int ready = ::poll(fds.data(), fds.size(),
                               static_cast<int>(std::max<int64_t>(0, wait.count()) + 1));
      if (ready < 0 && errno != EINTR) {
        throw Error(std::string("serving: poll failed: ") + std::strerror(errno), Error::Kind::kIo);
      }
      if (fds[0].revents & POLLIN) {
        char drain[256];
        while (::read(wake[0], drain, sizeof drain) > 0) {
        }
      }
      finish_jobs();
      if (listening && (fds[1].revents & POLLIN)) accept_new();
      for (size_t i = first; i < fds.size(); ++i) {
        if (fds[i].revents == 0) continue;
        auto it = connections.find(ids[i - first]);
        if (it == connections.end()) continue;
        Connection& c = it->second;
        if (c.fd < 0 || c.fd != fds[i].fd) continue;
        if (c.phase == Connection::Phase::kReading || c.phase == Connection::Phase::kLingering) {
          read_some(c);
        } else if (c.phase == Connection::Phase::kWriting) {
          if (fds[i].revents & (POLLERR | POLLHUP)) {
            close_connection(c);
          } else {
            write_some(c);
          }
        }
      }
      const Clock::time_point now = Clock::now();
      expire(now);
      trim_memory(now);
    }
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
  if (o.max_connections < 1 || o.max_connections > 1'000'000) {
    throw Error("max connections: must be in [1, 1000000]");
  }
  impl_->limits.max_body_bytes = service.limits().max_body_bytes;
  // Leave descriptors for the listener, the wake-up pipe, files and the device's own needs.
  rlimit files{};
  size_t cap = static_cast<size_t>(o.max_connections);
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur != RLIM_INFINITY) {
    cap = std::min<size_t>(cap, files.rlim_cur > 96 ? files.rlim_cur - 64 : 32);
  }
  impl_->max_connections = cap;
  if (::pipe2(impl_->wake, O_NONBLOCK | O_CLOEXEC) != 0) {
    throw Error(std::string("serving: cannot make a pipe: ") + std::strerror(errno),
                Error::Kind::kIo);
  }
}

DeviceServer::~DeviceServer() {
  stop();
  if (impl_->listener >= 0) ::close(impl_->listener);
  for (auto& [id, c] : impl_->connections) {
    if (c.fd >= 0) ::close(c.fd);
  }
  ::close(impl_->wake[0]);
  ::close(impl_->wake[1]);
}

int DeviceServer::bind() {
  const ServerOptions& o = impl_->options;
  const std::string address = o.host + ":" + std::to_string(o.port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  const std::string port_text = std::to_string(o.port);
  const int status = getaddrinfo(o.host.c_str(), port_text.c_str(), &hints, &found);
  if (status != 0) {
    throw Error("--bind " + address + ": not an address (" + gai_strerror(status) + ")",
                Error::Kind::kIo);
  }
  int fd = -1;
  for (addrinfo* a = found; a != nullptr && fd < 0; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    // SO_REUSEADDR (a restart may rebind a port in TIME_WAIT), never SO_REUSEPORT (a second
    // mnas-device would bind a port already served and the kernel would split the clients).
    const int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    if (::bind(fd, a->ai_addr, a->ai_addrlen) != 0 || ::listen(fd, SOMAXCONN) != 0) {
      ::close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(found);
  if (fd < 0) {
    throw Error("--bind " + address + ": cannot bind (in use, or not an address of this machine)",
                Error::Kind::kIo);
  }
  sockaddr_storage bound{};
  socklen_t length = sizeof bound;
  getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length);
  const int port = ntohs(bound.ss_family == AF_INET6
                             ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                             : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  if (impl_->listener >= 0) ::close(impl_->listener);
  impl_->listener = fd;
  return port;
}

void DeviceServer::serve() {
  Impl& impl = *impl_;
  if (impl.listener < 0) throw Error("serving: bind() first");
  for (int i = 0; i < impl.options.workers; ++i)
    impl.workers.emplace_back([&impl] { impl.work(); });
  std::exception_ptr failure;
  try {
    impl.loop();
  } catch (...) {
    failure = std::current_exception();
    impl.stopping = true;
  }
  {
    std::lock_guard<std::mutex> lock(impl.mutex);
    impl.workers_stop = true;
  }
  impl.jobs_ready.notify_all();
  for (std::thread& t : impl.workers) t.join();
  impl.workers.clear();
  for (auto& [id, c] : impl.connections) impl.close_connection(c);
  impl.connections.clear();
  ::close(impl.listener);
  impl.listener = -1;
  if (failure) std::rethrow_exception(failure);
}

void DeviceServer::stop() {
  impl_->stopping = true;
  impl_->wake_up();
}

}  // namespace mnas
