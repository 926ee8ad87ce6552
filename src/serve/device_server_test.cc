// The device server over real sockets: the client (RemoteDevice) against the server on loopback,
// what the HTTP layer refuses itself, and the mnas-device program's start and clean stop.
#include "serve/device_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <thread>

#include "latency/fake_device.h"
#include "latency/latency_json.h"
#include "latency/lookup_table.h"
#include "latency/measure_presets.h"
#include "latency/remote_device.h"
#include "serve/device_process.h"
#include "space/zoo.h"

namespace mnas {
namespace {

const std::string kToken = "server-test-token-0123456789";

// A server on a free loopback port, serving from a thread for the test's lifetime.
class RunningServer {
 public:
  explicit RunningServer(Device& device, ServiceLimits limits = {})
      : service_(device, kToken, limits),
        server_(service_, options(), [this](const std::string& l) {
          std::lock_guard<std::mutex> lock(mutex_);
          log_.push_back(l);
        }) {
    port_ = server_.bind();
    thread_ = std::thread([this] { server_.serve(); });
  }
  ~RunningServer() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }
  std::vector<std::string> log() {
    std::lock_guard<std::mutex> lock(mutex_);
    return log_;
  }

 private:
  static ServerOptions options() {
    ServerOptions o;
    o.port = 0;
    o.read_timeout_seconds = 1;
    return o;
  }
  DeviceService service_;
  DeviceServer server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  std::vector<std::string> log_;
};

RemoteOptions client_options(const std::string& token = kToken) {
  RemoteOptions o;
  o.token = token;
  o.retries = 1;
  o.backoff_seconds = 0.01;
  return o;
}

Architecture small() { return zoo_model("mnasnet-small", ZooOptions{{32, 32, 3}, 10, 1.0}); }

// A fake device: whatever `routes` sets up on a plain HTTP server, on a free loopback port, and a
// client of it that does not retry.
class FakeHttpDevice {
 public:
  explicit FakeHttpDevice(const std::function<void(httplib::Server&)>& routes) {
    routes(server_);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~FakeHttpDevice() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  RemoteDevice client() const {
    RemoteOptions o = client_options();
    o.retries = 0;
    return RemoteDevice(url(), o);
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

TEST(DeviceServer, ARemoteDeviceMeasuresThroughIt) {
  FakeDevice fake;
  RunningServer server(fake);
  RemoteDevice remote(server.url(), client_options());
  EXPECT_EQ(remote.info().id, "fake");
  TimingRequest request;
  request.protocol.min_runs = 7;
  const LatencyResult r = remote.measure(small(), request);
  EXPECT_DOUBLE_EQ(r.median_ms, fake.latency_ms(small()));
  EXPECT_EQ(r.measurement.stats.runs, 7);
  EXPECT_EQ(r.provenance.device, server.url());
  EXPECT_EQ(r.provenance.device_id, "fake");
  const PairedLatency p = remote.measure_paired(
      small(), zoo_model("mobilenetv2", ZooOptions{{32, 32, 3}, 10, 1.0}), request);
  EXPECT_GT(p.reference.median_ms, p.candidate.median_ms);
  EXPECT_GT(remote.profile(small(), {1, operator_profile_protocol(request.protocol)}).size(), 10u);
  // Lookup-table entries in int8 too (the request says so; a server before int8 refuses it).
  TimingRequest int8 = request;
  int8.precision = Precision::kInt8;
  const std::vector<std::string> keys = LookupTable::keys(small());
  EXPECT_EQ(remote.measure_lut_entries({keys[1]}, int8).at(0).key, keys[1]);
  // A refused request comes back as an Error with the server's message, naming the field.
  request.threads = 64;
  try {
    remote.measure(small(), request);
    FAIL();
  } catch (const DeviceUnreachable&) {
    FAIL() << "a refused request is not an unreachable device";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("threads: 64 is out of range"), std::string::npos)
        << e.what();
  }
  // Every request was logged, with its status. The library logs after the answer is sent, from
  // the connection's thread: wait for the lines rather than race them, and do not rely on their
  // order (the next request may be logged before the one it followed).
  std::vector<std::string> log = server.log();
  for (int i = 0; i < 200 && log.size() < 5; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    log = server.log();
  }
  ASSERT_GE(log.size(), 5u);
  const auto logged = [&](const std::string& part) {
    return std::any_of(log.begin(), log.end(), [&](const std::string& line) {
      return line.find(part) != std::string::npos;
    });
  };
  EXPECT_TRUE(logged("POST /v1/latency 200")) << log[1];
  EXPECT_TRUE(logged("POST /v1/paired 200")) << log[2];
  EXPECT_TRUE(logged("POST /v1/latency 400 ")) << log.back();
}

TEST(DeviceServer, AWrongTokenIsAClearErrorNotAnOutage) {
  FakeDevice fake;
  RunningServer server(fake);
  RemoteDevice remote(server.url(), client_options("not-the-token-at-all"));
  try {
    remote.info();
    FAIL();
  } catch (const DeviceUnreachable&) {
    FAIL() << "a refused token is not an unreachable device";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("token was refused"), std::string::npos) << e.what();
  }
}

TEST(DeviceServer, TheHttpLayerRefusesWithJsonToo) {
  FakeDevice fake;
  ServiceLimits limits;
  limits.max_body_bytes = 1000;
  RunningServer server(fake, limits);
  httplib::Client client("127.0.0.1", server.port());
  const httplib::Headers auth = {{"Authorization", "Bearer " + kToken}};
  httplib::Result big =
      client.Post("/v1/latency", auth, std::string(5000, ' '), "application/json");
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 413);
  EXPECT_NE(big->body.find("\"error\""), std::string::npos) << big->body;
  httplib::Result put = client.Put("/v1/latency", auth, "{}", "application/json");
  ASSERT_TRUE(put);
  EXPECT_EQ(put->status, 405);
  httplib::Result none = client.Get("/v1/device");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401);
  EXPECT_EQ(none->get_header_value("WWW-Authenticate"), "Bearer");
}

