#include "base/split.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/comma_list.h"
#include "base/error.h"

namespace mnas {
namespace {

using Views = std::vector<std::string_view>;

TEST(Split, KeepsEmptyPartsAndTheWholeTextWithoutSeparators) {
  EXPECT_EQ(split("a,,b", ','), (Views{"a", "", "b"}));
  EXPECT_EQ(split("a_b_", '_'), (Views{"a", "b", ""}));
  EXPECT_EQ(split("", ','), (Views{""}));
  EXPECT_EQ(split("abc", ','), (Views{"abc"}));
}

TEST(CommaList, RefusesEmptyItemsNamingTheField) {
  EXPECT_EQ(comma_list("x,y", "--references"), (std::vector<std::string>{"x", "y"}));
  for (const std::string bad : {"", "a,", ",a", "a,,b"}) {
    try {
      comma_list(bad, "--references");
      ADD_FAILURE() << bad;
    } catch (const Error& e) {
      EXPECT_EQ(std::string(e.what()), "--references: '" + bad + "' has an empty item");
    }
  }
}

}  // namespace
}  // namespace mnas
