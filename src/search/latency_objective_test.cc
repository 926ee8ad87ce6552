// The latency half of a trial, on fake devices: ratios against a target timed alongside or fixed,
// several devices in one reward, what the store keeps, and a device that goes away mid-search.
#include "search/latency_objective.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "latency/fake_device.h"
#include "latency/lookup_table.h"
#include "latency/measure_presets.h"
#include "search/scoring.h"
#include "search/search_fixtures.h"
#include "search/search_loop.h"
#include "search/strategy_factory.h"
#include "search/synthetic_surrogate.h"
#include "space/zoo.h"
#include "testing/fixtures.h"

namespace mnas {
namespace {

LatencyObjective::Target target(const std::string& name, std::shared_ptr<Device> device,
                                const SearchSpace& space, const std::string& model = "mobilenetv2",
                                double target_ms = 0) {
  LatencyObjective::Target t;
  t.objective.name = name;
  t.objective.url = "http://fake/" + name;
  t.objective.target = model;
  t.objective.target_ms = target_ms;
  t.device = std::move(device);
  if (target_ms <= 0) std::tie(t.factor, t.reference) = target_model(model, space);
  return t;
}

std::string temp_store(const std::string& name) {
  return testing::fresh_path("objective_test", name);
}

TEST(LatencyObjective, RatiosAgainstATargetTimedAlongsideHoldWhileTheDeviceDrifts) {
  const SearchSpace space = SearchConfig::default_space();
  FakeDevice::Options drifting;
  drifting.drift = 0.02;  // 2% slower after every measurement
  auto device = std::make_shared<FakeDevice>(drifting);
  LatencyObjective objective({target("a", device, space, "0.5x:mobilenetv2")},
                             {1, quick_protocol()});
  std::mt19937_64 rng(1);
  const Architecture arch = space.sample(rng);
  const DeviceLatency first = objective.measure(arch).at(0);
  for (int i = 0; i < 30; ++i) objective.measure(arch);
  const DeviceLatency later = objective.measure(arch).at(0);
  EXPECT_GT(later.latency_ms, 1.5 * first.latency_ms);  // the plain latency drifted
  EXPECT_DOUBLE_EQ(later.ratio, first.ratio);           // the ratio did not
  const Architecture mobilenet = target_model("mobilenetv2", space).second;
  EXPECT_NEAR(first.target_ms, 0.5 * device->latency_ms(mobilenet) / std::pow(1.02, 32), 1e-12);
  EXPECT_NEAR(first.ratio, first.latency_ms / first.target_ms, 1e-12);
  const nlohmann::json stats = nlohmann::json::parse(first.stats_json);
  EXPECT_EQ(stats["stat"], "median");
  EXPECT_TRUE(stats.contains("candidate"));
  EXPECT_TRUE(stats.contains("reference"));
  EXPECT_EQ(stats["target"], "0.5x:mobilenetv2");
}

TEST(LatencyObjective, SeveralDevicesFixedTargetsAndOneReward) {
  const SearchSpace space = SearchConfig::default_space();
  FakeDevice::Options slow;
  slow.ms_per_gmac = 40;
  auto a = std::make_shared<FakeDevice>(), b = std::make_shared<FakeDevice>(slow);
  LatencyObjective objective({target("a", a, space), target("b", b, space, "", 2.0)},
                             {1, quick_protocol()});
  std::mt19937_64 rng(2);
  const Architecture arch = space.sample(rng);
  const std::vector<DeviceLatency> l = objective.measure(arch);
  ASSERT_EQ(l.size(), 2u);
  EXPECT_EQ(l[1].device, "b");
  EXPECT_DOUBLE_EQ(l[1].target_ms, 2.0);
  EXPECT_DOUBLE_EQ(l[1].ratio, b->latency_ms(arch) / 2.0);
  // The reward multiplies one term per device.
  Evaluation e;
  e.accuracy = 0.8;
  e.latencies = l;
  const RewardOptions soft = RewardOptions::soft(1.0);
  const double expected =
      0.8 * std::pow(l[0].ratio, l[0].ratio <= 1 ? -0.07 : -0.07) * std::pow(l[1].ratio, -0.07);
  EXPECT_NEAR(score(e, soft, 0).reward, expected, 1e-12);
  const RewardOptions hard = RewardOptions::hard(1.0);
  const double hard_expected =
      0.8 * (l[0].ratio <= 1 ? 1.0 : 1.0 / l[0].ratio) * (l[1].ratio <= 1 ? 1.0 : 1.0 / l[1].ratio);
  EXPECT_NEAR(score(e, hard, 0).reward, hard_expected, 1e-12);
  // As the store keeps them, and back.
  const std::vector<DeviceLatency> back = decode_latencies(encode_latencies(l), "trial 1");
  ASSERT_EQ(back.size(), 2u);
  EXPECT_DOUBLE_EQ(back[1].ratio, l[1].ratio);
  EXPECT_EQ(nlohmann::json::parse(back[0].stats_json), nlohmann::json::parse(l[0].stats_json));
  EXPECT_THROW(decode_latencies(R"({"devices": [{"device": "a", "latency_ms": -1,
      "target_ms": 1, "ratio": 1}]})",
                                "trial 9"),
               Error);
  EXPECT_THROW(decode_latencies("{\"devices\": 3}", "trial 9"), Error);
  EXPECT_TRUE(decode_latencies("{\"median_ms\": 1}", "old trial").empty());
}

