#include "latency/measurement.h"

#include <gtest/gtest.h>

#include <thread>

#include "latency/latency_model.h"
#include "space/error.h"
#include "space/zoo.h"

namespace mnas {
namespace {

TEST(Summarize, ComputesTheStatistics) {
  const LatencyStats s = summarize({5, 1, 4, 2, 3, 10, 6, 7, 8, 9});
  EXPECT_EQ(s.runs, 10);
  EXPECT_DOUBLE_EQ(s.min_ms, 1);
  EXPECT_DOUBLE_EQ(s.median_ms, 5.5);
  EXPECT_DOUBLE_EQ(s.mean_ms, 5.5);
  EXPECT_DOUBLE_EQ(s.p90_ms, 9);
  EXPECT_NEAR(s.std_ms, 3.0276503540974917, 1e-12);
  EXPECT_NEAR(s.cv, 3.0276503540974917 / 5.5, 1e-12);
  EXPECT_DOUBLE_EQ(summarize({2, 1, 3}).median_ms, 2);
  EXPECT_DOUBLE_EQ(summarize({7}).p90_ms, 7);
}

MeasureOptions quick() {
  MeasureOptions o;
  o.warmup_runs = 2;
  o.warmup_seconds = 0;
  o.min_runs = 20;
  o.min_seconds = 0;
  o.max_seconds = 5;
  return o;
}

TEST(Measure, RunsAtLeastTheMinimumCountAndWarmsUp) {
  int calls = 0;
  MeasureOptions o = quick();
  o.max_attempts = 1;  // an empty function is all timer noise: no re-measurement here
  const Measurement m = measure([&] { ++calls; }, o);
  EXPECT_EQ(m.stats.runs, 20);
  EXPECT_EQ(calls, 22);
  EXPECT_EQ(m.attempts.size(), 1u);
}

TEST(Measure, StopsAtTheTimeCapEvenBelowTheMinimumCount) {
  MeasureOptions o = quick();
  o.min_runs = 1000000;
  o.max_seconds = 0.05;
  const Measurement m =
      measure([] { std::this_thread::sleep_for(std::chrono::milliseconds(1)); }, o);
  EXPECT_LT(m.stats.runs, 1000);
  EXPECT_GT(m.stats.runs, 5);
}

TEST(Measure, RemeasuresWhenNoisyAndKeepsTheQuietestAttempt) {
  MeasureOptions o = quick();
  o.max_cv = 1e-9;  // nothing is that quiet: every attempt is made
  o.max_attempts = 3;
  int calls = 0;
  const Measurement m = measure(
      [&] { std::this_thread::sleep_for(std::chrono::microseconds(100 + (++calls % 7) * 50)); }, o);
  ASSERT_EQ(m.attempts.size(), 3u);
  for (const LatencyStats& a : m.attempts) EXPECT_GE(a.cv, m.stats.cv);
}

TEST(Measure, BadOptionsAreErrors) {
  const auto bad = [](auto change) {
    MeasureOptions o = quick();
    change(o);
    EXPECT_THROW(validate(o), Error);
  };
  bad([](MeasureOptions& o) { o.min_runs = -5; });
  bad([](MeasureOptions& o) { o.min_runs = 0; });
  bad([](MeasureOptions& o) { o.warmup_runs = -1; });
  bad([](MeasureOptions& o) {
    o.min_seconds = 2;
    o.max_seconds = 1;
  });
  bad([](MeasureOptions& o) { o.max_attempts = 0; });
  bad([](MeasureOptions& o) { o.cpu = 100000; });
  bad([](MeasureOptions& o) { o.cpu = -3; });
  EXPECT_THROW(XnnpackLatency(0), Error);
}

TEST(Measure, PinsToAnAllowedCpu) {
  MeasureOptions o = quick();
  o.cpu = 0;
  cpu_set_t before;
  sched_getaffinity(0, sizeof(before), &before);
  EXPECT_NO_THROW(measure([] {}, o));
  cpu_set_t after;
  sched_getaffinity(0, sizeof(after), &after);
  EXPECT_TRUE(CPU_EQUAL(&before, &after));  // restored
}

TEST(XnnpackLatency, MeasuresWithProvenance) {
  MeasureOptions o = quick();
  XnnpackLatency model(1, o);
  const LatencyResult r =
      model.latency(zoo_model("mnasnet-small", ZooOptions{{64, 64, 3}, 10, 1.0}));
  EXPECT_GT(r.median_ms, 0);
  EXPECT_EQ(r.median_ms, r.measurement.stats.median_ms);
  EXPECT_EQ(r.provenance.engine, "xnnpack");
  EXPECT_EQ(r.provenance.input_shape, "64x64x3");
  EXPECT_FALSE(r.provenance.cpu_model.empty());
  EXPECT_GE(r.provenance.logical_cpus, 1);
  EXPECT_EQ(r.provenance.timestamp.size(), 20u);
}

}  // namespace
}  // namespace mnas