// What a client or a device says is escaped before it is logged or printed.
TEST(DeviceServer, AClientCannotForgeLogLines) {
  FakeDevice fake;
  RunningServer server(fake);
  httplib::Client client("127.0.0.1", server.port());
  httplib::Result r = client.Get("/v1/x%0A2026-01-01T00:00:00Z%20forged%1B%5B2J");
  ASSERT_TRUE(r);
  EXPECT_GE(r->status, 400);
  // The server logs a request after answering it: wait for the line.
  std::vector<std::string> log = server.log();
  for (int i = 0; i < 200 && (log.empty() || log.back().find("/v1/x") == std::string::npos); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    log = server.log();
  }
  ASSERT_FALSE(log.empty());
  for (const std::string& line : log) {
    EXPECT_EQ(line.find('\n'), std::string::npos) << line;
    EXPECT_EQ(line.find('\x1b'), std::string::npos) << line;
  }
  EXPECT_NE(log.back().find("/v1/x\\x0a2026"), std::string::npos) << log.back();
}

// A body with a NUL byte and a tail, or with bytes that are not UTF-8: a 400 naming the body,
// never a measurement of what came before the NUL nor a 500.
TEST(DeviceServer, ABodyWithANulOrBadUtf8IsABadRequest) {
  FakeDevice fake;
  RunningServer server(fake);
  httplib::Client client("127.0.0.1", server.port());
  const httplib::Headers auth = {{"Authorization", "Bearer " + kToken}};
  const std::string good = R"({"architecture": "mnasnet-small", "protocol": "quick"})";
  const std::string nul = good + std::string(1, '\0') + "{junk";
  httplib::Result r = client.Post("/v1/latency", auth, nul, "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400) << r->body;
  EXPECT_NE(r->body.find("NUL byte"), std::string::npos) << r->body;
  r = client.Post("/v1/latency", auth, "{\"architecture\": \"\xff\xfe\"}", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400) << r->body;
  EXPECT_NE(r->body.find("body"), std::string::npos) << r->body;
}

// A fake device behind a redirect, and one whose error text holds terminal escapes.
TEST(RemoteDevice, ARedirectIsRefusedAndADevicesTextIsEscaped) {
  const FakeHttpDevice fake([](httplib::Server& server) {
    server.Get("/v1/device", [](const httplib::Request&, httplib::Response& res) {
      res.status = 302;
      res.set_header("Location", "http://elsewhere.example/v1/device");
    });
    server.Post("/v1/latency", [](const httplib::Request&, httplib::Response& res) {
      res.status = 400;
      res.set_content("{\"error\": \"bad\\u001b[2J\\r\\nforged line\"}",
                      "application/json");
    });
  });
  RemoteDevice device = fake.client();
  try {
    device.info();
    FAIL() << "a redirect was followed or accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("a redirect (HTTP 302 to "
                                         "'http://elsewhere.example/v1/device')"),
              std::string::npos)
        << e.what();
  }
  try {
    device.measure(small(), TimingRequest{});
    FAIL() << "an error answer was accepted";
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_EQ(m.find('\x1b'), std::string::npos) << m;
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;
    EXPECT_NE(m.find("bad\\x1b[2J\\x0d\\x0aforged line"), std::string::npos) << m;
  }
}

