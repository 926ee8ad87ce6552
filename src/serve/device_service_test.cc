// The device API without sockets: authorisation, routing, limits, errors that name the field,
// and one measurement at a time.
#include "serve/device_service.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <functional>
#include <thread>

#include "base/token.h"
#include "latency/fake_device.h"
#include "latency/lookup_table.h"
#include "space/architecture_codec.h"
#include "space/zoo.h"

namespace mnas {
namespace {

const std::string kToken = "0123456789abcdef0123";
const std::string kAuth = "Bearer " + kToken;

std::string small_arch() {
  return to_canonical_string(zoo_model("mnasnet-small", ZooOptions{{32, 32, 3}, 10, 1.0}));
}

nlohmann::json body(const std::string& arch = small_arch()) {
  return {{"architecture", arch}, {"protocol", "quick"}};
}

// The response's error message must start with `field`.
void expect_error(const ServiceResponse& r, int status, const std::string& field) {
  EXPECT_EQ(r.status, status) << r.body.dump();
  ASSERT_TRUE(r.body.contains("error")) << r.body.dump();
  EXPECT_EQ(r.body["error"].get<std::string>().rfind(field, 0), 0u) << r.body.dump();
}

TEST(DeviceService, RefusesRequestsWithoutTheToken) {
  FakeDevice device;
  DeviceService service(device, kToken);
  expect_error(service.handle("GET", "/v1/device", "", ""), 401, "authorization");
  expect_error(service.handle("GET", "/v1/device", "Bearer wrong", ""), 401, "authorization");
  expect_error(service.handle("GET", "/v1/device", "Bearer " + kToken + "x", ""), 401,
               "authorization");
  expect_error(service.handle("GET", "/v1/device", kToken, ""), 401, "authorization");
  EXPECT_EQ(service.handle("GET", "/v1/device", kAuth, "").status, 200);
  EXPECT_EQ(device.measurements(), 0);
  EXPECT_THROW(DeviceService(device, ""), Error);
}

TEST(DeviceService, DescribesTheDeviceAndRoutes) {
  FakeDevice device;
  DeviceService service(device, kToken);
  const ServiceResponse info = service.handle("GET", "/v1/device", kAuth, "");
  EXPECT_EQ(info.body["id"], "fake");
  EXPECT_EQ(info.body["cpu_model"], "fake CPU");
  EXPECT_EQ(info.body["limits"]["max_threads"], 4);
  EXPECT_EQ(info.body["queue"]["waiting"], 0);
  EXPECT_EQ(info.body["precisions"], nlohmann::json({"fp32", "int8"}));
  expect_error(service.handle("POST", "/v1/device", kAuth, "{}"), 405, "method");
  expect_error(service.handle("GET", "/v1/latency", kAuth, ""), 405, "method");
  expect_error(service.handle("GET", "/v2/anything", kAuth, ""), 404, "path");
}

TEST(DeviceService, MeasuresLikeTheLatencyCommand) {
  FakeDevice device;
  DeviceService service(device, kToken);
  const ServiceResponse r = service.handle("POST", "/v1/latency", kAuth, body().dump());
  ASSERT_EQ(r.status, 200) << r.body.dump();
  for (const char* field : {"median_ms", "min_ms", "mean_ms", "std_ms", "p90_ms", "cv", "runs",
                            "engine", "provenance", "attempts", "canonical", "protocol"}) {
    EXPECT_TRUE(r.body.contains(field)) << field;
  }
  EXPECT_EQ(r.body["canonical"], small_arch());
  EXPECT_EQ(r.body["protocol"]["min_runs"], 5);  // the quick preset
  EXPECT_EQ(r.body["provenance"]["precision"], "fp32");  // a request without it: fp32
  nlohmann::json int8 = body();
  int8["precision"] = "int8";
  const ServiceResponse q = service.handle("POST", "/v1/latency", kAuth, int8.dump());
  ASSERT_EQ(q.status, 200) << q.body.dump();
  EXPECT_EQ(q.body["provenance"]["precision"], "int8");
  int8["precision"] = "fp16";
  expect_error(service.handle("POST", "/v1/latency", kAuth, int8.dump()), 400, "precision");
  // A detector on the architecture: said in the answer; out of range, or for lookup-table
  // entries, refused naming the field.
  nlohmann::json detector = body();
  detector["detector_categories"] = 10;
  const ServiceResponse d = service.handle("POST", "/v1/latency", kAuth, detector.dump());
  ASSERT_EQ(d.status, 200) << d.body.dump();
  EXPECT_EQ(d.body["provenance"]["detector_categories"], 10);
  EXPECT_FALSE(q.body["provenance"].contains("detector_categories"));
  // What ran was the detector: its graph has the heads' operators too (counted, not timed: two
  // medians 1.4x apart under a parallel ctest are no proof).
  const ServiceResponse detector_ops =
      service.handle("POST", "/v1/profile", kAuth, detector.dump());
  const ServiceResponse classifier_ops =
      service.handle("POST", "/v1/profile", kAuth, body().dump());
  ASSERT_EQ(detector_ops.status, 200) << detector_ops.body.dump();
  ASSERT_EQ(classifier_ops.status, 200) << classifier_ops.body.dump();
  EXPECT_GT(classifier_ops.body["operators"].size(), 10u);
  EXPECT_GT(detector_ops.body["operators"].size(), classifier_ops.body["operators"].size());
  detector["detector_categories"] = 0;
  expect_error(service.handle("POST", "/v1/latency", kAuth, detector.dump()), 400,
               "detector_categories");

  // The JSON form, with the input and classes replaced.
  nlohmann::json j = body();
  j["architecture"] = nlohmann::json::parse(
      to_json_string(zoo_model("mnasnet-small", ZooOptions{{32, 32, 3}, 10, 1.0})));
  j["input"] = "64x64x3";
  j["classes"] = 5;
  const ServiceResponse r2 = service.handle("POST", "/v1/latency", kAuth, j.dump());
  ASSERT_EQ(r2.status, 200) << r2.body.dump();
  EXPECT_EQ(r2.body["provenance"]["input_shape"], "64x64x3");
  EXPECT_EQ(parse_architecture_string(r2.body["canonical"].get<std::string>()).classes, 5);

  nlohmann::json paired = body();
  paired["reference"] = "mobilenetv2";  // not a canonical string: refused, naming the field
  expect_error(service.handle("POST", "/v1/paired", kAuth, paired.dump()), 400, "reference");
  paired["reference"] =
      to_canonical_string(zoo_model("mobilenetv2", ZooOptions{{32, 32, 3}, 10, 1.0}));
  const ServiceResponse p = service.handle("POST", "/v1/paired", kAuth, paired.dump());
  ASSERT_EQ(p.status, 200) << p.body.dump();
  EXPECT_GT(p.body["reference"]["median_ms"].get<double>(),
            p.body["candidate"]["median_ms"].get<double>());

  const std::vector<std::string> keys =
      LookupTable::keys(zoo_model("mnasnet-small", ZooOptions{{32, 32, 3}, 10, 1.0}));
  const ServiceResponse lut =
      service.handle("POST", "/v1/lut/entries", kAuth,
                     nlohmann::json{{"keys", {keys[0], keys[1]}}, {"protocol", "quick"}}.dump());
  ASSERT_EQ(lut.status, 200) << lut.body.dump();
  EXPECT_EQ(lut.body["entries"][1]["key"], keys[1]);
  expect_error(
      service.handle("POST", "/v1/lut/entries", kAuth,
                     nlohmann::json{{"keys", {keys[0]}}, {"detector_categories", 3}}.dump()),
      400, "detector_categories");
}

TEST(DeviceService, BadRequestsNameTheField) {
  FakeDevice device;
  ServiceLimits limits;
  limits.max_body_bytes = 4096;
  limits.max_macs = 200'000'000;
  DeviceService service(device, kToken, limits);
  const auto post = [&](const std::string& path, const std::string& text) {
    return service.handle("POST", path, kAuth, text);
  };
  const auto with = [&](const char* key, const nlohmann::json& value) {
    nlohmann::json j = body();
    j[key] = value;
    return j.dump();
  };
  expect_error(post("/v1/latency", ""), 400, "body: empty");
  expect_error(post("/v1/latency", "{\"architecture\": "), 400, "body: not valid JSON");
  expect_error(post("/v1/latency", "[1, 2]"), 400, "body");
  expect_error(post("/v1/latency", std::string(40, '[') + std::string(40, ']')), 400,
               "body: JSON nested deeper than 16 levels");
  expect_error(post("/v1/latency", std::string(5000, ' ')), 413, "body");
  expect_error(post("/v1/latency", "{\"protocol\": \"quick\"}"), 400, "architecture: missing");
  expect_error(post("/v1/latency", with("architecture", 42)), 400, "architecture");
  expect_error(post("/v1/latency", with("architecture", "input=28x28x1:stem=banana")), 400,
               "architecture");
  expect_error(post("/v1/latency", with("architecture", std::string(3000, 'x'))), 400,
               "architecture");
  expect_error(post("/v1/latency", with("color", "red")), 400, "color: unknown field");
  expect_error(post("/v1/latency", with("threads", 64)), 400, "threads");
  expect_error(post("/v1/latency", with("threads", "2")), 400, "threads");
  expect_error(post("/v1/latency", with("protocol", nlohmann::json{{"min_runs", 0}})), 400,
               "protocol");
  expect_error(post("/v1/latency", with("protocol", "slowest")), 400, "protocol");
  expect_error(post("/v1/latency", with("protocol", nlohmann::json{{"max_seconds", 1000}})), 400,
               "protocol: this request could take up to");
  expect_error(post("/v1/latency", with("input", "2048x2048x3")), 400, "architecture");
  expect_error(post("/v1/latency", with("input", "0x0x0")), 400, "input");
  expect_error(post("/v1/latency", with("classes", -1)), 400, "classes");
  expect_error(post("/v1/paired", body().dump()), 400, "reference: missing");
  expect_error(post("/v1/lut/entries", nlohmann::json{{"keys", nlohmann::json::array()}}.dump()),
               400, "keys");
  expect_error(post("/v1/lut/entries", nlohmann::json{{"keys", {"layer x"}}}.dump()), 400,
               "keys[0]");
  expect_error(post("/v1/lut/entries", nlohmann::json{{"keys", {7}}}.dump()), 400, "keys[0]");
  EXPECT_EQ(device.measurements(), 0);  // nothing bad reached the device
}

TEST(DeviceService, RefusesLimitsThatAreNoLimits) {
  FakeDevice device;
  const auto refused = [&](const std::function<void(ServiceLimits&)>& change,
                           const std::string& part) {
    ServiceLimits limits;
    change(limits);
    try {
      DeviceService service(device, kToken, limits);
      ADD_FAILURE() << "accepted; expected an error with '" << part << "'";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
    }
  };
  refused([](ServiceLimits& l) { l.max_body_bytes = ~size_t{0}; }, "max body");
  refused([](ServiceLimits& l) { l.max_body_bytes = 0; }, "max body");
  refused([](ServiceLimits& l) { l.max_queue = -1; }, "queue");
  refused([](ServiceLimits& l) { l.max_macs = 0; }, "max MACs");
  refused([](ServiceLimits& l) { l.max_params = -5; }, "max params");
  refused([](ServiceLimits& l) { l.max_request_seconds = 1e9; }, "max request seconds");
}

TEST(DeviceService, OneMeasurementAtATimeAndABoundedQueue) {
  // A device that records how many calls overlap.
  class Overlap : public FakeDevice {
   public:
    Overlap() : FakeDevice(delayed()) {}
    LatencyResult measure(const Architecture& a, const TimingRequest& r) override {
      const int now = ++running_;
      int seen = max_;
      while (now > seen && !max_.compare_exchange_weak(seen, now)) {
      }
      LatencyResult result = FakeDevice::measure(a, r);
      --running_;
      return result;
    }
    static Options delayed() {
      Options o;
      o.delay = std::chrono::milliseconds(300);
      return o;
    }
    std::atomic<int> running_{0}, max_{0};
  };
  Overlap device;
  ServiceLimits limits;
  limits.max_queue = 2;
  DeviceService service(device, kToken, limits);
  std::vector<std::thread> clients;
  std::vector<int> statuses(6, 0);
  std::vector<int> retry_after(6, 0);
  for (int i = 0; i < 6; ++i) {
    clients.emplace_back([&, i] {
      std::this_thread::sleep_for(std::chrono::milliseconds(30 * i));
      const ServiceResponse r = service.handle("POST", "/v1/latency", kAuth, body().dump());
      statuses[i] = r.status;
      retry_after[i] = r.retry_after_seconds;
    });
  }
  for (std::thread& t : clients) t.join();
  EXPECT_EQ(device.max_.load(), 1);
  // The first runs, two wait, the other three are turned away with a hint.
  int ok = 0, busy = 0;
  for (int i = 0; i < 6; ++i) {
    ok += statuses[i] == 200;
    busy += statuses[i] == 503;
    if (statuses[i] == 503) {
      EXPECT_GE(retry_after[i], 1);
    }
  }
  EXPECT_EQ(ok, 3);
  EXPECT_EQ(busy, 3);
  EXPECT_EQ(statuses[0], 200);
}

TEST(Token, ComparesInConstantTimeAndReadsFiles) {
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abd", "abc"));
  EXPECT_FALSE(constant_time_equal("ab", "abc"));
  EXPECT_FALSE(constant_time_equal("abcd", "abc"));
  EXPECT_FALSE(constant_time_equal("", "abc"));
  const std::string a = generate_token(), b = generate_token();
  EXPECT_EQ(a.size(), 32u);
  EXPECT_NE(a, b);
  const std::string path = "/tmp/mnas_token_test_" + std::to_string(::getpid());
  { std::ofstream(path) << "  " << a << "  \nsecond line\n"; }
  EXPECT_EQ(read_token_file(path), a);
  { std::ofstream(path) << "short\n"; }
  EXPECT_THROW(read_token_file(path), Error);
  std::remove(path.c_str());
  EXPECT_THROW(read_token_file(path), Error);
}

TEST(JsonDepth, CountsOnlyStructureNotStrings) {
  EXPECT_NO_THROW(check_json_depth("{\"a\": \"[[[[[[[[[[\"}", 2));
  EXPECT_NO_THROW(check_json_depth("{\"a\": \"\\\"[[[[[[\"}", 2));
  EXPECT_THROW(check_json_depth("[[[1]]]", 2), Error);
  EXPECT_NO_THROW(check_json_depth("[[1],[2],[3]]", 2));
}

}  // namespace
}  // namespace mnas
