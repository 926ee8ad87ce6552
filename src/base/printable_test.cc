#include "base/printable.h"

#include <gtest/gtest.h>

#include <string>

namespace mnas {
namespace {

TEST(Printable, ControlCharactersAreEscapedAndLongTextIsCut) {
  EXPECT_EQ(printable("python3 train.py --lr 0.1"), "python3 train.py --lr 0.1");
  EXPECT_EQ(printable("a\x1b[2Jb\r\nc\x7f"), "a\\x1b[2Jb\\x0d\\x0ac\\x7f");
  EXPECT_EQ(printable(std::string("x\0y", 3)), "x\\x00y");
  EXPECT_EQ(printable(std::string(300, 'z'), 10), "zzzzzzzzzz ... (300 bytes)");
  EXPECT_EQ(printable("caf\xc3\xa9"), "caf\xc3\xa9");  // UTF-8 passes
}

}  // namespace
}  // namespace mnas
