// The device server over real sockets: the client (RemoteDevice) against the server on loopback,
// what the HTTP layer refuses itself, and the mnas-device program's start and clean stop.
#include "serve/device_server.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <regex>
#include <thread>

#include "latency/fake_device.h"
#include "latency/measure_presets.h"
#include "latency/remote_device.h"
#include "space/zoo.h"

namespace mnas {
namespace {

const std::string kToken = "server-test-token-0123456789";

// A server on a free loopback port, serving from a thread for the test's lifetime.
class RunningServer {
 public:
  explicit RunningServer(Device& device, ServiceLimits limits = {})
      : service_(device, kToken, limits), server_(service_, options(), [this](const std::string& l) {
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
  const PairedLatency p =
      remote.measure_paired(small(), zoo_model("mobilenetv2", ZooOptions{{32, 32, 3}, 10, 1.0}),
                            request);
  EXPECT_GT(p.reference.median_ms, p.candidate.median_ms);
  EXPECT_GT(remote.profile(small(), {1, operator_profile_protocol(request.protocol)}).size(), 10u);
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
  // Every request was logged, with its status.
  const std::vector<std::string> log = server.log();
  ASSERT_GE(log.size(), 5u);
  EXPECT_NE(log[1].find("POST /v1/latency 200"), std::string::npos) << log[1];
  EXPECT_NE(log.back().find(" 400 "), std::string::npos) << log.back();
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
  httplib::Result big = client.Post("/v1/latency", auth, std::string(5000, ' '), "application/json");
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

// mnas-device itself: starts, prints where it listens, answers, and stops cleanly on SIGTERM.
TEST(MnasDevice, ServesAndStopsCleanlyOnSigterm) {
  const std::string dir = "/tmp/mnas_device_test_" + std::to_string(::getpid());
  const std::string token_file = dir + ".token", out = dir + ".out", err = dir + ".err";
  std::ofstream(token_file) << kToken << "\n";
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    std::freopen(out.c_str(), "w", stdout);
    std::freopen(err.c_str(), "w", stderr);
    execl(MNAS_DEVICE_BINARY, MNAS_DEVICE_BINARY, "--bind", "127.0.0.1:0", "--token-file",
          token_file.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  // Wait for the address line.
  std::string url;
  for (int i = 0; i < 200 && url.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
    std::ifstream in(out);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::smatch m;
    if (std::regex_search(text, m, std::regex("listening on (http://127\\.0\\.0\\.1:[0-9]+)"))) {
      url = m[1];
    }
  }
  ASSERT_FALSE(url.empty()) << "mnas-device printed no address";
  RemoteDevice remote(url, client_options());
  const DeviceInfo info = remote.info();
  EXPECT_EQ(info.engine, "xnnpack");
  EXPECT_EQ(info.id, local_device_info().id);
  TimingRequest quick;
  quick.protocol.min_runs = 3;
  quick.protocol.min_seconds = 0;
  quick.protocol.max_attempts = 1;
  EXPECT_GT(remote.measure(small(), quick).median_ms, 0);
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  std::ifstream in(err);
  const std::string log((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(log.find("stopped (SIGTERM)"), std::string::npos) << log;
  EXPECT_NE(log.find("POST /v1/latency 200"), std::string::npos) << log;
  for (const std::string& f : {token_file, out, err}) std::remove(f.c_str());
}

}  // namespace
}  // namespace mnas
