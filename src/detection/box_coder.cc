#include "detection/box_coder.h"

#include <algorithm>
#include <cmath>

namespace mnas {

CenterBox to_center(const Box& b) { return {b.x + b.w / 2, b.y + b.h / 2, b.w, b.h}; }
Box to_corner(const CenterBox& b) { return {b.cx - b.w / 2, b.cy - b.h / 2, b.w, b.h}; }

std::array<float, 4> encode_box(const CenterBox& box, const CenterBox& a) {
  return {static_cast<float>(kCentreScale * (box.cx - a.cx) / a.w),
          static_cast<float>(kCentreScale * (box.cy - a.cy) / a.h),
          static_cast<float>(kSizeScale * std::log(box.w / a.w)),
          static_cast<float>(kSizeScale * std::log(box.h / a.h))};
}

CenterBox decode_box(const float* d, const CenterBox& a) {
  const double dw = std::min<double>(d[2] / kSizeScale, kMaxLogSize);
  const double dh = std::min<double>(d[3] / kSizeScale, kMaxLogSize);
  return {a.cx + d[0] / kCentreScale * a.w, a.cy + d[1] / kCentreScale * a.h, a.w * std::exp(dw),
          a.h * std::exp(dh)};
}

BoxTargets assign_targets(const std::vector<CenterBox>& anchors,
                          const std::vector<LabelledBox>& objects) {
  const size_t n = anchors.size();
  BoxTargets t;
  t.labels.assign(n, 0);
  t.offsets.assign(n * 4, 0.0f);
  if (objects.empty()) return t;

  std::vector<int> match(n, -1);
  std::vector<double> best_iou(n, 0.0);
  std::vector<size_t> best_anchor(objects.size(), 0);
  std::vector<double> best_of_object(objects.size(), 0.0);
  for (size_t i = 0; i < n; ++i) {
    const Box a = to_corner(anchors[i]);
    for (size_t j = 0; j < objects.size(); ++j) {
      const double overlap = iou(a, objects[j].box);
      if (overlap > best_iou[i]) best_iou[i] = overlap, match[i] = static_cast<int>(j);
      if (overlap > best_of_object[j]) best_of_object[j] = overlap, best_anchor[j] = i;
    }
  }
  for (size_t i = 0; i < n; ++i) {
    if (best_iou[i] < kMatchIou) match[i] = -1;
  }
  for (size_t j = 0; j < objects.size(); ++j) {
    if (best_of_object[j] > 0) match[best_anchor[j]] = static_cast<int>(j);
  }
  for (size_t i = 0; i < n; ++i) {
    if (match[i] < 0) continue;
    const LabelledBox& o = objects[match[i]];
    t.labels[i] = o.category + 1;
    const std::array<float, 4> d = encode_box(to_center(o.box), anchors[i]);
    std::copy(d.begin(), d.end(), t.offsets.begin() + i * 4);
    ++t.positives;
  }
  return t;
}

}  // namespace mnas
