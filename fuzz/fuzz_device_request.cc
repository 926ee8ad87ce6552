// libFuzzer: request bodies of the device server (DeviceService, over a fake device). The first
// byte picks the endpoint; the rest is the body. Every answer is a known status with a JSON body,
// an error one naming a field; nothing crashes, nothing unbounded is built.
#include <cstdint>
#include <string>

#include "latency/fake_device.h"
#include "serve/device_service.h"

namespace {

mnas::DeviceService& service() {
  static mnas::FakeDevice device;
  static mnas::ServiceLimits limits = [] {
    mnas::ServiceLimits l;
    l.max_macs = 200'000'000;  // keep each input fast and small under the fuzzer
    l.max_params = 2'000'000;
    l.max_body_bytes = 64 << 10;
    return l;
  }();
  static mnas::DeviceService s(device, "fuzz-token-0123456789", limits);
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const char* const kPaths[] = {"/v1/latency", "/v1/paired", "/v1/profile",
                                       "/v1/lut/entries", "/v1/device"};
  const std::string path = kPaths[data[0] % 5];
  const std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);
  const mnas::ServiceResponse r = service().handle(path == "/v1/device" ? "GET" : "POST", path,
                                                   "Bearer fuzz-token-0123456789", body);
  MNAS_ASSERT(r.status == 200 || r.status == 400 || r.status == 413 || r.status == 503);
  MNAS_ASSERT(r.status == 200 || (r.body.contains("error") && r.body["error"].is_string()));
  return 0;
}
