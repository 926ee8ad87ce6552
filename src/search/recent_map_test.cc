#include "search/recent_map.h"

#include <string>

#include <gtest/gtest.h>

namespace mnas {
namespace {

TEST(RecentMap, KeepsTheKeysSetMostRecently) {
  RecentMap<int> m(2);
  m.set("a", 1);
  m.set("b", 2);
  m.set("a", 3);  // a is now newer than b
  m.set("c", 4);  // b, the oldest, goes
  EXPECT_EQ(m.size(), 2u);
  EXPECT_EQ(m.find("b"), nullptr);
  ASSERT_NE(m.find("a"), nullptr);
  EXPECT_EQ(*m.find("a"), 3);
  ASSERT_NE(m.find("c"), nullptr);
  EXPECT_EQ(*m.find("c"), 4);
  m.erase("a");
  m.erase("absent");
  EXPECT_EQ(m.find("a"), nullptr);
  EXPECT_EQ(m.size(), 1u);
  for (int i = 0; i < 1000; ++i) m.set(std::to_string(i), i);
  EXPECT_EQ(m.size(), 2u);
  EXPECT_EQ(*m.find("999"), 999);
}

}  // namespace
}  // namespace mnas
