// COCO's mAP on cases computed by hand from COCOeval's definition (detection/coco_map.h).
#include "detection/coco_map.h"

#include <gtest/gtest.h>

namespace mnas {
namespace {

GroundTruthBox truth(int64_t image, int category, Box box) { return {image, category, box}; }
DetectedBox detection(int64_t image, int category, Box box, double score) {
  return {image, category, box, score};
}

constexpr Box kA{0, 0, 10, 10};
constexpr Box kFar{50, 50, 10, 10};

TEST(Iou, IsCocosAreaRatioWithoutThePlusOnePixel) {
  EXPECT_DOUBLE_EQ(iou(kA, kA), 1.0);
  EXPECT_DOUBLE_EQ(iou(kA, Box{5, 0, 10, 10}), 50.0 / 150.0);
  EXPECT_EQ(iou(kA, Box{10, 0, 10, 10}), 0.0);  // touching edges do not overlap
  EXPECT_EQ(iou(kA, kFar), 0.0);
  EXPECT_EQ(iou(Box{0, 0, 0, 0}, Box{0, 0, 0, 0}), 0.0);
}

TEST(CocoMap, ThresholdsAndRecallPointsAreNumpysLinspace) {
  const std::vector<double> t = coco_iou_thresholds();
  ASSERT_EQ(t.size(), 10u);
  EXPECT_EQ(t.front(), 0.5);
  EXPECT_EQ(t.back(), 0.95);
  EXPECT_EQ(t[5], 5 * (0.45 / 9) + 0.5);
  const std::vector<double> r = coco_recall_points();
  ASSERT_EQ(r.size(), 101u);
  EXPECT_EQ(r[7], 7 * 0.01);  // 0.07000000000000001, as numpy has it
  EXPECT_EQ(r.back(), 1.0);
}

TEST(CocoMap, PerfectDetectionsScoreOne) {
  const CocoMap m = coco_map({truth(1, 1, kA), truth(2, 1, kFar)},
                             {detection(1, 1, kA, 0.9), detection(2, 1, kFar, 0.3)});
  EXPECT_DOUBLE_EQ(m.ap, 1.0);
  EXPECT_DOUBLE_EQ(m.ap50, 1.0);
  EXPECT_DOUBLE_EQ(m.ap75, 1.0);
}

TEST(CocoMap, InterpolatesPrecisionAtTheHundredAndOneRecallPoints) {
  // Three labelled boxes; detections in score order: hit, miss, hit. Recall 1/3, 1/3, 2/3;
  // precision 1, 1/2, 2/3, made non-increasing from the right: 1, 2/3, 2/3. Recall points
  // 0..0.33 read 1 (34 points), 0.34..0.66 read 2/3 (33), 0.67..1 nothing (0).
  const Box b{20, 0, 10, 10};
  const CocoMap m =
      coco_map({truth(1, 1, kA), truth(1, 1, b), truth(2, 1, kA)},
               {detection(1, 1, kA, 0.9), detection(2, 1, kFar, 0.8), detection(2, 1, kA, 0.7)});
  const double expected = (34 * 1.0 + 33 * (2.0 / 3.0)) / 101;
  EXPECT_NEAR(m.ap, expected, 1e-12);
  EXPECT_NEAR(m.ap50, expected, 1e-12);
  EXPECT_NEAR(m.ap75, expected, 1e-12);
}

TEST(CocoMap, EqualScoresKeepImageOrderThenInputOrder) {
  // Miss then hit at equal scores: precision 0, 1/2 -> 1/2, 1/2: AP 0.5. Hit first: full recall
  // at precision 1, the miss after it costs nothing: AP 1.
  const double miss_first = 0.5, hit_first = 1.0;
  // In one image the order given decides; across images the lower image id comes first,
  // whatever order they are given in.
  const struct {
    int64_t truth_image;
    std::vector<DetectedBox> detected;
    double ap;
  } cases[] = {
      {1, {detection(1, 1, kFar, 0.5), detection(1, 1, kA, 0.5)}, miss_first},
      {1, {detection(1, 1, kA, 0.5), detection(1, 1, kFar, 0.5)}, hit_first},
      {2, {detection(2, 1, kA, 0.5), detection(1, 1, kFar, 0.5)}, miss_first},
      {1, {detection(2, 1, kFar, 0.5), detection(1, 1, kA, 0.5)}, hit_first},
  };
  for (const auto& c : cases) {
    EXPECT_NEAR(coco_map({truth(c.truth_image, 1, kA)}, c.detected).ap, c.ap, 1e-12);
  }
}

TEST(CocoMap, ADetectionCountsAtEveryThresholdItsOverlapReaches) {
  // IoU 0.62 matches at 0.50, 0.55, 0.60: AP 1 there, 0 at the other seven thresholds.
  const CocoMap m = coco_map({truth(1, 1, kA)}, {detection(1, 1, Box{0, 0, 10, 6.2}, 0.9)});
  EXPECT_NEAR(m.ap, 0.3, 1e-12);
  EXPECT_NEAR(m.ap50, 1.0, 1e-12);
  EXPECT_EQ(m.ap75, 0.0);
  // An overlap exactly on a threshold matches it (IoU ≥ t).
  const CocoMap on = coco_map({truth(1, 1, kA)}, {detection(1, 1, Box{0, 0, 10, 5}, 0.9)});
  EXPECT_NEAR(on.ap50, 1.0, 1e-12);
  EXPECT_NEAR(on.ap, 0.1, 1e-12);
}

TEST(CocoMap, EachLabelledBoxMatchesOnceAndEqualOverlapsGoToTheLaterBox) {
  // g1 and g2 overlap; d1 overlaps both by 90/110 = 0.818 and takes g2 (the later one, as
  // COCOeval's ">=" does), so d2 (= g1) matches g1 at every threshold. At 0.50..0.80 both hit
  // (AP 1); at 0.85..0.95 d1 misses, d2 hits: precision 0, 1/2 at recall 0, 1/2 -> 51 recall
  // points read 1/2. Had d1 taken g1, d2 would overlap g2 by 0.667 only.
  const Box g1{0, 0, 10, 10}, g2{2, 0, 10, 10};
  const CocoMap m = coco_map({truth(1, 1, g1), truth(1, 1, g2)},
                             {detection(1, 1, Box{1, 0, 10, 10}, 0.9), detection(1, 1, g1, 0.8)});
  EXPECT_NEAR(m.ap, (7 * 1.0 + 3 * (51 * 0.5 / 101)) / 10, 1e-12);
  // A second detection of an object already found is a false positive.
  const CocoMap twice =
      coco_map({truth(1, 1, kA)}, {detection(1, 1, kA, 0.9), detection(1, 1, kA, 0.8)});
  EXPECT_NEAR(twice.ap, 1.0, 1e-12);  // the miss comes after full recall: it costs nothing
  const CocoMap twice_first =
      coco_map({truth(1, 1, kA), truth(2, 1, kA)},
               {detection(1, 1, kA, 0.9), detection(1, 1, kA, 0.8), detection(2, 1, kA, 0.7)});
  // hit, miss, hit: precision 1, 1/2, 2/3 -> 1, 2/3, 2/3 at recall 1/2, 1/2, 1.
  EXPECT_NEAR(twice_first.ap, (51 * 1.0 + 50 * (2.0 / 3.0)) / 101, 1e-12);
}

TEST(CocoMap, CategoriesWithoutDetectionsScoreZeroAndWithoutLabelsAreLeftOut) {
  const CocoMap m = coco_map({truth(1, 1, kA), truth(1, 2, kFar)},
                             {detection(1, 1, kA, 0.9), detection(1, 3, kFar, 0.8)});
  EXPECT_NEAR(m.ap, 0.5, 1e-12);  // category 1: 1, category 2: 0, category 3: not counted
  ASSERT_EQ(m.categories, (std::vector<int>{1, 2, 3}));
  ASSERT_EQ(m.category_ap.size(), 3u);
  EXPECT_NEAR(m.category_ap[0], 1.0, 1e-12);  // precision is tp / (tp + fp + 2^-52), as in COCOeval
  EXPECT_EQ(m.category_ap[1], 0.0);
  EXPECT_EQ(m.category_ap[2], -1.0);
  EXPECT_EQ(coco_map({}, {detection(1, 1, kA, 0.9)}).ap, -1.0);  // nothing labelled
  EXPECT_EQ(coco_map({}, {}).ap, -1.0);
}

TEST(CocoMap, DetectionsInImagesWithoutObjectsAreFalsePositives) {
  // Image 2 has no labelled box; its detection outscores the hit in image 1: miss, hit -> 0.5.
  const CocoMap m =
      coco_map({truth(1, 1, kA)}, {detection(1, 1, kA, 0.5), detection(2, 1, kA, 0.9)});
  EXPECT_NEAR(m.ap, 0.5, 1e-12);
}

TEST(CocoMap, KeepsTheBestScoredDetectionsPerImageAndCategory) {
  const std::vector<DetectedBox> d{detection(1, 1, kFar, 0.9), detection(1, 1, kFar, 0.8),
                                   detection(1, 1, kA, 0.7)};
  // All three: miss, miss, hit -> precision 1/3 at every recall point.
  EXPECT_NEAR(coco_map({truth(1, 1, kA)}, d, 3).ap, 1.0 / 3, 1e-12);
  // The best two are misses: the hit is cut.
  EXPECT_EQ(coco_map({truth(1, 1, kA)}, d, 2).ap, 0.0);
  // The cut is per image: another image's detections do not count against image 1's.
  std::vector<DetectedBox> two_images = d;
  two_images.push_back(detection(2, 1, kFar, 0.95));
  EXPECT_EQ(coco_map({truth(1, 1, kA)}, two_images, 2).ap, 0.0);
  EXPECT_NEAR(coco_map({truth(1, 1, kA)}, two_images, 3).ap, 0.25, 1e-12);
}

}  // namespace
}  // namespace mnas