// A device's answer is checked before it is believed: plausible, and of what was asked.
// A device that trickles its answer a byte at a time (every read within the read timeout) or
// streams one without end: the client gives up within a bounded time and memory, and says why.
TEST(RemoteDevice, AnAnswerThatTricklesOrNeverEndsIsCutOff) {
  const FakeHttpDevice fake([](httplib::Server& server) {
    server.Get("/v1/device", [](const httplib::Request&, httplib::Response& res) {
      res.set_chunked_content_provider("application/json", [](size_t, httplib::DataSink& sink) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        return sink.write("{", 1);  // one byte, well within each read's timeout, for ever
      });
    });
    server.Post("/v1/latency", [](const httplib::Request&, httplib::Response& res) {
      res.set_chunked_content_provider("application/json", [](size_t, httplib::DataSink& sink) {
        static const std::string block(1 << 20, ' ');  // a megabyte of spaces, without end
        return sink.write(block.data(), block.size());
      });
    });
  });
  RemoteOptions o = client_options();
  o.retries = 0;
  o.read_timeout_seconds = 1;  // the whole answer within 2 s
  RemoteDevice device(fake.url(), o);
  const auto start = std::chrono::steady_clock::now();
  try {
    device.info();
    FAIL() << "a trickling answer was waited for";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("its answer did not end within 2 s"), std::string::npos)
        << e.what();
  }
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 10);
  try {
    device.measure(small(), TimingRequest{});
    FAIL() << "an endless answer was read";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("an answer of more than 16 MiB; refused"),
              std::string::npos)
        << e.what();
  }
}

TEST(RemoteDevice, AnAnswerIsCheckedBeforeItIsBelieved) {
  FakeDevice reference_device;
  TimingRequest request;
  const LatencyResult good = reference_device.measure(small(), request);
  const std::vector<std::pair<std::string, std::function<void(LatencyResult&)>>> faults = {
      {"", [](LatencyResult&) {}},
      {"median 1e+300 ms is not a plausible latency",
       [](LatencyResult& r) { r.measurement.stats.median_ms = r.median_ms = 1e300; }},
      {"median 0 ms is not a plausible latency",
       [](LatencyResult& r) { r.measurement.stats.median_ms = r.median_ms = 0; }},
      {"contradict themselves",
       [](LatencyResult& r) { r.measurement.stats.min_ms = 2 * r.measurement.stats.p90_ms; }},
      {"at least one run", [](LatencyResult& r) { r.measurement.stats.runs = 0; }},
      {"measured an input of '64x64x3', but 32x32x3 was asked",
       [](LatencyResult& r) { r.provenance.input_shape = "64x64x3"; }},
      {"measured with 4 threads, not the 1 asked",
       [](LatencyResult& r) { r.provenance.threads = 4; }},
  };
  for (const auto& [expected, fault] : faults) {
    LatencyResult answer = good;
    fault(answer);
    const std::string body = latency_json(answer).dump();
    const FakeHttpDevice fake([&body](httplib::Server& server) {
      server.Post("/v1/latency", [body](const httplib::Request&, httplib::Response& res) {
        res.set_content(body, "application/json");
      });
    });
    RemoteDevice device = fake.client();
    try {
      const LatencyResult r = device.measure(small(), request);
      EXPECT_EQ(expected, "") << "accepted: " << body;
      EXPECT_DOUBLE_EQ(r.median_ms, good.median_ms);
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(expected), std::string::npos)
          << "[" << expected << "] " << e.what();
      EXPECT_NE(expected, "") << e.what();
    }
  }
}

