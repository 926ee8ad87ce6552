#include "table/nb201_table.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "testing/fixtures.h"

namespace mnas {
namespace {

const char* const kCell0 =
    "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~"
    "2|";

TEST(Nb201Table, TheBuiltInTableHoldsThePublishedFigures) {
  const Nb201Table& t = Nb201Table::embedded();
  EXPECT_EQ(t.devices().front(), "pixel3");
  EXPECT_EQ(Nb201Table::cell_string(t.tokens(0)), kCell0);
  const int cifar10 = t.dataset("cifar10");
  EXPECT_NEAR(t.accuracy(cifar10, 0), 85.86, 0.005);
  double best = 0;
  for (int r = 0; r < Nb201Table::kCells; ++r) best = std::max(best, t.accuracy(cifar10, r));
  EXPECT_NEAR(best, 94.37, 0.005);
  EXPECT_NEAR(t.median_latency_ms(t.device("pixel3")), 10.68, 0.005);
  EXPECT_NEAR(t.median_latency_ms(t.device("raspi4")), 25.68, 0.005);
  for (int r = 0; r < Nb201Table::kCells; r += 97) EXPECT_EQ(t.row(t.tokens(r)), r);
  EXPECT_NE(testing::error_of([&] {
              t.device("iphone");
            }).find("unknown device 'iphone'; the table has pixel3, raspi4"),
            std::string::npos);
}

TEST(Nb201Table, CellStringsRoundTripAndBadOnesAreNamed) {
  EXPECT_EQ(Nb201Table::cell_string(Nb201Table::parse_cell(kCell0)), kCell0);
  EXPECT_EQ(Nb201Table::parse_cell(kCell0), (std::vector<int>{4, 2, 1, 2, 1, 1}));
  EXPECT_NE(testing::error_of([] { Nb201Table::parse_cell("|none~0|+|none~0|none~1|"); })
                .find("three nodes"),
            std::string::npos);
  EXPECT_NE(testing::error_of([] {
              Nb201Table::parse_cell("|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|");
            }).find("unknown operation 'conv'"),
            std::string::npos);
  EXPECT_NE(testing::error_of([] {
              Nb201Table::parse_cell("|none~1|+|none~0|none~1|+|none~0|none~1|none~2|");
            }).find("is not op~0"),
            std::string::npos);
  EXPECT_NE(testing::error_of([] { Nb201Table::cell_string({0, 0, 0}); }).find("3 tokens"),
            std::string::npos);
  const DecisionSpace d = Nb201Table::decision_space();
  EXPECT_EQ(d.size(), 6u);
  EXPECT_EQ(d.decisions()[2].name, "edge 2<-1");
}

TEST(Nb201Table, AMalformedTableFileIsRefusedNamingTheLineAndColumn) {
  const std::string header = "index,cell,cifar10,cifar100,imagenet16_120,pixel3\n";
  EXPECT_NE(testing::error_of([&] { Nb201Table::parse_csv("", "t.csv"); }).find("t.csv: empty"),
            std::string::npos);
  EXPECT_NE(testing::error_of([&] { Nb201Table::parse_csv("index,cell,cifar10\n", "t.csv"); })
                .find("t.csv: line 1: the header must be"),
            std::string::npos);
  EXPECT_NE(testing::error_of([&] {
              Nb201Table::parse_csv(header + "0," + kCell0 + ",1,2,3,4\n", "t.csv");
            }).find("1 rows, expected 15625"),
            std::string::npos);
  // A whole table with one bad value: the error names its line and column.
  std::string rows = header;
  const Nb201Table& real = Nb201Table::embedded();
  for (int r = 0; r < Nb201Table::kCells; ++r) {
    rows += std::to_string(r) + "," + Nb201Table::cell_string(real.tokens(r)) + ",90,70,40," +
            (r == 7 ? "-1" : "5") + "\n";
  }
  EXPECT_NE(testing::error_of([&] { Nb201Table::parse_csv(rows, "t.csv"); })
                .find("t.csv: line 9: pixel3: a latency in (0, 1e6) ms expected"),
            std::string::npos);
  const size_t at = rows.find("\n7,") + 1;
  rows.replace(rows.find("-1", at), 2, "5");
  const Nb201Table t = Nb201Table::parse_csv(rows, "t.csv");
  EXPECT_EQ(t.latency_ms(0, 7), 5);
  // The same cell twice.
  std::string twice = rows;
  const size_t line2 = twice.find("\n1,") + 3;
  twice.replace(line2, twice.find(',', line2) - line2, kCell0);
  EXPECT_NE(testing::error_of([&] {
              Nb201Table::parse_csv(twice, "t.csv");
            }).find("the cell of row 0 again"),
            std::string::npos);
}

}  // namespace
}  // namespace mnas
