// The device seam: LocalDevice on this machine, FakeDevice, the wire format's JSON and the keys a
// device accepts from outside.
#include "latency/device.h"
#include "graph/detector_graph.h"

#include <gtest/gtest.h>
#include <cstdint>

#include "latency/fake_device.h"
#include "latency/latency_json.h"
#include "latency/lookup_table.h"
#include "latency/measure_presets.h"
#include "latency/remote_device.h"
#include "space/zoo.h"

namespace mnas {
namespace {

Architecture small_model(const char* name = "mnasnet-small") {
  return zoo_model(name, ZooOptions{{32, 32, 3}, 10, 1.0});
}

template <typename F>
void expect_error_about(const std::string& field, F f) {
  try {
    f();
    ADD_FAILURE() << "no error about " << field;
  } catch (const Error& e) {
    EXPECT_EQ(e.field(), field) << e.what();
  }
}

TimingRequest quick_request() {
  TimingRequest r;
  r.protocol = quick_protocol();
  return r;
}

TEST(LocalDevice, MeasuresWithProvenance) {
  LocalDevice device;
  const LatencyResult r = device.measure(small_model(), quick_request());
  EXPECT_GT(r.median_ms, 0);
  EXPECT_EQ(r.median_ms, r.measurement.stats.median_ms);
  EXPECT_EQ(r.provenance.device, "local");
  EXPECT_EQ(r.provenance.device_id, device.info().id);
  EXPECT_EQ(r.provenance.engine, "xnnpack");
  EXPECT_EQ(r.provenance.input_shape, "32x32x3");
  EXPECT_FALSE(r.provenance.cpu_model.empty());
  EXPECT_GE(r.provenance.logical_cpus, 1);
  EXPECT_EQ(r.provenance.timestamp.size(), 20u);
  TimingRequest bad = quick_request();
  bad.threads = 0;
  EXPECT_THROW(device.measure(small_model(), bad), Error);
}

TEST(LocalDevice, TimesInt8AndSaysSo) {
  LocalDevice device;
  TimingRequest int8 = quick_request();
  int8.precision = Precision::kInt8;
  const LatencyResult r = device.measure(small_model(), int8);
  EXPECT_GT(r.median_ms, 0);
  EXPECT_EQ(r.provenance.precision, Precision::kInt8);
  EXPECT_EQ(device.measure(small_model(), quick_request()).provenance.precision, Precision::kFp32);
  const PairedLatency p = device.measure_paired(small_model(), small_model("mobilenetv2"), int8);
  EXPECT_EQ(p.reference.provenance.precision, Precision::kInt8);
  // An int8 profile: every operator, in int8.
  EXPECT_EQ(device.profile(small_model(), int8).size(),
            lower_architecture(small_model()).ops.size());
  // Lookup-table entries too: each part's int8 network.
  const std::vector<std::string> keys = LookupTable::keys(small_model());
  const std::vector<LutEntryTiming> entries = device.measure_lut_entries(keys, int8);
  ASSERT_EQ(entries.size(), keys.size());
  for (const LutEntryTiming& e : entries) EXPECT_GT(e.median_ms, 0) << e.key;
}

TEST(LocalDevice, TimesADetectorAndSaysSo) {
  LocalDevice device;
  TimingRequest detector = quick_request();
  detector.detector_categories = 10;
  const LatencyResult r = device.measure(small_model(), detector);
  EXPECT_GT(r.median_ms, 0);
  EXPECT_EQ(r.provenance.detector_categories, 10);
  EXPECT_EQ(device.measure(small_model(), quick_request()).provenance.detector_categories, 0);
  EXPECT_EQ(provenance_from_json(provenance_json(r.provenance), "p").detector_categories, 10);
  EXPECT_FALSE(provenance_json(device.measure(small_model(), quick_request()).provenance)
                   .contains("detector_categories"));  // a classifier's records as before
  // Every operator of the detector's graph, in its profile; int8 too.
  EXPECT_EQ(device.profile(small_model(), detector).size(),
            lower_detector(small_model(), 10).ops.size());
  detector.precision = Precision::kInt8;
  EXPECT_EQ(device.measure(small_model(), detector).provenance.precision, Precision::kInt8);
  // Lookup-table entries are a classifier's parts; out-of-range categories are refused.
  expect_error_about("task", [&] {
    device.measure_lut_entries(LookupTable::keys(small_model()), detector);
  });
  detector.detector_categories = -1;
  expect_error_about("detector_categories", [&] { device.measure(small_model(), detector); });
  // A fake device times the detector's work too: more than the classifier's.
  FakeDevice fake;
  TimingRequest ten = quick_request();
  ten.detector_categories = 10;
  EXPECT_GT(fake.latency_ms(small_model(), ten), fake.latency_ms(small_model()));
}

TEST(LocalDevice, IdentityIsStable) {
  const DeviceInfo a = local_device_info(), b = local_device_info();
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.id.size(), 16u);
  EXPECT_FALSE(a.machine.empty());
  EXPECT_FALSE(a.mnas_version.empty());
}

TEST(LocalDevice, PairsProfilesAndTimesLookupTableEntries) {
  LocalDevice device;
  const PairedLatency p =
      device.measure_paired(small_model(), small_model("mobilenetv2"), quick_request());
  EXPECT_GT(p.candidate.median_ms, 0);
  EXPECT_GT(p.reference.median_ms, 0);
  EXPECT_EQ(p.reference.provenance.input_shape, "32x32x3");

  const std::vector<OperatorTiming> ops = device.profile(small_model(), quick_request());
  EXPECT_EQ(ops.size(), lower_architecture(small_model()).ops.size());

  const std::vector<std::string> keys = LookupTable::keys(small_model());
  const std::vector<LutEntryTiming> timed =
      device.measure_lut_entries({keys.front(), keys[1], keys.back()}, quick_request());
  ASSERT_EQ(timed.size(), 3u);
  EXPECT_EQ(timed[2].key, keys.back());
  for (const LutEntryTiming& t : timed) EXPECT_GT(t.median_ms, 0);
}

TEST(LookupTableKeys, CostMatchesTheGraphAndHostileKeysAreErrors) {
  for (const std::string& key : LookupTable::keys(small_model("mnasnet-a1"))) {
    const Graph g = lut_entry_graph(key);
    int64_t macs = 0;
    for (const GraphOp& op : g.ops) macs += operator_macs(g, op);
    // The graph counts the SE multiply-adds the same way; pooling and additions count nothing.
    EXPECT_EQ(lut_entry_cost(key).macs, macs) << key;
  }
  const std::string good = LookupTable::keys(small_model()).at(1);
  for (const std::string& bad : std::vector<std::string>{
           "", "layer", "stem", "tail in=1x1x1", "layer mbconv e6 k3 s1 in=8x8x16 o=16 se=0",
           "layer mbconv e6 k4 s1 in=8x8x16 o=16 se=0 skip=none",
           "layer mbconv e6 k3 s1 in=8x8x16 o=99999999999 se=0 skip=none",
           "layer mbconv e6 k3 s1 in=8x8x-16 o=16 se=0 skip=none",
           "layer mbconv e6 k3 s1 in=8x8 o=16 se=0 skip=none",
           "layer mbconv e6 k3 s1 in=08x8x16 o=16 se=0 skip=none",
           "layer mbconv e6 k3 s1 in=8x8x16 o=16 se=0 skip=none trailing",
           "stem in=2048x2048x65 o=32 s2", "tail in=4x4x16 head=0 classes=10", good + " ",
           std::string(600, 'x')}) {
    EXPECT_THROW(lut_entry_graph(bad), Error) << bad;
    EXPECT_THROW(lut_entry_cost(bad), Error) << bad;
  }
  EXPECT_NO_THROW(lut_entry_graph(good));
}

TEST(FakeDevice, DriftsForPlainMeasurementsButNotForRatios) {
  FakeDevice::Options o;
  o.drift = 0.01;  // 1% slower after every measurement
  FakeDevice device(o);
  const Architecture a = small_model(), ref = small_model("mobilenetv2");
  const double first = device.measure(a, quick_request()).median_ms;
  for (int i = 0; i < 20; ++i) device.measure(a, quick_request());
  EXPECT_GT(device.measure(a, quick_request()).median_ms, 1.2 * first);
  const PairedLatency p1 = device.measure_paired(a, ref, quick_request());
  for (int i = 0; i < 20; ++i) device.measure(a, quick_request());
  const PairedLatency p2 = device.measure_paired(a, ref, quick_request());
  EXPECT_DOUBLE_EQ(p1.candidate.median_ms / p1.reference.median_ms,
                   p2.candidate.median_ms / p2.reference.median_ms);
  device.fail_next(1);
  EXPECT_THROW(device.measure(a, quick_request()), DeviceUnreachable);
  EXPECT_NO_THROW(device.measure(a, quick_request()));
}

TEST(DeviceJson, RoundTripsAndNamesBadFields) {
  FakeDevice device;
  const LatencyResult r = device.measure(small_model(), quick_request());
  const LatencyResult back = latency_result_from_json(latency_json(r), "answer");
  EXPECT_EQ(back.median_ms, r.median_ms);
  EXPECT_EQ(back.provenance.device_id, "fake");
  EXPECT_EQ(back.measurement.attempts.size(), 1u);
  nlohmann::json broken = latency_json(r);
  broken["provenance"]["threads"] = "one";
  try {
    latency_result_from_json(broken, "device X");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("device X.provenance.threads", 0), 0u) << e.what();
  }
  // The precision: written, read back, fp32 when absent (before int8), refused when unknown.
  LatencyResult int8 = r;
  int8.provenance.precision = Precision::kInt8;
  EXPECT_EQ(latency_result_from_json(latency_json(int8), "a").provenance.precision,
            Precision::kInt8);
  nlohmann::json old = latency_json(int8);
  old["provenance"].erase("precision");
  EXPECT_EQ(latency_result_from_json(old, "a").provenance.precision, Precision::kFp32);
  old["provenance"]["precision"] = "int4";
  EXPECT_THROW(latency_result_from_json(old, "a"), Error);
  broken = latency_json(r);
  broken["median_ms"] = -1;
  EXPECT_THROW(latency_result_from_json(broken, "x"), Error);
  broken.erase("median_ms");
  EXPECT_THROW(latency_result_from_json(broken, "x"), Error);