// Each device is timed in its own precision, its reference T too.
TEST(LatencyObjective, EachDeviceTimesInItsPrecision) {
  const SearchSpace space = SearchConfig::default_space();
  auto a = std::make_shared<FakeDevice>(), b = std::make_shared<FakeDevice>();
  LatencyObjective::Target int8 = target("a", a, space);
  int8.objective.precision = "int8";
  LatencyObjective objective({int8, target("b", b, space, "", 2.0)}, {1, quick_protocol()});
  std::mt19937_64 rng(3);
  const std::vector<DeviceLatency> l = objective.measure(space.sample(rng));
  ASSERT_EQ(l.size(), 2u);
  const nlohmann::json sa = nlohmann::json::parse(l[0].stats_json);
  const nlohmann::json sb = nlohmann::json::parse(l[1].stats_json);
  EXPECT_EQ(sa["candidate"]["provenance"]["precision"], "int8");
  EXPECT_EQ(sa["reference"]["provenance"]["precision"], "int8");
  EXPECT_EQ(sb["candidate"]["provenance"]["precision"], "fp32");
}

TEST(LatencyObjective, TheP90IsUsedWhenAsked) {
  const SearchSpace space = SearchConfig::default_space();
  // A device whose p90 is twice its median.
  class Skewed : public FakeDevice {
   public:
    PairedLatency measure_paired(const Architecture& c, const Architecture& r,
                                 const TimingRequest& q) override {
      PairedLatency p = FakeDevice::measure_paired(c, r, q);
      p.candidate.measurement.stats.p90_ms = 2 * p.candidate.median_ms;
      return p;
    }
  };
  auto device = std::make_shared<Skewed>();
  LatencyObjective::Target t = target("a", device, space);
  t.objective.latency_stat = "p90";
  LatencyObjective objective({t}, {1, quick_protocol()});
  std::mt19937_64 rng(3);
  const Architecture arch = space.sample(rng);
  const DeviceLatency l = objective.measure(arch).at(0);
  EXPECT_DOUBLE_EQ(l.latency_ms, 2 * device->latency_ms(arch));
}

