#include "devices/open_device.h"

#include <gtest/gtest.h>

#include "base/error.h"
#include "testing/fixtures.h"

namespace mnas {
namespace {

TEST(OpenDevice, EveryKindFromItsSpecAndAClearErrorOtherwise) {
  DeviceAccess access;
  EXPECT_EQ(open_device("local", access, "", "--device")->location(), "local");
  EXPECT_EQ(open_device("cmd:echo hi", access, "", "--device")->location(), "cmd:echo hi");
  EXPECT_EQ(open_device("http://127.0.0.1:9", access, "", "--device")->location(),
            "http://127.0.0.1:9");
  EXPECT_NE(testing::error_of([&] { open_device("board", access, "", "--device"); })
                .find("--device: 'board' is not a device"),
            std::string::npos);
  EXPECT_NE(testing::error_of([&] { open_device("cmd:", access, "phone", "devices.phone"); })
                .find("devices.phone: cmd: needs a command"),
            std::string::npos);
  EXPECT_NE(testing::error_of([&] { open_device("http://u:p@host:1", access, "", "--device"); })
                .rfind("--device: ", 0),
            std::string::npos);
}

TEST(OpenDevice, ADeviceGetsItsOwnTokenElseTheCommonOne) {
  DeviceAccess access;
  access.token = "common-token-0123456789";
  access.tokens["board"] = "board-token-0123456789";
  EXPECT_EQ(access.token_for("board"), "board-token-0123456789");
  EXPECT_EQ(access.token_for("phone"), "common-token-0123456789");
}

}  // namespace
}  // namespace mnas
