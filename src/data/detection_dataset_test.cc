// Augmentation of detection batches (detection_dataset.h): the boxes move with the pixels.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "data/detection_dataset.h"

namespace mnas {
namespace {

// The extent of the pixels > 0 of image `i` in relative coordinates; an empty box if none.
Box bright_extent(const torch::Tensor& bytes, int64_t i) {
  const int64_t h = bytes.size(1), w = bytes.size(2);
  int64_t x0 = w, y0 = h, x1 = -1, y1 = -1;
  for (int64_t y = 0; y < h; ++y) {
    for (int64_t x = 0; x < w; ++x) {
      if (bytes[i][y][x][0].item<uint8_t>() == 0) continue;
      x0 = std::min(x0, x), x1 = std::max(x1, x), y0 = std::min(y0, y), y1 = std::max(y1, y);
    }
  }
  if (x1 < 0) return {};
  return {double(x0) / w, double(y0) / h, double(x1 - x0 + 1) / w, double(y1 - y0 + 1) / h};
}

TEST(DetectionAugment, BoxesMoveWithThePixels) {
  // 16 images of 10×8 (H×W), each a bright block at columns 1-2, rows 3-5, labelled exactly.
  const int64_t n = 16, h = 10, w = 8;
  torch::Tensor bytes = torch::zeros({n, h, w, 1}, torch::kUInt8);
  bytes.slice(1, 3, 6).slice(2, 1, 3).fill_(200);
  const Box block{1.0 / w, 3.0 / h, 2.0 / w, 3.0 / h};
  std::vector<std::vector<LabelledBox>> objects(n, {{4, block}});
  std::mt19937_64 rng(7);
  augment_detection_batch(bytes, objects, /*pad=*/2, /*flip=*/true, rng);
  int flipped = 0, moved = 0;
  for (int64_t i = 0; i < n; ++i) {
    const Box seen = bright_extent(bytes, i);
    if (seen.w == 0) {  // shifted out entirely: the box must be gone too
      EXPECT_TRUE(objects[i].empty()) << i;
      continue;
    }
    ASSERT_EQ(objects[i].size(), 1u) << i;
    EXPECT_EQ(objects[i][0].category, 4);
    const Box& b = objects[i][0].box;
    EXPECT_NEAR(b.x, seen.x, 1e-9) << i;
    EXPECT_NEAR(b.y, seen.y, 1e-9) << i;
    EXPECT_NEAR(b.w, seen.w, 1e-9) << i;
    EXPECT_NEAR(b.h, seen.h, 1e-9) << i;
    flipped += seen.x > 0.5;
    moved += std::abs(seen.y - block.y) > 1e-9;
  }
  EXPECT_GT(flipped, 0);  // 16 images: some flipped, some shifted
  EXPECT_GT(moved, 0);

  // Nothing asked, nothing changed.
  torch::Tensor same = torch::zeros({1, h, w, 1}, torch::kUInt8);
  same.slice(1, 3, 6).slice(2, 1, 3).fill_(200);
  std::vector<std::vector<LabelledBox>> kept(1, {{4, block}});
  augment_detection_batch(same, kept, 0, false, rng);
  EXPECT_NEAR(kept[0][0].box.x, block.x, 1e-12);
  EXPECT_NEAR(bright_extent(same, 0).x, block.x, 1e-12);
}

}  // namespace
}  // namespace mnas
