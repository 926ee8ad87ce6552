#include "space/architecture.h"

#include <gtest/gtest.h>

#include "base/error.h"
#include "space/layer_plan.h"
#include "space/zoo.h"

namespace mnas {
namespace {

TEST(Architecture, ZooModelsAreValid) {
  for (const std::string& name : zoo_names()) EXPECT_NO_THROW(validate(zoo_model(name))) << name;
}

TEST(Architecture, EqualityCoversEveryField) {
  const Architecture a = zoo_model("mnasnet-a1");
  Architecture b = a;
  EXPECT_EQ(a, b);
  b.blocks[3].se_ratio = 0.25;
  EXPECT_NE(a, b);
  b = a;
  b.dropout = 0.3;
  EXPECT_NE(a, b);
  b = a;
  b.stem_stride = 1;
  EXPECT_NE(a, b);
}

TEST(InputShape, ParsesAndPrints) {
  EXPECT_EQ(parse_input_shape("28x28x1"), (InputShape{28, 28, 1}));
  EXPECT_EQ(to_string(InputShape{224, 192, 3}), "224x192x3");
  EXPECT_THROW(parse_input_shape("28x28"), Error);
  EXPECT_THROW(parse_input_shape("28x28x1x1"), Error);
  EXPECT_THROW(parse_input_shape("0x28x1"), Error);
  EXPECT_THROW(parse_input_shape("28X28X1"), Error);
}

TEST(LayerPlan, OnlyTheFirstLayerOfABlockStridesAndChangesChannels) {
  const NetworkPlan plan = plan_network(zoo_model("mnasnet-a1"));
  EXPECT_EQ(plan.stem_out.height, 112);
  ASSERT_EQ(plan.layers.size(), 16u);
  const LayerPlan& b2l1 = plan.layers[1];
  const LayerPlan& b2l2 = plan.layers[2];
  EXPECT_EQ(b2l1.stride, 2);
  EXPECT_EQ(b2l1.in.channels, 16);
  EXPECT_EQ(b2l1.expanded, 96);
  EXPECT_EQ(b2l1.shortcut, SkipOp::kNone);  // identity cannot apply across a shape change
  EXPECT_EQ(b2l2.stride, 1);
  EXPECT_EQ(b2l2.in.channels, 24);
  EXPECT_EQ(b2l2.shortcut, SkipOp::kIdentity);
  EXPECT_EQ(plan.head_out.height, 7);
  EXPECT_EQ(plan.head_out.channels, 1280);
}

TEST(LayerPlan, SqueezeExciteWidthComesFromTheLayerInput) {
  const NetworkPlan plan = plan_network(zoo_model("mnasnet-a1"));
  const LayerPlan& b3l1 = plan.layers[3];  // 24 → 40, e3, se 0.25
  EXPECT_EQ(b3l1.se_filters, 6);           // ⌊24 · 0.25⌋
  EXPECT_EQ(b3l1.se_channels, 72);         // gates the expanded width
  const LayerPlan& b3l2 = plan.layers[4];
  EXPECT_EQ(b3l2.se_filters, 10);  // ⌊40 · 0.25⌋
}

TEST(LayerPlan, PoolSkipResolvesPerLayer) {
  Architecture a = zoo_model("mobilenetv2");
  a.blocks[1].skip = SkipOp::kPool;  // 16 → 24, stride 2, two layers
  const NetworkPlan plan = plan_network(a);
  EXPECT_EQ(plan.layers[1].shortcut, SkipOp::kPool);
  EXPECT_TRUE(plan.layers[1].shortcut_pools);
  EXPECT_TRUE(plan.layers[1].shortcut_projects);
  EXPECT_EQ(plan.layers[2].shortcut, SkipOp::kIdentity);
  a.blocks[4].skip = SkipOp::kPool;  // 64 → 96 at stride 1: projection without pooling
  const NetworkPlan plan2 = plan_network(a);
  const LayerPlan& b5l1 = plan2.layers[1 + 2 + 3 + 4];
  EXPECT_EQ(b5l1.shortcut, SkipOp::kPool);
  EXPECT_FALSE(b5l1.shortcut_pools);
  EXPECT_TRUE(b5l1.shortcut_projects);
}

TEST(LayerPlan, NoneSkipNeverAddsAShortcut) {
  Architecture a = zoo_model("mobilenetv2");
  for (BlockSpec& b : a.blocks) b.skip = SkipOp::kNone;
  for (const LayerPlan& l : plan_network(a).layers) EXPECT_EQ(l.shortcut, SkipOp::kNone);
}

}  // namespace
}  // namespace mnas
