#include "detection/postprocess.h"

#include <algorithm>
#include <numeric>

#include "detection/box_coder.h"

namespace mnas {
namespace {

Box clip_to_image(const Box& b) {
  const double x0 = std::clamp(b.x, 0.0, 1.0), y0 = std::clamp(b.y, 0.0, 1.0);
  const double x1 = std::clamp(b.x + b.w, 0.0, 1.0), y1 = std::clamp(b.y + b.h, 0.0, 1.0);
  return {x0, y0, x1 - x0, y1 - y0};
}

}  // namespace

std::vector<int> non_maximum_suppression(const std::vector<Box>& boxes,
                                         const std::vector<double>& scores, double iou_limit,
                                         int max_kept) {
  std::vector<int> order(boxes.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return scores[a] > scores[b]; });
  std::vector<int> kept;
  for (int i : order) {
    if (static_cast<int>(kept.size()) >= max_kept) break;
    bool suppressed = false;
    for (int k : kept) {
      if (iou(boxes[i], boxes[k]) > iou_limit) {
        suppressed = true;
        break;
      }
    }
    if (!suppressed) kept.push_back(i);
  }
  return kept;
}

std::vector<Detection> postprocess(const float* probabilities, const float* offsets,
                                   const std::vector<CenterBox>& anchors, int classes,
                                   const PostprocessOptions& o) {
  std::vector<Detection> all;
  const size_t n = anchors.size();
  for (int c = 0; c < classes; ++c) {
    std::vector<Box> boxes;
    std::vector<double> scores;
    for (size_t i = 0; i < n; ++i) {
      const double p = probabilities[i * (classes + 1) + c + 1];
      if (p < o.score_threshold) continue;
      const Box b = clip_to_image(to_corner(decode_box(offsets + i * 4, anchors[i])));
      if (b.w <= 0 || b.h <= 0) continue;
      boxes.push_back(b);
      scores.push_back(p);
    }
    for (int k : non_maximum_suppression(boxes, scores, o.nms_iou, o.max_per_class)) {
      all.push_back({c, boxes[k], scores[k]});
    }
  }
  std::stable_sort(all.begin(), all.end(),
                   [](const Detection& a, const Detection& b) { return a.score > b.score; });
  if (static_cast<int>(all.size()) > o.max_per_image) all.resize(o.max_per_image);
  return all;
}

}  // namespace mnas
