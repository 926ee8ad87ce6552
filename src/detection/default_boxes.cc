#include "detection/default_boxes.h"

#include <cmath>
#include <string>

#include "base/error.h"
#include "base/number_format.h"

namespace mnas {
namespace {

constexpr double kFirstMapSmallScale = 0.1;  // SSD's extra small box on the first map

double scale_of(const DefaultBoxOptions& o, int index, int maps) {
  if (index >= maps) return 1.0;
  if (maps == 1) return o.min_scale;
  return o.min_scale + (o.max_scale - o.min_scale) * index / (maps - 1);
}

}  // namespace

void check_default_box_options(const DefaultBoxOptions& o) {
  if (!(o.min_scale > 0 && o.min_scale <= 1)) {
    throw Error::about("min_scale", format_double(o.min_scale) + " out of (0, 1]");
  }
  if (!(o.max_scale >= o.min_scale && o.max_scale <= 1)) {
    throw Error::about("max_scale", format_double(o.max_scale) + " out of [min_scale, 1]");
  }
  if (o.aspect_ratios.empty()) throw Error::about("aspect_ratios", "empty");
  for (double a : o.aspect_ratios) {
    if (!(a > 0 && std::isfinite(a))) {
      throw Error::about("aspect_ratios", format_double(a) + " is not a positive ratio");
    }
  }
}

int boxes_per_cell(const DefaultBoxOptions& o, int index) {
  return index == 0 && o.reduce_first ? 3 : static_cast<int>(o.aspect_ratios.size()) + 1;
}

std::vector<CenterBox> default_boxes(const std::vector<FeatureMapSize>& maps,
                                     const DefaultBoxOptions& o) {
  check_default_box_options(o);
  const int m = static_cast<int>(maps.size());
  std::vector<CenterBox> boxes;
  for (int k = 0; k < m; ++k) {
    const double s = scale_of(o, k, m);
    std::vector<std::pair<double, double>> cell;  // (w, h) of each box of a cell
    if (k == 0 && o.reduce_first) {
      cell = {{kFirstMapSmallScale, kFirstMapSmallScale},
              {s * std::sqrt(2.0), s / std::sqrt(2.0)},
              {s * std::sqrt(0.5), s / std::sqrt(0.5)}};
    } else {
      for (double a : o.aspect_ratios) cell.emplace_back(s * std::sqrt(a), s / std::sqrt(a));
      const double between = std::sqrt(s * scale_of(o, k + 1, m));
      cell.emplace_back(between, between);
    }
    MNAS_ASSERT(static_cast<int>(cell.size()) == boxes_per_cell(o, k));
    for (int y = 0; y < maps[k].height; ++y) {
      for (int x = 0; x < maps[k].width; ++x) {
        const double cx = (x + 0.5) / maps[k].width, cy = (y + 0.5) / maps[k].height;
        for (const auto& [w, h] : cell) boxes.push_back({cx, cy, w, h});
      }
    }
  }
  return boxes;
}

}  // namespace mnas