  const DeviceInfo info = local_device_info();
  EXPECT_EQ(device_info_from_json(device_info_json(info), "x").id, info.id);
  const std::vector<OperatorTiming> ops = device.profile(small_model(), quick_request());
  EXPECT_EQ(operators_from_json(operators_json(ops), "x").size(), ops.size());
  // What no device answers: a 10 MB CPU name, no operators or 10,001, a shape past 2^31 values.
  nlohmann::json huge_name = device_info_json(info);
  huge_name["cpu_model"] = std::string(10 << 20, 'x');
  EXPECT_THROW(device_info_from_json(huge_name, "x"), Error);
  EXPECT_THROW(operators_from_json(nlohmann::json::array(), "x"), Error);
  nlohmann::json many = nlohmann::json::array();
  const nlohmann::json one = operators_json(ops)[0];
  for (int i = 0; i < 10001; ++i) many.push_back(one);
  EXPECT_THROW(operators_from_json(many, "x"), Error);
  nlohmann::json wide = operators_json(ops);
  wide[0]["output"] = "65536x65536x64";
  try {
    operators_from_json(wide, "x");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("more than 2^31 values"), std::string::npos) << e.what();
  }
}

TEST(DeviceJson, ProtocolsByPresetOrFields) {
  EXPECT_EQ(protocol_from_json("search", "p").min_runs, search_trial_protocol().min_runs);
  const MeasureOptions o = protocol_from_json({{"preset", "quick"}, {"min_runs", 7}}, "p");
  EXPECT_EQ(o.min_runs, 7);
  EXPECT_EQ(o.max_attempts, 1);
  const MeasureOptions round_trip = protocol_from_json(protocol_json(o), "p");
  EXPECT_EQ(round_trip.min_runs, 7);
  EXPECT_DOUBLE_EQ(round_trip.max_seconds, o.max_seconds);
  for (const nlohmann::json& bad :
       {nlohmann::json("fastest"), nlohmann::json({{"min_runs", 0}}),
        nlohmann::json({{"max_seconds", -1}}), nlohmann::json({{"runs", 5}}),
        nlohmann::json({{"min_runs", "5"}}), nlohmann::json(5)}) {
    try {
      protocol_from_json(bad, "protocol");
      FAIL() << bad;
    } catch (const Error& e) {
      EXPECT_EQ(std::string(e.what()).rfind("protocol", 0), 0u) << e.what();
    }
  }
}

