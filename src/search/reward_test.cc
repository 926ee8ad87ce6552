#include "search/reward.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "base/error.h"

namespace mnas {
namespace {

TEST(Reward, SoftIsSmoothOnBothSides) {
  const RewardOptions soft = RewardOptions::soft(80.0);
  EXPECT_DOUBLE_EQ(compute_reward(0.75, 80.0, soft), 0.75);
  EXPECT_NEAR(compute_reward(0.75, 40.0, soft), 0.75 * std::pow(0.5, -0.07), 1e-12);
  EXPECT_NEAR(compute_reward(0.75, 160.0, soft), 0.75 * std::pow(2.0, -0.07), 1e-12);
  EXPECT_GT(compute_reward(0.75, 40.0, soft), compute_reward(0.75, 80.0, soft));
  EXPECT_LT(compute_reward(0.75, 160.0, soft), compute_reward(0.75, 80.0, soft));
}

TEST(Reward, HardIgnoresSpeedUnderTargetAndPenalisesOver) {
  const RewardOptions hard = RewardOptions::hard(80.0);
  EXPECT_DOUBLE_EQ(compute_reward(0.75, 10.0, hard), 0.75);
  EXPECT_DOUBLE_EQ(compute_reward(0.75, 80.0, hard), 0.75);
  EXPECT_DOUBLE_EQ(compute_reward(0.75, 160.0, hard), 0.375);  // (2)^−1
}

// The paper's worked example: M2 has twice M1's latency and 5% higher accuracy; under the soft
// reward both get about the same reward (that is how −0.07 was chosen).
TEST(Reward, PapersWorkedExample) {
  const RewardOptions soft = RewardOptions::soft(75.0);
  for (double latency : {20.0, 60.0, 75.0, 120.0}) {
    const double m1 = compute_reward(0.70, latency, soft);
    const double m2 = compute_reward(0.70 * 1.05, 2 * latency, soft);
    EXPECT_NEAR(m2 / m1, 1.0, 0.005) << latency;
  }
}

TEST(Reward, PresetsByName) {
  EXPECT_EQ(RewardOptions::preset("hard", 5).beta, -1.0);
  EXPECT_EQ(RewardOptions::preset("soft", 5).alpha, -0.07);
  EXPECT_THROW(RewardOptions::preset("medium", 5), Error);
}

TEST(Reward, InvalidInputsAreErrors) {
  const RewardOptions soft = RewardOptions::soft(80.0);
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_THROW(compute_reward(0.7, 50, RewardOptions::soft(0)), Error);
  EXPECT_THROW(compute_reward(0.7, 50, RewardOptions::soft(-3)), Error);
  EXPECT_THROW(compute_reward(0.7, 50, RewardOptions::soft(inf)), Error);
  EXPECT_THROW(compute_reward(-0.1, 50, soft), Error);
  EXPECT_THROW(compute_reward(1.1, 50, soft), Error);
  EXPECT_THROW(compute_reward(std::nan(""), 50, soft), Error);
  EXPECT_THROW(compute_reward(0.7, inf, soft), Error);
  EXPECT_THROW(compute_reward(0.7, std::nan(""), soft), Error);
  EXPECT_THROW(compute_reward(0.7, 0, soft), Error);
  EXPECT_THROW(compute_reward(0.7, 50, RewardOptions{80, 0.5, -0.07}), Error);
  EXPECT_THROW(compute_reward(0.7, 50, RewardOptions{80, -0.07, std::nan("")}), Error);
  EXPECT_NO_THROW(compute_reward(0.0, 50, soft));
  EXPECT_NO_THROW(compute_reward(1.0, 50, soft));
}

}  // namespace
}  // namespace mnas
