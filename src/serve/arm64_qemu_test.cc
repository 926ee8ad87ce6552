// The arm64 build of mnas-device (scripts/cross-arm64.sh) under qemu-user on this x86 machine: it
// serves /v1/device and /v1/latency, and its operators have the shapes and multiply-adds of the
// native build's. Timings under emulation mean nothing (500-900x slower): none is compared.
// Neither build links LibTorch or SQLite.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "latency/measure_presets.h"
#include "latency/remote_device.h"
#include "serve/device_process.h"
#include "space/zoo.h"

namespace mnas {
namespace {

const std::string kToken = "arm64-qemu-test-token-0123";

std::string run(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  pclose(pipe);
  return out;
}

bool installed(const char* program) {
  return std::system((std::string("command -v ") + program + " >/dev/null 2>&1").c_str()) == 0;
}

std::string arm64_build() {
  const char* dir = std::getenv("MNAS_ARM64_BUILD");
  return dir ? dir : MNAS_SOURCE_DIR "/build-arm64";
}

std::string sysroot() {
  const char* dir = std::getenv("MNAS_ARM64_SYSROOT");
  return dir ? dir : arm64_build() + "/sysroot";
}

// The libraries a binary asks for: the NEEDED lines of `readelf -d` (it reads any
// architecture), and only those — an address elsewhere in its output may spell "c10".
std::string needed(const std::string& binary) {
  return run("readelf -d " + binary + " 2>&1 | grep NEEDED");
}

TEST(Arm64Device, NeitherBuildLinksLibTorchOrSqlite) {
  for (const std::string& binary :
       {std::string(MNAS_DEVICE_BINARY), arm64_build() + "/mnas-device"}) {
    if (!std::ifstream(binary)) continue;
    const std::string libs = needed(binary);
    ASSERT_NE(libs.find("NEEDED"), std::string::npos) << libs;
    for (const char* banned : {"torch", "c10", "sqlite", "mpi"}) {
      EXPECT_EQ(libs.find(banned), std::string::npos) << binary << " needs " << banned << ":\n"
                                                      << libs;
    }
    EXPECT_NE(libs.find("libXNNPACK"), std::string::npos) << libs;
  }
}

TEST(Arm64Device, ServesUnderQemuWithTheNativeShapesAndMacs) {
  if (!installed("aarch64-linux-gnu-g++") || !installed("qemu-aarch64-static")) {
    GTEST_SKIP() << "no arm64 cross compiler or qemu-user (scripts/setup.sh installs both)";
  }
  if (const char* no = std::getenv("MNAS_NO_ARM64"); no && std::string(no) == "1") {
    GTEST_SKIP() << "MNAS_NO_ARM64=1: the arm64 build was skipped";
  }
  const std::string binary = arm64_build() + "/mnas-device";
  // With the cross compiler installed the arm64 build is expected (scripts/build.sh makes it):
  // a missing one is a failure, not a skip.
  ASSERT_TRUE(std::ifstream(binary).good()) << binary << " is missing; run scripts/cross-arm64.sh";
  EXPECT_NE(run("file -b " + binary).find("ARM aarch64"), std::string::npos);

  testing::DeviceProcess arm64("qemu-aarch64-static -L " + sysroot() + " " + binary, kToken,
                               "arm64");
  testing::DeviceProcess native(MNAS_DEVICE_BINARY, kToken, "native");
  std::printf(
      "arm64 mnas-device under qemu-user: %s\n(timings under emulation mean nothing; "
      "only shapes and multiply-adds are compared)\n",
      arm64.out().c_str());
  RemoteOptions o;
  o.token = kToken;
  o.retries = 2;
  RemoteDevice remote_arm64(arm64.url(), o), remote_native(native.url(), o);
  const DeviceInfo info = remote_arm64.info();
  EXPECT_EQ(info.machine, "aarch64");
  EXPECT_EQ(info.engine, "xnnpack");
  EXPECT_EQ(info.engine_version, remote_native.info().engine_version);
  EXPECT_NE(arm64.out().find("looks emulated"), std::string::npos) << arm64.out();

  const Architecture arch = zoo_model("mnasnet-small", ZooOptions{{28, 28, 1}, 10, 1.0});
  TimingRequest quick;
  quick.protocol = quick_protocol();
  quick.protocol.min_runs = 2;
  const LatencyResult r = remote_arm64.measure(arch, quick);
  EXPECT_GT(r.median_ms, 0);
  EXPECT_EQ(r.provenance.input_shape, "28x28x1");
  EXPECT_EQ(r.provenance.device, arm64.url());

  TimingRequest each = quick;
  each.protocol = operator_profile_protocol(quick.protocol);
  each.protocol.min_runs = 1;
  const std::vector<OperatorTiming> a = remote_arm64.profile(arch, each);
  const std::vector<OperatorTiming> n = remote_native.profile(arch, each);
  ASSERT_EQ(a.size(), n.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].name, n[i].name) << i;
    EXPECT_EQ(a[i].kind, n[i].kind) << i;
    EXPECT_EQ(to_string(a[i].in), to_string(n[i].in)) << a[i].name;
    EXPECT_EQ(to_string(a[i].out), to_string(n[i].out)) << a[i].name;
    EXPECT_EQ(a[i].macs, n[i].macs) << a[i].name;
  }
  const int status = arm64.stop(SIGTERM);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << arm64.err();
}

}  // namespace
}  // namespace mnas