TEST(LatencyObjective, ARefusedMeasurementFailsTheTrialAnUnreachableDeviceStopsTheSearch) {
  const SearchSpace space = SearchConfig::default_space();
  const std::string path = temp_store("pause");
  auto a = std::make_shared<FakeDevice>(), b = std::make_shared<FakeDevice>();
  LatencyObjective objective({target("a", a, space), target("b", b, space)}, {1, quick_protocol()});
  SyntheticSurrogate evaluator(space, 3);
  SearchOptions o = soft_search(12, 4, 1.0);
  {
    Store store(path);
    auto strategy = make_strategy("evolution", space, 1);
    int done = 0;
    EXPECT_THROW(run_search(
                     store, *strategy, evaluator, space, o,
                     [&](const SearchProgress&) {
                       if (++done == 6) b->fail_next(1000);  // b goes away after trial 6
                     },
                     &objective),
                 DeviceUnreachable);
    EXPECT_EQ(store.trial_count(), 6);  // nothing lost, nothing half-written
    for (const StoredTrial& t : store.trials()) {
      EXPECT_EQ(t.status, "done");
      ASSERT_EQ(t.latencies.size(), 2u);
    }
  }
  b->fail_next(0);  // b is back: resume
  {
    Store store(path);
    auto strategy = make_strategy("evolution", space, 1);
    run_search(store, *strategy, evaluator, space, o, nullptr, &objective);
    const std::vector<StoredTrial> trials = store.trials();
    ASSERT_EQ(trials.size(), 12u);
    std::set<std::pair<int, int>> keys;
    for (const StoredTrial& t : trials) EXPECT_TRUE(keys.insert({t.step, t.index}).second);
  }
  // The same search uninterrupted gives the same store.
  const std::string again = temp_store("again");
  {
    Store resumed(path), straight(again);
    auto strategy = make_strategy("evolution", space, 1);
    run_search(straight, *strategy, evaluator, space, o, nullptr, &objective);
    const std::vector<StoredTrial> x = resumed.trials(), y = straight.trials();
    ASSERT_EQ(x.size(), y.size());
    for (size_t i = 0; i < x.size(); ++i) {
      EXPECT_EQ(x[i].canonical, y[i].canonical);
      EXPECT_DOUBLE_EQ(x[i].reward, y[i].reward);
    }
  }
  // A device that refuses a measurement fails that trial, naming the device; the search goes on.
  class Refusing : public FakeDevice {
   public:
    PairedLatency measure_paired(const Architecture&, const Architecture&,
                                 const TimingRequest&) override {
      throw Error("architecture: too large for this device");
    }
  };
  LatencyObjective refusing(
      {target("a", a, space), target("c", std::make_shared<Refusing>(), space)},
      {1, quick_protocol()});
  std::mt19937_64 rng(4);
  const Evaluation e = evaluate_trial(evaluator, &refusing, space.sample(rng));
  EXPECT_FALSE(e.ok);
  EXPECT_EQ(e.failure, "latency on device c: architecture: too large for this device");
  for (const std::string& p : {path, again}) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((p + suffix).c_str());
  }
}

// With a lookup table, a model outside its space (a zoo reference at another stem width) is
// measured on the table's device with T alongside, instead of failing ("no entry for ..."), and
// the candidates inside the table are still predicted.
TEST(LatencyObjective, AModelOutsideTheTableIsMeasuredOnItsDeviceNotDropped) {
  const SearchSpace space = SearchConfig::default_space();
  auto device = std::make_shared<FakeDevice>();
  auto table = std::make_shared<LookupTable>(space, 1, device->info());
  table->build(*device, quick_protocol(), "", nullptr);
  LatencyObjective::Target t = target("a", device, space);
  t.table = table;
  LatencyObjective objective({t}, {1, quick_protocol()});
  std::mt19937_64 rng(1);
  const Architecture inside = space.sample(rng);
  const DeviceLatency predicted = objective.measure(inside).at(0);
  EXPECT_FALSE(nlohmann::json::parse(predicted.stats_json).contains("outside_table"));
  EXPECT_NEAR(predicted.latency_ms, table->predict_ms(inside), 1e-9);
  ZooOptions zoo;
  zoo.input = {28, 28, 1};
  zoo.classes = 10;
  const Architecture small = zoo_model("mnasnet-small", zoo);
  ASSERT_FALSE(table->covers(small));
  const DeviceLatency measured = objective.measure(small).at(0);
  EXPECT_TRUE(nlohmann::json::parse(measured.stats_json)["outside_table"].get<bool>());
  const Architecture mobilenet = target_model("mobilenetv2", space).second;
  EXPECT_NEAR(measured.ratio, device->latency_ms(small) / device->latency_ms(mobilenet), 1e-6);
}

// A table predicts one precision: a device of the other one is refused, naming the device's field.
TEST(LatencyObjective, ATableOfAnotherPrecisionIsRefused) {
  const SearchSpace space = SearchConfig::default_space();
  auto device = std::make_shared<FakeDevice>();
  LookupTable table(space, 1, device->info());  // fp32
  table.build(*device, quick_protocol(), "", nullptr);
  const std::string path = temp_store("fp32_table.json");
  table.save(path);
  SearchConfig config;
  config.latency = "lut:" + path;
  config.devices[0].precision = "int8";
  try {
    make_latency_objective(config, {});
    FAIL() << "an fp32 table for an int8 device was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.field(), "devices.local.precision");
    EXPECT_NE(
        std::string(e.what()).find("int8: the lookup table " + path + " predicts fp32 latency"),
        std::string::npos)
        << e.what();
  }
  std::remove(path.c_str());
}

}  // namespace
}  // namespace mnas
