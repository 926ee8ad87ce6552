// The device server against clients that do not play fair, over raw sockets: idle and slow
// connections, floods without a token, tokens with a tail, pipelining, the connection limit.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "latency/fake_device.h"
#include "serve/device_server.h"

namespace mnas {
namespace {

using Clock = std::chrono::steady_clock;
const std::string kToken = "hostile-test-token-0123456789";

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

class Server {
 public:
  explicit Server(ServerOptions o, ServiceLimits limits = {})
      : service_(fake_, kToken, limits), server_(service_, with_port0(o), nullptr) {
    port_ = server_.bind();
    thread_ = std::thread([this] { server_.serve(); });
  }
  ~Server() {
    server_.stop();
    thread_.join();
  }
  int port() const { return port_; }

 private:
  static ServerOptions with_port0(ServerOptions o) {
    o.port = 0;
    return o;
  }
  FakeDevice fake_;
  DeviceService service_;
  DeviceServer server_;
  int port_ = 0;
  std::thread thread_;
};

int connect_to(int port, bool blocking = true) {
  const int fd = socket(AF_INET, SOCK_STREAM | (blocking ? 0 : SOCK_NONBLOCK), 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address);
  return fd;
}

// The statuses of the complete answers in `bytes` (each head's Content-Length body skipped).
std::vector<int> statuses(const std::string& bytes) {
  std::vector<int> found;
  size_t at = 0;
  for (;;) {
    const size_t end = bytes.find("\r\n\r\n", at);
    if (end == std::string::npos || bytes.compare(at, 9, "HTTP/1.1 ") != 0) break;
    const int status = std::stoi(bytes.substr(at + 9, 3));
    size_t length = 0;
    const size_t field = bytes.find("Content-Length: ", at);
    if (field != std::string::npos && field < end) length = std::stoul(bytes.substr(field + 16));
    if (end + 4 + length > bytes.size()) break;
    found.push_back(status);
    at = end + 4 + length;
  }
  return found;
}

// Reads from `fd` until `n` complete answers arrived, the peer closed, or `seconds` passed.
std::string read_answers(int fd, size_t n, double seconds) {
  std::string bytes;
  const Clock::time_point start = Clock::now();
  while (statuses(bytes).size() < n && seconds_since(start) < seconds) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) continue;
    char buffer[65536];
    const ssize_t got = recv(fd, buffer, sizeof buffer, 0);
    if (got <= 0) break;
    bytes.append(buffer, static_cast<size_t>(got));
  }
  return bytes;
}

