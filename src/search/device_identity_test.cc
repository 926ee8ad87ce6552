#include "search/device_identity.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "latency/latency_json.h"

namespace mnas {
namespace {

// A trial timed on `device` of this CPU model, XNNPACK version and id, its statistics as the
// store keeps them.
StoredTrial timed_on(const std::string& device, const std::string& cpu, const std::string& xnnpack,
                     const std::string& id) {
  StoredTrial t;
  t.status = "done";
  DeviceLatency d;
  d.device = device;
  d.latency_ms = 1;
  Provenance p;
  p.device = "http://" + device;
  p.device_id = id;
  p.engine = "xnnpack";
  p.engine_version = xnnpack;
  p.cpu_model = cpu;
  p.logical_cpus = 4;
  p.input_shape = "28x28x1";
  p.timestamp = "2026-12-04T20:00:00Z";
  const nlohmann::json stats = {
      {"stat", "median"}, {"candidate", {{"median_ms", 1}, {"provenance", provenance_json(p)}}}};
  d.stats_json = stats.dump();
  t.latencies.push_back(d);
  return t;
}

DeviceInfo info(const std::string& cpu, const std::string& xnnpack, const std::string& id) {
  DeviceInfo i;
  i.cpu_model = cpu;
  i.engine_version = xnnpack;
  i.id = id;
  return i;
}

TEST(DeviceIdentity, TheSameDevicePassesSilently) {
  const std::vector<StoredTrial> trials = {timed_on("pi", "Cortex-A72", "v1", "aa")};
  EXPECT_TRUE(check_device_identity(trials, {{"pi", info("Cortex-A72", "v1", "aa")}}).empty());
}

TEST(DeviceIdentity, AnotherMachineOfTheSameKindIsANote) {
  const std::vector<StoredTrial> trials = {timed_on("pi", "Cortex-A72", "v1", "aa")};
  const std::vector<std::string> notes =
      check_device_identity(trials, {{"pi", info("Cortex-A72", "v1", "bb")}});
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("device pi is another machine of the same kind (id aa then, bb now)"),
            std::string::npos)
      << notes[0];
}

TEST(DeviceIdentity, AnotherKindOfDeviceIsRefusedNamingBoth) {
  // The newest trial decides: the device was upgraded mid-search once, then kept.
  const std::vector<StoredTrial> trials = {timed_on("pi", "Cortex-A53", "v1", "aa"),
                                           timed_on("pi", "Cortex-A72", "v1", "aa")};
  for (const DeviceInfo& now : {info("AMD EPYC", "v1", "aa"), info("Cortex-A72", "v2", "aa")}) {
    try {
      check_device_identity(trials, {{"pi", now}});
      FAIL() << "a resume on " << now.cpu_model << " " << now.engine_version << " passed";
    } catch (const Error& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find("devices.pi: this search's trials were timed on 'Cortex-A72' (xnnpack "
                          "v1), and the device now is '" + now.cpu_model + "' (xnnpack " +
                          now.engine_version + ")"),
                std::string::npos)
          << what;
    }
  }
  EXPECT_TRUE(check_device_identity(trials, {{"pi", info("Cortex-A72", "v1", "aa")}}).empty());
}

TEST(DeviceIdentity, DevicesWithoutAStoredMeasurementPass) {
  StoredTrial old;  // a store from before provenance, and a prediction without one
  old.latencies.push_back(DeviceLatency{"pi", 1, 1, 1, "{}", 0, 0});
  old.latencies.push_back(DeviceLatency{"board", 1, 1, 1, "not json", 0, 0});
  const std::vector<StoredTrial> trials = {old, timed_on("pi", "Cortex-A72", "v1", "aa")};
  EXPECT_TRUE(check_device_identity({old}, {{"pi", info("x", "y", "z")}}).empty());
  // A device added on resume has nothing to compare with; the one that has, is compared.
  EXPECT_TRUE(check_device_identity(trials, {{"phone", info("x", "y", "z")}}).empty());
  EXPECT_THROW(check_device_identity(trials, {{"pi", info("x", "y", "z")}}), Error);
  EXPECT_TRUE(check_device_identity({}, {{"pi", info("x", "y", "z")}}).empty());
}

}  // namespace
}  // namespace mnas
