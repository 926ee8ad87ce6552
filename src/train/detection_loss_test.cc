// SSD's loss with hard negative mining (detection_loss.h) on tensors small enough to sum by hand.
#include "train/detection_loss.h"

#include <gtest/gtest.h>

#include <cmath>

namespace mnas {
namespace {

// Cross-entropy of logits {bg, 0, 0} (three classes) for the background label: log(e^bg + 2) - bg.
double background_ce(double bg) { return std::log(std::exp(bg) + 2) - bg; }

TEST(SsdLoss, MinesTheHardestNegativesThreePerPositive) {
  // One image, six default boxes, two categories. Box 0 is matched (category 0, label 1) and
  // scored {0, 0, 0}; boxes 1-5 are background with background logits 3, -1, 2, -2, 0: the
  // hardest three are -2, -1, 0 (boxes 4, 2, 5).
  const double bg[] = {0, 3, -1, 2, -2, 0};
  torch::Tensor scores = torch::zeros({1, 6, 3});
  for (int i = 1; i < 6; ++i) scores[0][i][0] = bg[i];
  torch::Tensor labels = torch::zeros({1, 6}, torch::kInt64);
  labels[0][0] = 1;
  torch::Tensor offsets = torch::zeros({1, 6, 4});
  offsets[0][0] = torch::tensor({0.5f, -2.0f, 0.0f, 1.0f});
  const torch::Tensor targets = torch::zeros({1, 6, 4});
  const SsdLoss l = ssd_loss(scores, offsets, labels, targets);
  const double matched = std::log(3.0);  // logits {0, 0, 0}, label 1
  const double mined = background_ce(-2) + background_ce(-1) + background_ce(0);
  const double box = 0.5 * 0.25 + (2.0 - 0.5) + 0 + (1.0 - 0.5);  // smooth-L1, β = 1
  EXPECT_NEAR(l.total.item<double>(), matched + mined + box, 1e-5);
  EXPECT_EQ(l.positives, 1);
  EXPECT_EQ(l.correct, 0);  // its best class is a tie, and argmax takes the background

  // The matched box's loss reaches its scores and offsets; an unmined negative's does not.
  scores.set_requires_grad(true);
  offsets.set_requires_grad(true);
  ssd_loss(scores, offsets, labels, targets).total.backward();
  EXPECT_GT(scores.grad()[0][0].abs().sum().item<double>(), 0);
  EXPECT_EQ(scores.grad()[0][1].abs().sum().item<double>(), 0);  // background logit 3: easy
  EXPECT_GT(scores.grad()[0][4].abs().sum().item<double>(), 0);
  EXPECT_EQ(offsets.grad()[0][4].abs().sum().item<double>(), 0);  // background: no regression
}

TEST(SsdLoss, ImagesWithoutObjectsStillMineAndFewBoxesCapTheNegatives) {
  // Image 0: no object, four boxes: the three hardest count, divided by max(1, 0 matched).
  torch::Tensor scores = torch::zeros({1, 4, 3});
  const double bg[] = {1, -1, 0, 2};
  for (int i = 0; i < 4; ++i) scores[0][i][0] = bg[i];
  const SsdLoss empty = ssd_loss(scores, torch::zeros({1, 4, 4}),
                                 torch::zeros({1, 4}, torch::kInt64), torch::zeros({1, 4, 4}));
  EXPECT_NEAR(empty.total.item<double>(), background_ce(-1) + background_ce(0) + background_ce(1),
              1e-5);
  EXPECT_EQ(empty.positives, 0);

  // Three boxes, one matched and scored right: only two negatives exist to mine.
  torch::Tensor few = torch::zeros({1, 3, 3});
  few[0][0][2] = 4;  // category 1 (label 2) wins
  torch::Tensor labels = torch::zeros({1, 3}, torch::kInt64);
  labels[0][0] = 2;
  const SsdLoss l = ssd_loss(few, torch::zeros({1, 3, 4}), labels, torch::zeros({1, 3, 4}));
  const double matched = std::log(std::exp(4.0) + 2) - 4;
  EXPECT_NEAR(l.total.item<double>(), matched + 2 * background_ce(0), 1e-5);
  EXPECT_EQ(l.correct, 1);
}

}  // namespace
}  // namespace mnas
