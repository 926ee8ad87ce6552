// Predicted latency checked while the search runs: a table calibrated on a device 20% faster
// than the one the search runs on is caught, warned about and refit; the refit survives a resume.
#include "search/latency_check.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "latency/fake_device.h"
#include "latency/measure_presets.h"
#include "search/search_fixtures.h"
#include "search/search_loop.h"
#include "search/strategy_factory.h"
#include "search/synthetic_surrogate.h"
#include "store/trial_latencies.h"
#include "testing/fixtures.h"

namespace mnas {
namespace {

using mnas::testing::tiny_space;

// A table built and calibrated on a fake device of `ms_per_gmac`.
std::shared_ptr<LookupTable> table_of(double ms_per_gmac) {
  FakeDevice::Options o;
  o.ms_per_gmac = ms_per_gmac;
  FakeDevice device(o);
  auto table = std::make_shared<LookupTable>(tiny_space(), 1, device.info());
  table->build(device, quick_protocol(), "", nullptr);
  table->calibrate(device, 8, 1, quick_protocol(), nullptr);
  return table;
}

// The search's one device: predicted by `table`, confirmed on `device`, T fixed at 1 ms.
std::unique_ptr<LatencyObjective> objective_of(std::shared_ptr<LookupTable> table,
                                               std::shared_ptr<Device> device) {
  LatencyObjective::Target t;
  t.objective.name = "local";
  t.objective.target_ms = 1.0;
  t.table = std::move(table);
  t.device = std::move(device);
  std::vector<LatencyObjective::Target> targets;
  targets.push_back(std::move(t));
  return std::make_unique<LatencyObjective>(std::move(targets),
                                            TimingRequest{1, quick_protocol()});
}

std::string temp_store(const std::string& name) {
  return testing::fresh_path("latency_check_test", name);
}

struct SearchRun {
  std::vector<std::string> warnings;
  int measured = 0;
};

SearchRun search(Store& store, LatencyObjective& objective, int trials, double share) {
  const SearchSpace space = tiny_space();
  SyntheticSurrogate evaluator(space, 1);
  auto strategy = make_strategy("random", space, 3);
  LatencyCheckOptions options;
  options.confirm_share = share;
  LatencyCheck check(objective, options, 3);
  SearchRun run;
  SearchOptions o = soft_search(trials, 4, 1.0);
  o.latency_check = &check;
  o.warn = [&](const std::string& w) { run.warnings.push_back(w); };
  run_search(store, *strategy, evaluator, space, o, nullptr, &objective);
  run.measured = check.measured();
  return run;
}

TEST(LatencyCheck, ATableFromA20PercentFasterDeviceIsDetectedWarnedAboutAndRefit) {
  auto device = std::make_shared<FakeDevice>();  // 10 ms per GMAC
  auto table = table_of(8.0);                    // calibrated where everything is 20% faster
  auto objective = objective_of(table, device);
  const std::string path = temp_store("drift");
  Store store(path, Store::Mode::kCreate);
  const SearchRun run = search(store, *objective, 40, 0.25);

  ASSERT_EQ(run.warnings.size(), 1u);
  EXPECT_NE(run.warnings[0].find("drifted"), std::string::npos) << run.warnings[0];
  const std::vector<StoredCalibration> refits = store.latency_calibrations();
  ASSERT_EQ(refits.size(), 1u);
  EXPECT_EQ(refits[0].device, "local");
  EXPECT_NEAR(refits[0].bias, -0.2, 0.03);  // predictions 20% short of the measurements
  EXPECT_EQ(refits[0].samples, LatencyCheck::kMinSamples);
  EXPECT_DOUBLE_EQ(table->calibration().scale, refits[0].scale);

  // Before the refit the predictions were 20% short; after it they agree with the device.
  const std::vector<StoredTrial> trials = store.trials();
  std::vector<double> before, after;
  for (const StoredTrial& t : trials) {
    const DeviceLatency& l = t.latencies.at(0);
    if (l.measured_ms <= 0) continue;
    (t.id <= refits[0].after_trials ? before : after).push_back(l.latency_ms / l.measured_ms);
  }
  ASSERT_EQ(static_cast<int>(before.size()), LatencyCheck::kMinSamples);
  ASSERT_GE(after.size(), 3u);
  for (double r : before) EXPECT_NEAR(r, 0.8, 0.05);
  for (double r : after) EXPECT_NEAR(r, 1.0, 0.05);
  EXPECT_EQ(static_cast<size_t>(run.measured), before.size() + after.size());

  // Every trial on the front was measured; some off it too (the random share), not all.
  for (const StoredTrial& t : pareto_front(trials)) EXPECT_GT(t.latencies.at(0).measured_ms, 0);
  EXPECT_LT(run.measured, 40);
  const std::vector<PredictionError> errors = prediction_errors(trials);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].measured, run.measured);
  EXPECT_NEAR(errors[0].bias, 0, 0.05);  // most measurements came after the refit
  std::remove(path.c_str());
}

