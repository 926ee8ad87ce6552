#ifndef MNAS_DETECTION_BOX_H_
#define MNAS_DETECTION_BOX_H_

#include <algorithm>

namespace mnas {

// An axis-aligned box as COCO writes it: left, top, width, height, in the pixels of its image
// (or any unit the boxes compared share).
struct Box {
  double x = 0, y = 0, w = 0, h = 0;
};

inline double area(const Box& b) { return std::max(0.0, b.w) * std::max(0.0, b.h); }

// The area the two boxes share (0 when they do not overlap).
inline double intersection_area(const Box& a, const Box& b) {
  const double w = std::min(a.x + a.w, b.x + b.w) - std::max(a.x, b.x);
  const double h = std::min(a.y + a.h, b.y + b.h) - std::max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

// Intersection over union as COCO's evaluation computes it (areas w·h, no "+1" pixel); 0 when
// the boxes do not overlap or the union is empty.
inline double iou(const Box& a, const Box& b) {
  const double inter = intersection_area(a, b);
  if (inter <= 0) return 0;
  const double uni = area(a) + area(b) - inter;
  return uni > 0 ? inter / uni : 0;
}

}  // namespace mnas

#endif  // MNAS_DETECTION_BOX_H_
