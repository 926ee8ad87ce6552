#include "latency/measurement.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <string>
#include <thread>

#include "base/error.h"
#include "base/stop.h"
#include "latency/latency_result.h"
#include "space/zoo.h"
#include "testing/fixtures.h"

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

TEST(Implausible, RealStatisticsPassAndFaultsAreNamed) {
  const LatencyStats real = summarize({1.0, 1.2, 0.9, 1.1, 5.0});
  EXPECT_EQ(implausible(real), "");
  const auto with = [&](auto change) {
    LatencyStats s = real;
    change(s);
    return implausible(s);
  };
  EXPECT_NE(with([](LatencyStats& s) { s.median_ms = 0; }).find("median 0 ms"), std::string::npos);
  EXPECT_NE(with([](LatencyStats& s) { s.median_ms = 1e-300; }).find("not a plausible latency"),
            std::string::npos);
  EXPECT_NE(with([](LatencyStats& s) { s.p90_ms = 1e300; }).find("p90"), std::string::npos);
  EXPECT_NE(with([](LatencyStats& s) { s.min_ms = 3; }).find("contradict themselves"),
            std::string::npos);
  EXPECT_NE(with([](LatencyStats& s) { s.runs = 0; }).find("at least one run"),
            std::string::npos);
  EXPECT_NE(with([](LatencyStats& s) { s.cv = std::nan(""); }), "");
  LatencyStats attempt;  // an attempt's summary: median and runs only
  attempt.median_ms = 2;
  attempt.runs = 10;
  EXPECT_EQ(implausible(attempt, true), "");
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

TEST(Measure, AStopScopesFlagEndsAMeasurementAtItsNextRun) {
  std::atomic<bool> stop{false};
  const StopScope scope(stop);
  MeasureOptions o = quick();
  o.min_runs = 1000000;
  o.max_seconds = 60;
  int calls = 0;
  const std::string message = mnas::testing::error_of([&] {
    measure([&] { stop = ++calls == 10; }, o);  // raised by the 10th run, seen after it
  });
  EXPECT_NE(message.find("stopped"), std::string::npos) << message;
  EXPECT_EQ(calls, 10);
  stop = false;
  EXPECT_NO_THROW(check_stop());
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
  bad([](MeasureOptions& o) { o.warmup_seconds = 1e308; });  // not silently capped
  // For another machine (a remote device), a CPU this one lacks is that machine's to judge.
  MeasureOptions remote = quick();
  remote.cpu = 100000;
  EXPECT_NO_THROW(validate(remote, false));
  remote.cpu = -3;
  EXPECT_THROW(validate(remote, false), Error);
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

TEST(MeasureInterleaved, AlternatesAndKeepsBothStatistics) {
  std::string order;
  MeasureOptions o = quick();
  o.warmup_runs = 1;
  o.max_attempts = 1;
  const PairedMeasurement m = measure_interleaved([&] { order += 'a'; }, [&] { order += 'b'; }, o);
  EXPECT_EQ(m.first.stats.runs, 20);
  EXPECT_EQ(m.second.stats.runs, 20);
  ASSERT_EQ(order.size() % 2, 0u);
  for (size_t i = 0; i < order.size(); i += 2) ASSERT_EQ(order.substr(i, 2), "ab") << order;
  EXPECT_EQ(order.size(), 2u * (1 + 20));  // one warm-up round, twenty timed rounds
}

TEST(MeasureInterleaved, ARatioSurvivesAMachineThatSlowsDown) {
  // b takes twice as long as a; the machine slows down 3x half-way through the measurement. On a
  // fake clock that the runs advance, so that how busy this machine is cannot change the answer.
  double now = 0;
  int rounds = 0;
  MeasureOptions o = quick();
  o.min_runs = 40;
  o.max_attempts = 1;
  o.warmup_runs = 0;
  o.warmup_seconds = 0;
  o.min_seconds = 0;
  const PairedMeasurement m = measure_interleaved(
      [&] { now += rounds < 20 ? 200e-6 : 600e-6; },
      [&] { now += rounds++ < 20 ? 400e-6 : 1200e-6; }, o, [&] { return now; });
  EXPECT_EQ(m.first.stats.runs, 40);
  EXPECT_NEAR(m.second.stats.median_ms / m.first.stats.median_ms, 2.0, 1e-9);
  // Timed one after the other instead (a before the slowdown, b after it), the ratio is 6x.
  const double a_alone = measure([&] { now += 200e-6; }, o, [&] { return now; }).stats.median_ms;
  const double b_alone = measure([&] { now += 1200e-6; }, o, [&] { return now; }).stats.median_ms;
  EXPECT_NEAR(b_alone / a_alone, 6.0, 1e-9);
}

TEST(CpuModel, NamesX86ArmBoardsAndPhones) {
  EXPECT_EQ(cpu_model_from("processor\t: 0\nmodel name\t: AMD EPYC 9B45\nflags\t: fpu\n", ""),
            "AMD EPYC 9B45");
  const std::string pi4 =
      "processor\t: 0\nBogoMIPS\t: 108.00\nCPU implementer\t: 0x41\nCPU architecture: 8\n"
      "CPU part\t: 0xd08\n\nprocessor\t: 1\nCPU implementer\t: 0x41\nCPU part\t: 0xd08\n";
  EXPECT_EQ(cpu_model_from(pi4, std::string("Raspberry Pi 4 Model B Rev 1.4\0", 32)),
            "Raspberry Pi 4 Model B Rev 1.4 (ARM Cortex-A72)");
  EXPECT_EQ(cpu_model_from(pi4, ""), "ARM Cortex-A72");
  const std::string phone =
      "processor\t: 0\nCPU implementer\t: 0x41\nCPU part\t: 0xd05\nprocessor\t: 4\n"
      "CPU implementer\t: 0x41\nCPU part\t: 0xd0b\nprocessor\t: 5\nCPU implementer\t: 0x41\n"
      "CPU part\t: 0xd0b\nHardware\t: Qualcomm Technologies, Inc SM8150\n";
  EXPECT_EQ(cpu_model_from(phone, ""),
            "Qualcomm Technologies, Inc SM8150 (ARM Cortex-A55 + ARM Cortex-A76)");
  EXPECT_EQ(cpu_model_from("CPU implementer\t: 0x99\nCPU part\t: 0x123\n", ""),
            "ARM core 0x99/0x123");
  EXPECT_EQ(cpu_model_from("", ""), "unknown");
  EXPECT_EQ(cpu_model_from("", "Some Board"), "Some Board");
}

}  // namespace
}  // namespace mnas
