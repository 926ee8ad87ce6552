// Default boxes, box regression, matching and post-processing (default_boxes.h, box_coder.h,
// postprocess.h): the torch-free half of the SSDLite detector.
#include <gtest/gtest.h>

#include <cmath>

#include "detection/box_coder.h"
#include "detection/default_boxes.h"
#include "detection/postprocess.h"
#include "testing/fixtures.h"

namespace mnas {
namespace {

TEST(DefaultBoxes, FollowSsdsScalesAndRatiosMapByMapCellByCell) {
  DefaultBoxOptions o;  // SSDLite's reduced first map, the scales of the scenes' first defaults
  o.min_scale = 0.15;
  o.max_scale = 0.75;
  o.reduce_first = true;
  const std::vector<CenterBox> boxes = default_boxes({{6, 6}, {3, 3}, {2, 2}, {1, 1}}, o);
  EXPECT_EQ(boxes_per_cell(o, 0), 3);
  EXPECT_EQ(boxes_per_cell(o, 1), 6);
  ASSERT_EQ(boxes.size(), 36u * 3 + 9 * 6 + 4 * 6 + 6);
  // The first map's first cell: the small 0.1 box, then s_0 = 0.15 at ratios 2 and 1/2.
  EXPECT_DOUBLE_EQ(boxes[0].cx, 1.0 / 12);
  EXPECT_DOUBLE_EQ(boxes[0].w, 0.1);
  EXPECT_DOUBLE_EQ(boxes[1].w, 0.15 * std::sqrt(2.0));
  EXPECT_DOUBLE_EQ(boxes[1].h, 0.15 / std::sqrt(2.0));
  EXPECT_DOUBLE_EQ(boxes[2].w, 0.15 * std::sqrt(0.5));
  EXPECT_DOUBLE_EQ(boxes[3].cx, 3.0 / 12);  // the next cell to the right
  // The second map starts after the first's 108: s_1 = 0.15 + 0.6/3 = 0.35, ratio 1 first, and
  // its sixth box is √(s_1·s_2) square.
  const CenterBox* second = &boxes[108];
  EXPECT_DOUBLE_EQ(second[0].w, 0.35);
  EXPECT_DOUBLE_EQ(second[0].cx, 1.0 / 6);
  EXPECT_NEAR(second[5].w, std::sqrt(0.35 * 0.55), 1e-15);
  // The last map's last box sits between s_3 = 0.75 and 1.
  EXPECT_DOUBLE_EQ(boxes.back().w, std::sqrt(0.75));
  EXPECT_DOUBLE_EQ(boxes.back().cx, 0.5);

  DefaultBoxOptions full = o;
  full.reduce_first = false;
  EXPECT_EQ(default_boxes({{6, 6}}, full).size(), 36u * 6);
  const DefaultBoxOptions defaults;  // every box on every map, scales 0.2-0.8
  EXPECT_FALSE(defaults.reduce_first);
  EXPECT_EQ(default_boxes({{12, 12}, {6, 6}, {3, 3}, {2, 2}, {1, 1}}, defaults).size(),
            6u * (144 + 36 + 9 + 4 + 1));
  full.aspect_ratios.clear();
  EXPECT_NE(testing::error_of([&] {
              default_boxes({{6, 6}}, full);
            }).find("aspect_ratios: empty"),
            std::string::npos);
  full = o;
  full.max_scale = 1.5;
  EXPECT_NE(testing::error_of([&] { check_default_box_options(full); }).find("max_scale: 1.5"),
            std::string::npos);
}

TEST(BoxCoder, EncodesWithSsdsScaleFactorsAndDecodesBack) {
  const CenterBox anchor{0.5, 0.5, 0.2, 0.2};
  const std::array<float, 4> d = encode_box({0.52, 0.5, 0.4, 0.2}, anchor);
  EXPECT_NEAR(d[0], 1.0, 1e-6);  // 10 · 0.02 / 0.2
  EXPECT_NEAR(d[1], 0.0, 1e-6);
  EXPECT_NEAR(d[2], 5 * std::log(2.0), 1e-6);
  EXPECT_NEAR(d[3], 0.0, 1e-6);
  const CenterBox back = decode_box(d.data(), anchor);
  EXPECT_NEAR(back.cx, 0.52, 1e-6);
  EXPECT_NEAR(back.w, 0.4, 1e-6);
  const float wild[4] = {0, 0, 1e6f, 1e6f};
  const CenterBox clamped = decode_box(wild, anchor);
  EXPECT_TRUE(std::isfinite(clamped.w));
  EXPECT_NEAR(clamped.w, 0.2 * 1000 / 16, 1e-9);
  const Box corner = to_corner({0.5, 0.4, 0.2, 0.1});
  EXPECT_DOUBLE_EQ(corner.x, 0.4);
  EXPECT_DOUBLE_EQ(corner.y, 0.35);
  EXPECT_DOUBLE_EQ(to_center(corner).cy, 0.4);
}

TEST(Matching, EachDefaultBoxTakesItsBestObjectAndEveryObjectGetsOne) {
  // Four default boxes in a row, 0.25 wide.
  const std::vector<CenterBox> anchors{{0.125, 0.5, 0.25, 0.25},
                                       {0.375, 0.5, 0.25, 0.25},
                                       {0.625, 0.5, 0.25, 0.25},
                                       {0.875, 0.5, 0.25, 0.25}};
  // Object 0 is exactly box 0; object 1 covers boxes 2 and 3 half each (IoU 1/3 with either:
  // below the threshold, but it takes its best, box 2, the first of the two).
  const std::vector<LabelledBox> objects{{4, Box{0, 0.375, 0.25, 0.25}},
                                         {7, Box{0.625, 0.375, 0.25, 0.25}}};
  const BoxTargets t = assign_targets(anchors, objects);
  EXPECT_EQ(t.labels, (std::vector<int64_t>{5, 0, 8, 0}));
  EXPECT_EQ(t.positives, 2);
  for (int k = 0; k < 4; ++k) EXPECT_NEAR(t.offsets[k], 0.0, 1e-6);  // exact match: no offset
  EXPECT_NEAR(t.offsets[8], 10 * 0.125 / 0.25,
              1e-5);              // object 1's centre is 0.125 right of box 2's
  EXPECT_EQ(t.offsets[4], 0.0f);  // background: nothing to regress

  // An object over box 1 with IoU ≥ 0.5 to it and to nothing else.
  const BoxTargets near =
      assign_targets(anchors, {{0, Box{0.27, 0.375, 0.25, 0.25}}, {1, Box{0.8, 0.4, 0.2, 0.2}}});
  EXPECT_EQ(near.labels, (std::vector<int64_t>{0, 1, 0, 2}));
  const BoxTargets none = assign_targets(anchors, {});
  EXPECT_EQ(none.labels, (std::vector<int64_t>(4, 0)));
  EXPECT_EQ(none.positives, 0);
}

TEST(Postprocess, SuppressesPerCategoryAndKeepsTheBest) {
  const Box a{0.1, 0.1, 0.4, 0.4}, a2{0.12, 0.1, 0.4, 0.4}, b{0.6, 0.6, 0.3, 0.3};
  EXPECT_EQ(non_maximum_suppression({a, a2, b}, {0.9, 0.8, 0.7}, 0.6, 100),
            (std::vector<int>{0, 2}));  // a2 overlaps a by 0.9: suppressed
  EXPECT_EQ(non_maximum_suppression({a2, a, b}, {0.5, 0.9, 0.7}, 0.6, 100),
            (std::vector<int>{1, 2}));  // by score, not by position
  EXPECT_EQ(non_maximum_suppression({a, a2, b}, {0.9, 0.8, 0.7}, 0.95, 100),
            (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(non_maximum_suppression({a, a2, b}, {0.9, 0.8, 0.7}, 0.6, 1), (std::vector<int>{0}));

  // Three default boxes, two categories. Boxes 0 and 1 are the same place: category 0 keeps
  // box 0 (box 1 suppressed), category 1 box 1; box 2 is below the threshold.
  const std::vector<CenterBox> anchors{
      {0.5, 0.5, 0.2, 0.2}, {0.5, 0.5, 0.2, 0.2}, {0.9, 0.5, 0.4, 0.2}};
  const float probabilities[] = {0.1f,  0.85f,  0.05f,    // box 0: category 0
                                 0.1f,  0.3f,   0.6f,     // box 1: both
                                 0.99f, 0.005f, 0.005f};  // box 2: background
  const float offsets[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  PostprocessOptions o;
  const std::vector<Detection> d = postprocess(probabilities, offsets, anchors, 2, o);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].category, 0);
  EXPECT_NEAR(d[0].score, 0.85, 1e-6);
  EXPECT_EQ(d[1].category, 1);
  EXPECT_NEAR(d[1].box.x, 0.4, 1e-9);
  EXPECT_NEAR(d[1].box.w, 0.2, 1e-9);
  o.max_per_image = 1;
  EXPECT_EQ(postprocess(probabilities, offsets, anchors, 2, o).size(), 1u);
  // A box over the edge is clipped to the image.
  const float lower[] = {0.1f, 0.05f, 0.05f, 0.1f, 0.05f, 0.05f, 0.0f, 0.9f, 0.1f};
  o = PostprocessOptions();
  const std::vector<Detection> edge = postprocess(lower, offsets, anchors, 2, o);
  ASSERT_FALSE(edge.empty());
  EXPECT_NEAR(edge[0].box.x + edge[0].box.w, 1.0, 1e-9);
  EXPECT_NEAR(edge[0].box.x, 0.7, 1e-9);
}

}  // namespace
}  // namespace mnas