TEST(DeviceServer, APortAlreadyServedIsAClearError) {
  FakeDevice fake;
  RunningServer server(fake);
  DeviceService service(fake, kToken, {});
  ServerOptions o;
  o.port = server.port();
  DeviceServer second(service, o, nullptr);
  try {
    second.bind();
    FAIL() << "a second server bound port " << server.port() << ", which is served already";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot bind"), std::string::npos) << e.what();
  }
}

// A stop at any moment after bind() ends serve(), even one before its accept loop has started
// (the library's own stop() is lost then: a SIGTERM right after start would be).
TEST(DeviceServer, AStopAtAnyMomentEndsServing) {
  FakeDevice fake;
  DeviceService service(fake, kToken, {});
  ServerOptions o;
  o.port = 0;
  for (int i = 0; i < 50; ++i) {
    DeviceServer server(service, o, nullptr);
    server.bind();
    std::thread serving([&] { server.serve(); });
    if (i % 2) std::this_thread::sleep_for(std::chrono::microseconds(50 * i));
    server.stop();
    serving.join();
  }
  DeviceServer stopped_first(service, o, nullptr);
  stopped_first.bind();
  stopped_first.stop();
  stopped_first.serve();  // returns at once
}

// A burst of new connections is queued by the kernel until a worker accepts it, not dropped
// (with a backlog of 5, the handshakes beyond it are dropped and retried a second later).
TEST(DeviceServer, ABurstOfConnectionsIsQueuedNotDropped) {
  FakeDevice fake;
  DeviceService service(fake, kToken, {});
  ServerOptions o;
  o.port = 0;
  DeviceServer server(service, o, nullptr);
  const int port = server.bind();  // bound and listening, accepting nothing yet
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  constexpr int kConnections = 64;
  std::vector<pollfd> sockets;
  for (int i = 0; i < kConnections; ++i) {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    ASSERT_GE(fd, 0);
    connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address);
    sockets.push_back({fd, POLLOUT, 0});
  }
  // A completed handshake makes the socket writable at once; a dropped one would take a second.
  int connected = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
  while (connected < kConnections && std::chrono::steady_clock::now() < deadline) {
    poll(sockets.data(), sockets.size(), 50);
    connected = 0;
    for (const pollfd& p : sockets) {
      int error = 0;
      socklen_t length = sizeof error;
      getsockopt(p.fd, SOL_SOCKET, SO_ERROR, &error, &length);
      if ((p.revents & POLLOUT) && error == 0) ++connected;
    }
  }
  for (const pollfd& p : sockets) close(p.fd);
  EXPECT_EQ(connected, kConnections);
}

// mnas-device itself: starts, prints where it listens, answers, and stops cleanly on SIGTERM.
TEST(MnasDevice, ServesAndStopsCleanlyOnSigterm) {
  testing::DeviceProcess process(MNAS_DEVICE_BINARY, kToken, "sigterm");
  RemoteDevice remote(process.url(), client_options());
  const DeviceInfo info = remote.info();
  EXPECT_EQ(info.engine, "xnnpack");
  EXPECT_EQ(info.id, local_device_info().id);
  TimingRequest quick;
  quick.protocol.min_runs = 3;
  quick.protocol.min_seconds = 0;
  quick.protocol.max_attempts = 1;
  EXPECT_GT(remote.measure(small(), quick).median_ms, 0);
  const int status = process.stop(SIGTERM);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_NE(process.err().find("stopped (SIGTERM)"), std::string::npos) << process.err();
  EXPECT_NE(process.err().find("POST /v1/latency 200"), std::string::npos) << process.err();
}

TEST(MnasDevice, RefusesABadStart) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--queue", "-1"}, {"--max-threads", "9999"},
        {"--max-connections", "0"}, {"--read-timeout", "0"}}) {
    try {
      testing::DeviceProcess process(MNAS_DEVICE_BINARY, kToken, "bad", args);
      FAIL() << "started with " << args[0];
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find("mnas-device: error"), std::string::npos) << e.what();
      if (args[0] == "--max-connections") {
        EXPECT_NE(std::string(e.what()).find("max connections: must be in [1, 1000000]"),
                  std::string::npos)
            << e.what();
      }
    }
  }
  try {
    testing::DeviceProcess process(MNAS_DEVICE_BINARY, "short", "short");
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("at least 16 characters"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace mnas
