#include "report/architecture_svg.h"

#include <gtest/gtest.h>

#include "space/zoo.h"
#include "testing/fixtures.h"

namespace mnas {
namespace {

int count(const std::string& text, const std::string& what) {
  return testing::count_of(text, what);
}

// MnasNet-A1 as the paper's Figure 7 draws it: its blocks, their repeats and feature maps.
TEST(ArchitectureSvg, DrawsMnasNetA1BlockByBlock) {
  const std::string svg = architecture_svg(zoo_model("mnasnet-a1"), "MnasNet-A1 <paper>");
  EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
  EXPECT_NE(svg.find("<title>MnasNet-A1 &lt;paper&gt;</title>"), std::string::npos);
  EXPECT_NE(svg.find(">SepConv (k3×3), no skip</text>"), std::string::npos);
  EXPECT_NE(svg.find(">MBConv6 (k3×3), s2  ×2</text>"), std::string::npos);
  EXPECT_NE(svg.find(">MBConv3 (k5×5), SE, s2  ×3</text>"), std::string::npos);
  EXPECT_NE(svg.find(">MBConv6 (k5×5), SE, s2  ×3</text>"), std::string::npos);
  for (const char* map : {"112×112×32", "112×112×16", "56×56×24", "28×28×40", "14×14×80",
                          "14×14×112", "7×7×160", "7×7×320", "7×7×1280", "1000 classes"}) {
    EXPECT_NE(svg.find(std::string(">") + map + "</text>"), std::string::npos) << map;
  }
  EXPECT_EQ(count(svg, "<rect x="), 7 + 3);  // the blocks, the stem, the head, the classifier
  EXPECT_NE(svg.find("3.89M parameters, 311.58M multiply-adds at 224×224"), std::string::npos);
}

}  // namespace
}  // namespace mnas
