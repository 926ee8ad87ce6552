#include "space/scaling.h"

#include <gtest/gtest.h>

#include <cmath>

#include "base/error.h"
#include "space/cost_model.h"
#include "space/zoo.h"

namespace mnas {
namespace {

TEST(RoundFilters, FollowsTheReferenceRule) {
  EXPECT_EQ(round_filters(32), 32);
  EXPECT_EQ(round_filters(32 * 1.4), 48);   // 44.8 → 48
  EXPECT_EQ(round_filters(16 * 1.4), 24);   // 22.4 → 24
  EXPECT_EQ(round_filters(16 * 0.75), 16);  // 12 → 16 (rounds half up)
  EXPECT_EQ(round_filters(24 * 0.75), 24);  // 18 → 16 is below 90% of 18, so 24
  EXPECT_EQ(round_filters(40 * 0.5), 24);   // 20 → 24
  EXPECT_EQ(round_filters(3), 8);           // never below the divisor
  EXPECT_EQ(round_filters(1280 * 1.4), 1792);
}

// tensorflow/tpu README figures for MnasNet-A1 at 224²: parameters as published (to 0.1M),
// multiply-adds within 3%.
TEST(ScaleDepth, MnasNetA1MultipliersMatchPublishedParameterCounts) {
  const struct {
    double multiplier;
    double params;
    double macs;
  } published[] = {
      {1.4, 6.1e6, 591.5e6}, {0.75, 2.9e6, 226.7e6}, {0.5, 2.1e6, 105.2e6}, {0.35, 1.7e6, 63.2e6}};
  for (const auto& p : published) {
    SCOPED_TRACE(p.multiplier);
    ZooOptions options;
    options.multiplier = p.multiplier;
    const CostReport cost = estimate_cost(zoo_model("mnasnet-a1", options));
    EXPECT_DOUBLE_EQ(std::round(static_cast<double>(cost.params) / 1e5) * 1e5, p.params);
    EXPECT_NEAR(static_cast<double>(cost.macs), p.macs, p.macs * 0.03);
  }
}

TEST(ScaleDepth, KeepsHeadUnlessAsked) {
  const Architecture a1 = zoo_model("mnasnet-a1");
  EXPECT_EQ(scale_depth(a1, 2.0).head_filters, 1280);
  EXPECT_EQ(scale_depth(a1, 2.0, true).head_filters, 2560);
  EXPECT_EQ(scale_depth(a1, 0.5, true).head_filters, 1280);  // never below the original
  EXPECT_EQ(scale_depth(a1, 1.0), a1);
}

TEST(ScaleDepth, RejectsBadMultipliers) {
  const Architecture a1 = zoo_model("mnasnet-a1");
  EXPECT_THROW(scale_depth(a1, 0.0), Error);
  EXPECT_THROW(scale_depth(a1, -1.0), Error);
  EXPECT_THROW(scale_depth(a1, 5.0), Error);
  EXPECT_THROW(scale_depth(a1, std::nan("")), Error);
}

}  // namespace
}  // namespace mnas
