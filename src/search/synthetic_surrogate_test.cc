#include "search/synthetic_surrogate.h"

#include <gtest/gtest.h>

#include <random>

#include "space/scaling.h"
#include "space/zoo.h"

namespace mnas {
namespace {

TEST(SyntheticSurrogate, IsDeterministicAndSeeded) {
  const SearchSpace space;
  SyntheticSurrogate a(space, 1), b(space, 1), c(space, 2);
  std::mt19937_64 rng(5);
  int differ = 0;
  for (int i = 0; i < 200; ++i) {
    const Architecture arch = space.sample(rng);
    const Evaluation ea = a.evaluate(arch);
    ASSERT_TRUE(ea.ok);
    EXPECT_EQ(ea.accuracy, b.evaluate(arch).accuracy);
    EXPECT_EQ(ea.latency_ms, b.evaluate(arch).latency_ms);
    EXPECT_GE(ea.accuracy, 0.0);
    EXPECT_LE(ea.accuracy, 1.0);
    EXPECT_GT(ea.latency_ms, 0.0);
    differ += ea.accuracy != c.evaluate(arch).accuracy;
  }
  EXPECT_GT(differ, 190);
  EXPECT_EQ(a.name(), "synthetic-surrogate");
}

TEST(SyntheticSurrogate, AccuracyAndLatencyRiseWithCapacity) {
  const SearchSpace space;
  SyntheticSurrogate s(space, 3);
  const Architecture base = space.skeleton_architecture();
  const Architecture wide = scale_depth(base, 2.0);
  const Architecture thin = scale_depth(base, 0.5);
  EXPECT_GT(s.accuracy(wide), s.accuracy(base));
  EXPECT_GT(s.accuracy(base), s.accuracy(thin));
  EXPECT_GT(s.latency_ms(wide), s.latency_ms(base));
  EXPECT_GT(s.latency_ms(base), s.latency_ms(thin));
  // Diminishing returns: doubling from base gains less than halving loses.
  EXPECT_LT(s.accuracy(wide) - s.accuracy(base), s.accuracy(base) - s.accuracy(thin));
}

TEST(SyntheticSurrogate, DepthwiseIsSlowerPerMultiplyAdd) {
  const SearchSpace space;
  SyntheticSurrogate s(space, 3);
  Architecture a = space.skeleton_architecture();
  const double mb_k3 = s.latency_ms(a);
  for (BlockSpec& b : a.blocks) {
    if (b.op == ConvOp::kMbconv) b.kernel = 5;
  }
  EXPECT_GT(s.latency_ms(a), mb_k3 * 1.2);  // 5×5 depthwise costs more than MACs alone suggest
}

}  // namespace
}  // namespace mnas
