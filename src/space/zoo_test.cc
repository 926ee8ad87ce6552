#include "space/zoo.h"

#include <gtest/gtest.h>

#include "base/error.h"
#include "space/architecture_codec.h"
#include "space/cost_model.h"

namespace mnas {
namespace {

// Published and torchvision figures at 224x224x3, 1000 classes (shared/reference-models.md).
TEST(Zoo, MnasNetA1MatchesReferenceCounts) {
  const CostReport cost = estimate_cost(zoo_model("mnasnet-a1"));
  EXPECT_EQ(cost.params, 3887038);
  EXPECT_NEAR(static_cast<double>(cost.macs), 311.6e6, 311.6e6 * 0.005);
}

TEST(Zoo, MnasNetB1MatchesTorchvision) {
  const CostReport cost = estimate_cost(zoo_model("mnasnet-b1"));
  EXPECT_EQ(cost.params, 4383312);  // torchvision mnasnet1_0
  EXPECT_EQ(cost.macs, 314415872);  // counted on torchvision mnasnet1_0 with forward hooks
  EXPECT_NEAR(static_cast<double>(cost.macs), 314.4e6, 314.4e6 * 0.005);
}

TEST(Zoo, MobileNetV2MatchesTorchvision) {
  const CostReport cost = estimate_cost(zoo_model("mobilenetv2"));
  EXPECT_EQ(cost.params, 3504872);
  EXPECT_GE(cost.params, 3470000);
  EXPECT_LE(cost.params, 3510000);
  EXPECT_NEAR(static_cast<double>(cost.macs), 300e6, 300e6 * 0.01);
  EXPECT_EQ(zoo_model("mobilenetv2-1.0"), zoo_model("mobilenetv2"));
}

TEST(Zoo, MobileNetV2WidthMultiplier14MatchesTorchvision) {
  const Architecture arch = zoo_model("mobilenetv2-1.4");
  EXPECT_EQ(arch.stem_filters, 48);
  EXPECT_EQ(arch.head_filters, 1792);  // MobileNetV2 widens its head above 1.0
  const CostReport cost = estimate_cost(arch);
  EXPECT_EQ(cost.params, 6108776);  // torchvision mobilenet_v2(width_mult=1.4)
  EXPECT_NEAR(static_cast<double>(cost.macs), 585e6, 585e6 * 0.01);
}

TEST(Zoo, MnasNetSmallMatchesPublishedFigures) {
  const Architecture arch = zoo_model("mnasnet-small");
  EXPECT_EQ(arch.blocks[0].filters, 8);
  EXPECT_EQ(arch.dropout, 0.0);
  const CostReport cost = estimate_cost(arch);
  EXPECT_NEAR(static_cast<double>(cost.params), 2.03e6, 2.03e6 * 0.005);
  EXPECT_NEAR(static_cast<double>(cost.macs), 68e6, 68e6 * 0.01);
}

TEST(Zoo, OptionsSetInputClassesAndMultiplier) {
  ZooOptions options;
  options.input = {28, 28, 1};
  options.classes = 10;
  const Architecture arch = zoo_model("mnasnet-a1", options);
  EXPECT_EQ(arch.input, (InputShape{28, 28, 1}));
  EXPECT_EQ(arch.classes, 10);
  EXPECT_EQ(arch.head_filters, 1280);
  EXPECT_EQ(arch.stem_stride, 1);  // the small-input preset
  EXPECT_EQ(zoo_model("mnasnet-a1", ZooOptions{{65, 65, 3}, 10, 1.0}).stem_stride, 2);
  options.multiplier = 0.5;
  EXPECT_EQ(zoo_model("mnasnet-a1", options).head_filters, 1280);  // MnasNet keeps its head
  EXPECT_EQ(zoo_model("mnasnet-a1", options).stem_filters, 16);
}

TEST(Zoo, EveryModelRoundTripsThroughBothCodecs) {
  for (const std::string& name : zoo_names()) {
    SCOPED_TRACE(name);
    const Architecture arch = zoo_model(name);
    EXPECT_EQ(parse_architecture_string(to_canonical_string(arch)), arch);
    EXPECT_EQ(parse_architecture_json(to_json_string(arch)), arch);
  }
}

TEST(Zoo, UnknownNameListsTheKnownOnes) {
  try {
    zoo_model("mnasnet-c1");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("mnasnet-a1"), std::string::npos) << e.what();
  }
  EXPECT_THROW(zoo_model("mnasnet-a1", ZooOptions{{224, 224, 3}, 1000, 0.0}), Error);
  EXPECT_THROW(zoo_model("mnasnet-a1", ZooOptions{{224, 224, 3}, 0, 1.0}), Error);
}

}  // namespace
}  // namespace mnas