TEST(MeasurePresets, EveryNamedPresetIsValid) {
  for (const std::string& name : measure_preset_names()) {
    EXPECT_NO_THROW(validate(measure_preset(name))) << name;
    EXPECT_GT(worst_case_seconds(measure_preset(name)), 0);
  }
  EXPECT_THROW(measure_preset("nope"), Error);
  EXPECT_DOUBLE_EQ(latency_command_protocol().max_cv, 0.03);
  EXPECT_EQ(operator_profile_protocol(latency_command_protocol()).max_attempts, 1);
}

TEST(RemoteDevice, RefusesMalformedUrlsAndTokens) {
  for (const char* bad : {"board:8765", "ftp://x", "http://", "http://host:1/path", "http://a b"}) {
    EXPECT_THROW(RemoteDevice{bad}, Error) << bad;
  }
  EXPECT_NO_THROW(RemoteDevice{"http://127.0.0.1:1/"});
  try {
    RemoteDevice{"http://admin:s3cret@127.0.0.1:1"};
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("user name or password"), std::string::npos);
    EXPECT_EQ(std::string(e.what()).find("s3cret"), std::string::npos) << e.what();
  }
  EXPECT_THROW(resolve_device_token("/nonexistent/token"), Error);
}

TEST(RemoteDevice, AnUnreachableServerIsReportedAsSuch) {
  RemoteOptions o;
  o.retries = 1;
  o.backoff_seconds = 0.01;
  RemoteDevice device("http://127.0.0.1:9", o);  // discard port: nothing listens
  try {
    device.info();
    FAIL();
  } catch (const DeviceUnreachable& e) {
    EXPECT_NE(std::string(e.what()).find("http://127.0.0.1:9"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("2 tries"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace mnas
