#include "report/svg_chart.h"
#include "testing/fixtures.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace mnas {
namespace {

int count(const std::string& text, const std::string& what) {
  return testing::count_of(text, what);
}

TEST(NiceTicks, StepsAreOneTwoOrFiveTimesAPowerOfTen) {
  const auto expect_ticks = [](const std::vector<double>& got, const std::vector<double>& want) {
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-12) << i;
  };
  expect_ticks(nice_ticks(0, 1, 5), {0, 0.2, 0.4, 0.6, 0.8, 1.0});
  expect_ticks(nice_ticks(0.13, 0.52, 4), {0.2, 0.3, 0.4, 0.5});
  expect_ticks(nice_ticks(-3, 1234, 6), {0, 500, 1000});  // raw step 206 rounds up to 500
  EXPECT_EQ(nice_ticks(2, 2).size(), 1u);  // an empty range gives one tick, not a loop
  EXPECT_EQ(nice_ticks(std::nan(""), 1).size(), 1u);
}

TEST(EscapeXml, EscapesMarkupCharacters) {
  EXPECT_EQ(escape_xml("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&#39;");
  EXPECT_EQ(escape_xml("plain"), "plain");
}

TEST(SvgChart, DrawsEverySeriesAndSkipsNonFiniteValues) {
  SvgChart chart("Title <1>", "x", "y");
  const double nan = std::numeric_limits<double>::quiet_NaN();
  chart.add_points({1, 2, 3, nan}, {1, 4, 9, 2}, "#00f", 3, {"one", "two & three", "", "bad"});
  chart.add_crosses({2}, {5}, "#f00");
  chart.add_line({1, 2, 3}, {1, 2, 3}, "#0f0");
  chart.add_vertical_line(2.5, "#808", "T = 2.5 ms");
  chart.add_labelled_marker(1.5, 6, "mobilenetv2", "#000");
  chart.add_legend("trials", "#00f");
  const std::string svg = chart.render();
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  EXPECT_EQ(count(svg, "<circle"), 3);  // the NaN point is left out
  for (const char* part :
       {"<title>two &amp; three</title>", "Title &lt;1&gt;", "T = 2.5 ms", ">mobilenetv2</text>"}) {
    EXPECT_NE(svg.find(part), std::string::npos) << part;
  }
  for (const char* absent : {"nan", "inf"}) EXPECT_EQ(svg.find(absent), std::string::npos);
}

TEST(SvgChart, PointsOutsideAFixedRangeAreLeftOut) {
  SvgChart chart("t", "x", "y");
  chart.add_points({0, 5, 10}, {0, 5, 10}, "#000");
  chart.set_x_range(1, 9);
  chart.set_y_range(1, 9);
  EXPECT_EQ(count(chart.render(), "<circle"), 1);
}

TEST(SvgChart, BarsStandOnZeroAndAnEmptyChartStillRenders) {
  SvgChart bars("h", "ms", "trials");
  bars.add_bars({0, 1, 2, 3}, {2, 0, 5}, "#00f");
  const std::string svg = bars.render();
  EXPECT_EQ(count(svg, "<rect x=\"") - 2, 2);  // background + frame, then one per non-empty bin
  SvgChart empty("e", "x", "y");
  EXPECT_NE(empty.render().find("</svg>"), std::string::npos);
}

// A reference's label goes where it covers no point: here not to the right of its marker, where
// the trials crowd.
TEST(SvgChart, AMarkersLabelCoversNoPoint) {
  SvgChart chart("t", "x", "y", 600, 400);
  std::vector<double> xs, ys;
  for (int i = 0; i < 40; ++i) {
    xs.push_back(1.02 + 0.01 * i);
    ys.push_back(5 + 0.01 * (i % 3));
  }
  chart.add_points(xs, ys, "#00f");
  chart.add_labelled_marker(1.0, 5.0, "mnasnet-small", "#222");
  chart.set_x_range(0.5, 1.5);
  chart.set_y_range(4, 6);
  const std::string svg = chart.render();
  const size_t at = svg.find(">mnasnet-small</text>");
  ASSERT_NE(at, std::string::npos);
  const size_t open = svg.rfind("<text", at);
  const double lx = std::stod(svg.substr(svg.find("x=\"", open) + 3));
  const double ly = std::stod(svg.substr(svg.find("y=\"", open) + 3));
  const double w = 6.8 * 13;
  int covered = 0;
  for (size_t c = svg.find("<circle"); c != std::string::npos; c = svg.find("<circle", c + 1)) {
    const double cx = std::stod(svg.substr(svg.find("cx=\"", c) + 4));
    const double cy = std::stod(svg.substr(svg.find("cy=\"", c) + 4));
    covered += cx > lx && cx < lx + w && cy > ly - 11 && cy < ly + 2;
  }
  EXPECT_EQ(covered, 0) << svg;
}

}  // namespace
}  // namespace mnas