TEST(LatencyCheck, AResumedSearchGoesOnWithTheRefitCalibration) {
  auto device = std::make_shared<FakeDevice>();
  const std::string path = temp_store("resume");
  double refit_scale = 0;
  {
    auto table = table_of(8.0);
    auto objective = objective_of(table, device);
    Store store(path, Store::Mode::kCreate);
    ASSERT_EQ(search(store, *objective, 20, 0.25).warnings.size(), 1u);
    refit_scale = table->calibration().scale;
  }
  auto table = table_of(8.0);  // the file's calibration again, as a new process reads it
  EXPECT_NE(table->calibration().scale, refit_scale);
  auto objective = objective_of(table, device);
  Store store(path, Store::Mode::kWrite);
  const SearchRun run = search(store, *objective, 40, 0.25);
  EXPECT_DOUBLE_EQ(table->calibration().scale, refit_scale);  // restored from the store
  EXPECT_TRUE(run.warnings.empty());                          // no drift left to find
  EXPECT_EQ(store.latency_calibrations().size(), 1u);
  EXPECT_EQ(store.trial_count(), 40);
  std::remove(path.c_str());
}

TEST(LatencyCheck, AnAccurateTableIsLeftAlone) {
  auto device = std::make_shared<FakeDevice>();
  auto objective = objective_of(table_of(10.0), device);
  const std::string path = temp_store("accurate");
  Store store(path, Store::Mode::kCreate);
  const SearchRun run = search(store, *objective, 24, 1.0);
  EXPECT_TRUE(run.warnings.empty());
  EXPECT_EQ(run.measured, 24);  // a share of 1: every trial measured
  EXPECT_TRUE(store.latency_calibrations().empty());
  std::remove(path.c_str());
}

TEST(TrialLatencies, KeepAConfirmingMeasurementAndValidateIt) {
  DeviceLatency d;
  d.device = "local";
  d.latency_ms = 1.0;
  d.target_ms = 2.0;
  d.ratio = 0.5;
  d.measured_ms = 1.25;
  d.measured_target_ms = 2.5;
  const std::vector<DeviceLatency> back = decode_latencies(encode_latencies({d}), "trial 1");
  ASSERT_EQ(back.size(), 1u);
  EXPECT_DOUBLE_EQ(back[0].measured_ms, 1.25);
  EXPECT_DOUBLE_EQ(back[0].measured_target_ms, 2.5);
  d.measured_ms = 0;
  EXPECT_DOUBLE_EQ(decode_latencies(encode_latencies({d}), "t")[0].measured_ms, 0);
  EXPECT_THROW(decode_latencies(R"({"devices": [{"device": "a", "latency_ms": 1, "target_ms": 1,
      "ratio": 1, "measured_ms": -1, "measured_target_ms": 1}]})",
                                "trial 2"),
               Error);
  EXPECT_THROW(decode_latencies(R"({"devices": [{"device": "a", "latency_ms": 1, "target_ms": 1,
      "ratio": 1, "measured_ms": 1}]})",
                                "trial 3"),
               Error);
}

}  // namespace
}  // namespace mnas