// Sends `head`, then `piece` again and again until an answer arrives (or 64 MiB or 20 s);
// returns the answer's status (0 for none) and the bytes that were sent before it.
std::pair<int, size_t> flood(int port, const std::string& head, const std::string& piece) {
  const int fd = connect_to(port);
  size_t sent = 0;
  std::string pending = head, bytes;
  const Clock::time_point start = Clock::now();
  while (sent < (64u << 20) && seconds_since(start) < 20) {
    pollfd p{fd, POLLIN | POLLOUT, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    if (p.revents & POLLIN) {
      bytes = read_answers(fd, 1, 5);
      break;
    }
    if (p.revents & POLLOUT) {
      const ssize_t n = send(fd, pending.data(), pending.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0 && errno != EAGAIN) break;
      if (n > 0) {
        sent += static_cast<size_t>(n);
        pending = pending.substr(static_cast<size_t>(n));
        if (pending.empty()) pending = piece;
      }
    }
  }
  close(fd);
  const std::vector<int> got = statuses(bytes);
  return {got.empty() ? 0 : got.front(), sent};
}

std::string get_device(const std::string& extra = "") {
  return "GET /v1/device HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + kToken + "\r\n" + extra +
         "\r\n";
}

// 200 silent connections and 2 workers: a good client is still answered at once (a thread per
// connection with a 5 s read timeout made it wait 200 / 2 × 5 s).
TEST(HostileClients, IdleConnectionsHoldNoWorker) {
  ServerOptions o;
  o.workers = 2;
  Server server(o);
  std::vector<int> idle;
  for (int i = 0; i < 200; ++i) idle.push_back(connect_to(server.port(), false));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const Clock::time_point start = Clock::now();
  httplib::Client client("127.0.0.1", server.port());
  client.set_read_timeout(30, 0);
  const httplib::Result r = client.Get("/v1/device", {{"Authorization", "Bearer " + kToken}});
  const double waited = seconds_since(start);
  for (int fd : idle) close(fd);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_LT(waited, 3.0) << "the read timeout is 5 s: a good client waited for idle ones";
}

// A sender that trickles a header byte every 200 ms (each within the 1 s read timeout) is cut off
// with 408 once its whole request has taken the read timeout.
TEST(HostileClients, ASlowSenderIsCutOffWhateverItsPace) {
  ServerOptions o;
  o.read_timeout_seconds = 1;
  Server server(o);
  const int fd = connect_to(server.port());
  const std::string request = get_device();
  const Clock::time_point start = Clock::now();
  std::string answer;
  for (size_t i = 0; i < request.size() && seconds_since(start) < 10; ++i) {
    if (send(fd, &request[i], 1, MSG_NOSIGNAL) != 1) break;
    answer = read_answers(fd, 1, 0.2);
    if (!answer.empty()) break;
  }
  const double took = seconds_since(start);
  close(fd);
  ASSERT_EQ(statuses(answer), std::vector<int>{408}) << answer;
  EXPECT_NE(answer.find("not received whole within 1 s"), std::string::npos) << answer;
  EXPECT_LT(took, 3.0);
}

// Endless headers, or an endless chunked body without a token, are refused after a bounded
// number of bytes (the head limit, the body limit), and the client sees the answer.
TEST(HostileClients, AFloodIsRefusedBeforeItIsBuffered) {
  ServerOptions o;
  Server server(o);
  const std::string chunk = "10000\r\n" + std::string(0x10000, 'a') + "\r\n";
  const auto [headers, headers_sent] =
      flood(server.port(), "GET /v1/device HTTP/1.1\r\nX-Pad: ", std::string(65536, 'a'));
  EXPECT_EQ(headers, 431);
  const auto [no_token, no_token_sent] = flood(
      server.port(), "POST /v1/latency HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", chunk);
  EXPECT_EQ(no_token, 401);
  const auto [too_long, too_long_sent] =
      flood(server.port(),
            "POST /v1/latency HTTP/1.1\r\nAuthorization: Bearer " + kToken +
                "\r\nTransfer-Encoding: chunked\r\n\r\n",
            chunk);
  EXPECT_EQ(too_long, 413);
  // What was sent before the answer: the limit plus what the kernel's buffers took meanwhile.
  for (size_t sent : {headers_sent, no_token_sent, too_long_sent}) EXPECT_LT(sent, 48u << 20);
}

TEST(HostileClients, ATokenWithATailIsNotTheToken) {
  Server server(ServerOptions{});
  for (const auto& [header, expected] :
       std::vector<std::pair<std::string, int>>{
           {"Authorization: Bearer " + kToken + std::string(1, '\0') + "junk\r\n", 400},
           {"Authorization: Bearer " + kToken + "junk\r\n", 401},
           {"Authorization: Bearer " + kToken + "\r\n", 200}}) {
    const int fd = connect_to(server.port());
    const std::string request = "GET /v1/device HTTP/1.1\r\n" + header + "\r\n";
    send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    const std::string answer = read_answers(fd, 1, 5);
    close(fd);
    EXPECT_EQ(statuses(answer), std::vector<int>{expected}) << answer;
  }
}

// Requests sent back to back on one connection are each answered, in order.
TEST(HostileClients, PipelinedRequestsAreAnsweredInOrder) {
  Server server(ServerOptions{});
  const int fd = connect_to(server.port());
  const std::string three =
      get_device() +
      "GET /v1/nothing HTTP/1.1\r\nAuthorization: Bearer " + kToken + "\r\n\r\n" +
      "POST /v1/latency HTTP/1.1\r\nAuthorization: Bearer " + kToken +
      "\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}";
  send(fd, three.data(), three.size(), MSG_NOSIGNAL);
  const std::string answers = read_answers(fd, 3, 10);
  close(fd);
  EXPECT_EQ(statuses(answers), (std::vector<int>{200, 404, 400})) << answers;
}

// "Expect: 100-continue": the client hears 100 before it sends its body, and a refused request
// is refused before (with no 100).
TEST(HostileClients, ExpectContinueIsHonoured) {
  Server server(ServerOptions{});
  const std::string body = R"({"architecture": "not-an-architecture"})";
  const std::string head = "POST /v1/latency HTTP/1.1\r\nContent-Length: " +
                           std::to_string(body.size()) + "\r\nExpect: 100-continue\r\n";
  int fd = connect_to(server.port());
  std::string request = head + "Authorization: Bearer " + kToken + "\r\n\r\n";
  send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string first = read_answers(fd, 1, 2);  // "100 Continue" has no body: a complete answer
  EXPECT_EQ(first.rfind("HTTP/1.1 100 Continue\r\n\r\n", 0), 0u) << first;
  send(fd, body.data(), body.size(), MSG_NOSIGNAL);
  const std::string answer = read_answers(fd, 1, 10);
  close(fd);
  // The body was read after the 100: its architecture is what the answer is about.
  EXPECT_EQ(statuses(answer), std::vector<int>{400}) << answer;
  EXPECT_NE(answer.find("not-an-architecture"), std::string::npos) << answer;

  fd = connect_to(server.port());
  request = head + "\r\n";  // no token
  send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  first = read_answers(fd, 1, 5);
  close(fd);
  EXPECT_EQ(statuses(first), std::vector<int>{401}) << first;
}

// At the connection limit, the connection waiting longest for its request makes room.
TEST(HostileClients, AtTheLimitTheLongestWaitingConnectionMakesRoom) {
  ServerOptions o;
  o.max_connections = 4;
  Server server(o);
  std::vector<int> idle;
  for (int i = 0; i < 4; ++i) idle.push_back(connect_to(server.port()));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const int fd = connect_to(server.port());
  const std::string request = get_device();
  send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  const std::string answer = read_answers(fd, 1, 5);
  close(fd);
  // The oldest idle connection was closed to admit the new one.
  char byte;
  EXPECT_EQ(recv(idle.front(), &byte, 1, 0), 0);
  for (int i : idle) close(i);
  EXPECT_EQ(statuses(answer), std::vector<int>{200}) << answer;
}

}  // namespace
}  // namespace mnas
