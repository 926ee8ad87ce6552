// The cmd: device: a user's command times the exported ONNX file, here OpenCV DNN (opencv_timer);
// every way a command can fail is an error that says why, with the command's own last words.
#include "export/command_device.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <string>

#include "base/error.h"
#include "base/subprocess.h"
#include "space/zoo.h"

namespace mnas {
namespace {

const Architecture kSmall = zoo_model("mnasnet-small", ZooOptions{{32, 32, 3}, 10, 1.0});

TimingRequest one_thread() { return TimingRequest{}; }

std::string error_of(CommandDevice& device, const Architecture& arch) {
  try {
    device.measure(arch, one_thread());
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "the measurement did not fail";
  return "";
}

// The folders of failed measurements are kept for the user to look into: here under one folder
// that the test removes.
class WorkRoot : public ::testing::Environment {
 public:
  static const std::string& path() {
    static const std::string p = make_temp_folder("", "mnas_command_device_test_");
    return p;
  }
  void TearDown() override { remove_tree(path()); }
};
const auto* const kWorkRoot = ::testing::AddGlobalTestEnvironment(new WorkRoot);

CommandDevice device_for(const std::string& command, double timeout = 60) {
  CommandDeviceOptions o;
  o.command = command;
  o.timeout_seconds = timeout;
  o.work_root = WorkRoot::path();
  return CommandDevice(o);
}

TEST(CommandDevice, TimesTheExportedModelWithTheUsersRuntime) {
  CommandDevice device = device_for(std::string(OPENCV_TIMER) + " {model} {input} 5");
  const LatencyResult r = device.measure(kSmall, one_thread());
  EXPECT_GT(r.median_ms, 0);
  EXPECT_EQ(r.measurement.stats.runs, 5);
  EXPECT_GE(r.measurement.stats.p90_ms, r.measurement.stats.median_ms);
  EXPECT_EQ(r.provenance.device, device.location());
  EXPECT_EQ(r.provenance.engine, "command");
  EXPECT_EQ(r.provenance.input_shape, "32x32x3");
  EXPECT_EQ(device.info().id,
            device_for(std::string(OPENCV_TIMER) + " {model} {input} 5").info().id);
  // A larger network takes longer on the same runtime.
  const LatencyResult big =
      device.measure(zoo_model("mnasnet-a1", ZooOptions{{96, 96, 3}, 10, 1.0}), one_thread());
  EXPECT_GT(big.median_ms, r.median_ms);
  const PairedLatency p = device.measure_paired(kSmall, kSmall, one_thread());
  EXPECT_GT(p.candidate.median_ms, 0);
  EXPECT_GT(p.reference.median_ms, 0);
}

TEST(CommandDevice, PlaceholdersAndEnvironment) {
  // The command checks what it was given and fails (status 9) if anything is off.
  CommandDevice device = device_for(
      "test -s {model} && test \"$MNAS_MODEL\" = {model} && test {input} = 1,3,32,32 && "
      "test \"$MNAS_INPUT\" = 1,3,32,32 && test {threads} = 1 && test \"$PWD\" = {dir} && "
      "echo 'runtime says hello' && echo '{\"median_ms\": 2.5, \"runs\": 3}' || exit 9");
  const LatencyResult r = device.measure(kSmall, one_thread());
  EXPECT_DOUBLE_EQ(r.median_ms, 2.5);
  EXPECT_EQ(r.measurement.stats.runs, 3);
}

TEST(CommandDevice, EveryFailureSaysWhy) {
  CommandDevice crashes = device_for("echo 'adb: device offline' >&2; exit 3");
  std::string e = error_of(crashes, kSmall);
  EXPECT_NE(e.find("exited with status 3"), std::string::npos) << e;
  EXPECT_NE(e.find("adb: device offline"), std::string::npos) << e;
  EXPECT_NE(e.find("is kept"), std::string::npos) << e;

  CommandDevice hangs = device_for("echo 'waiting forever'; sleep 30", 0.5);
  e = error_of(hangs, kSmall);
  EXPECT_NE(e.find("ran past its timeout of 0.5 s"), std::string::npos) << e;

  CommandDevice garbage = device_for("echo 'Average inference timings in us: Warmup: 5'");
  e = error_of(garbage, kSmall);
  EXPECT_NE(e.find("no result line"), std::string::npos) << e;
  EXPECT_NE(e.find("Average inference timings"), std::string::npos) << e;

  CommandDevice negative = device_for("echo '{\"median_ms\": -1}'");
  e = error_of(negative, kSmall);
  EXPECT_NE(e.find("median_ms must be a number of milliseconds > 0"), std::string::npos) << e;

  CommandDevice killed = device_for("kill -SEGV $$");
  e = error_of(killed, kSmall);
  EXPECT_NE(e.find("signal 11"), std::string::npos) << e;

  EXPECT_THROW(crashes.profile(kSmall, one_thread()), Error);
  EXPECT_THROW(crashes.measure_lut_entries({"x"}, one_thread()), Error);
}

TEST(CommandDevice, ParsesTheLastResultLine) {
  LatencyStats s = parse_device_command_output(
      "loading\n{\"median_ms\": 1}\nprogress {not json\n{\"median_ms\": 3.5, \"p90_ms\": 4}\n\n");
  EXPECT_DOUBLE_EQ(s.median_ms, 3.5);
  EXPECT_DOUBLE_EQ(s.p90_ms, 4);
  EXPECT_DOUBLE_EQ(s.mean_ms, 3.5);
  EXPECT_EQ(s.runs, 1);
  EXPECT_THROW(parse_device_command_output(""), Error);
  EXPECT_THROW(parse_device_command_output("{\"mean_ms\": 2}"), Error);
  EXPECT_THROW(parse_device_command_output("{\"median_ms\": \"fast\"}"), Error);
  EXPECT_THROW(parse_device_command_output("{\"median_ms\": 1, \"runs\": 0.5}"), Error);
  EXPECT_THROW(parse_device_command_output("{\"median_ms\": 1, \"p90_ms\": -2}"), Error);
  EXPECT_THROW(parse_device_command_output("{\"median_ms\": 1e999}"), Error);
  // Values no device measures, refused before anything is printed or stored.
  for (const char* bad : {"{\"median_ms\": 1e300}", "{\"median_ms\": 1e-300}",
                          "{\"median_ms\": \"5\"}", "{\"median_ms\": 2, \"p90_ms\": 1}",
                          "{\"median_ms\": 2, \"min_ms\": 3}"}) {
    EXPECT_THROW(parse_device_command_output(bad), Error) << bad;
  }
  try {
    parse_device_command_output("{\"median_ms\": 1e300, \"note\": \"\\u001b[2J\"}");
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("not a plausible latency"), std::string::npos);
    EXPECT_EQ(std::string(e.what()).find('\x1b'), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace mnas
