#include "space/cost_model.h"

#include <gtest/gtest.h>
#include <cstdint>

#include "base/error.h"

namespace mnas {
namespace {

Architecture one_block(BlockSpec block, InputShape input = {8, 8, 3}) {
  Architecture a;
  a.input = input;
  a.stem_filters = 8;
  a.stem_stride = 1;
  a.blocks = {block};
  a.head_filters = 16;
  a.classes = 10;
  return a;
}

// Stem 3→8 on 8×8 (k3): 216 + 16 params, 216·64 MACs. Head 1×1 C→16 + BN. Classifier 16·10 + 10.
int64_t fixed_params(int last_channels, int head_hw) {
  (void)head_hw;
  return (216 + 16) + (last_channels * 16 + 32) + (160 + 10);
}
int64_t fixed_macs(int last_channels, int head_hw) {
  return 216 * 64 + int64_t{last_channels} * 16 * head_hw * head_hw + 160;
}

TEST(CostModel, RegularConvCountsWeightsAndBatchNorm) {
  const CostReport r =
      estimate_cost(one_block(make_block(ConvOp::kConv, 1, 3, 2, 1, 16, 0, SkipOp::kNone)));
  // conv 3×3 8→16 at 4×4 output: 1152 weights + 32 BN; 1152·16 MACs.
  EXPECT_EQ(r.params, 1152 + 32 + fixed_params(16, 4));
  EXPECT_EQ(r.macs, 1152 * 16 + fixed_macs(16, 4));
  ASSERT_EQ(r.layers.size(), 4u);
  EXPECT_EQ(r.layers[1].out.height, 4);
}

TEST(CostModel, DepthwiseSeparableWithSqueezeExcite) {
  const CostReport r =
      estimate_cost(one_block(make_block(ConvOp::kDconv, 1, 5, 1, 1, 16, 0.25, SkipOp::kNone)));
  // depthwise 5×5 on 8: 200 + 16; SE on 8 channels, width max(1, ⌊8·0.25⌋) = 2: 8·2+2 + 2·8+8;
  // pointwise 8→16: 128 + 32.
  const int64_t block_params = 200 + 16 + (16 + 2 + 16 + 8) + 128 + 32;
  const int64_t block_macs = 200 * 64 + 2 * 16 + 128 * 64;
  EXPECT_EQ(r.params, block_params + fixed_params(16, 8));
  EXPECT_EQ(r.macs, block_macs + fixed_macs(16, 8));
}

TEST(CostModel, InvertedBottleneckExpandsAtInputResolution) {
  const CostReport r =
      estimate_cost(one_block(make_block(ConvOp::kMbconv, 2, 3, 2, 6, 8, 0, SkipOp::kIdentity)));
  // layer 1: 8→48 expand at 8×8, dw 3×3 at 4×4, project 48→8. layer 2 the same at 4×4.
  const int64_t layer_params = (384 + 96) + (432 + 96) + (384 + 16);
  const int64_t l1_macs = 384 * 64 + 432 * 16 + 384 * 16;
  const int64_t l2_macs = 384 * 16 + 432 * 16 + 384 * 16;
  EXPECT_EQ(r.params, 2 * layer_params + fixed_params(8, 4));
  EXPECT_EQ(r.macs, l1_macs + l2_macs + fixed_macs(8, 4));
  EXPECT_EQ(r.layers[1].description, "mbconv k3 e6 /2");
  EXPECT_EQ(r.layers[2].description, "mbconv k3 e6 +identity");
}

TEST(CostModel, PoolSkipProjectsWhenChannelsChange) {
  const CostReport with_pool =
      estimate_cost(one_block(make_block(ConvOp::kConv, 1, 3, 2, 1, 16, 0, SkipOp::kPool)));
  const CostReport without =
      estimate_cost(one_block(make_block(ConvOp::kConv, 1, 3, 2, 1, 16, 0, SkipOp::kNone)));
  EXPECT_EQ(with_pool.params - without.params, 8 * 16 + 32);  // 1×1 conv 8→16 + BN
  EXPECT_EQ(with_pool.macs - without.macs, 8 * 16 * 16);      // at the 4×4 output
  // Shape kept: the pool shortcut is the identity and costs nothing.
  const CostReport kept =
      estimate_cost(one_block(make_block(ConvOp::kConv, 1, 3, 1, 1, 8, 0, SkipOp::kPool)));
  EXPECT_EQ(kept.layers[1].description, "conv k3 +identity");
}

TEST(CostModel, TotalsAreTheSumOfRows) {
  const CostReport r =
      estimate_cost(one_block(make_block(ConvOp::kMbconv, 3, 5, 2, 3, 24, 0.5, SkipOp::kPool)));
  int64_t params = 0, macs = 0;
  for (const LayerCost& l : r.layers) {
    params += l.params;
    macs += l.macs;
  }
  EXPECT_EQ(params, r.params);
  EXPECT_EQ(macs, r.macs);
}

TEST(CostModel, OddSizesRoundUpLikeSamePadding) {
  const CostReport r = estimate_cost(
      one_block(make_block(ConvOp::kConv, 1, 3, 2, 1, 16, 0, SkipOp::kNone), {7, 5, 1}));
  EXPECT_EQ(r.layers[1].out.height, 4);
  EXPECT_EQ(r.layers[1].out.width, 3);
}

TEST(CostModel, HugeArchitectureIsAnErrorNotAnOverflow) {
  Architecture a =
      one_block(make_block(ConvOp::kConv, 32, 7, 1, 1, 8192, 0, SkipOp::kNone), {2048, 2048, 3});
  a.stem_filters = 8192;
  for (int i = 0; i < 31; ++i) a.blocks.push_back(a.blocks[0]);
  EXPECT_THROW(estimate_cost(a), Error);
}

}  // namespace
}  // namespace mnas
