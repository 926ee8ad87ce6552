#include "detection/coco_map.h"

#include <algorithm>
#include <cstddef>
#include <limits>
#include <map>
#include <utility>

namespace mnas {
namespace {

// numpy.linspace(start, stop, n): i·step + start, the last point exactly `stop`.
std::vector<double> linspace(double start, double stop, int n) {
  std::vector<double> points(n);
  const double step = (stop - start) / (n - 1);
  for (int i = 0; i < n; ++i) points[i] = i * step + start;
  points[n - 1] = stop;
  return points;
}

// One image's labelled boxes and detections of one category.
struct ImageCategory {
  std::vector<Box> truth;
  std::vector<const DetectedBox*> detected;
};

// The 101-point interpolated precision of one category at one threshold, averaged.
double average_precision(std::vector<std::pair<double, bool>> hits, size_t truth_count,
                         const std::vector<double>& recall_points) {
  std::stable_sort(hits.begin(), hits.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  const size_t n = hits.size();
  std::vector<double> recall(n), precision(n);
  double tp = 0, fp = 0;
  // pycocotools divides by tp + fp + np.spacing(1).
  const double eps = std::numeric_limits<double>::epsilon();
  for (size_t i = 0; i < n; ++i) {
    (hits[i].second ? tp : fp) += 1;
    recall[i] = tp / static_cast<double>(truth_count);
    precision[i] = tp / (fp + tp + eps);
  }
  for (size_t i = n; i-- > 1;) precision[i - 1] = std::max(precision[i - 1], precision[i]);
  double sum = 0;
  for (double r : recall_points) {
    const size_t at = std::lower_bound(recall.begin(), recall.end(), r) - recall.begin();
    if (at < n) sum += precision[at];
  }
  return sum / recall_points.size();
}

}  // namespace

std::vector<double> coco_iou_thresholds() { return linspace(0.5, 0.95, 10); }
std::vector<double> coco_recall_points() { return linspace(0.0, 1.0, 101); }

CocoMap coco_map(const std::vector<GroundTruthBox>& truth, const std::vector<DetectedBox>& detected,
                 int max_detections) {
  const std::vector<double> thresholds = coco_iou_thresholds();
  const std::vector<double> recall_points = coco_recall_points();
  const size_t t_count = thresholds.size();

  // category → image (ascending) → boxes; std::map keeps both orders COCO uses.
  std::map<int, std::map<int64_t, ImageCategory>> cells;
  for (const GroundTruthBox& g : truth) cells[g.category][g.image].truth.push_back(g.box);
  for (const DetectedBox& d : detected) cells[d.category][d.image].detected.push_back(&d);

  CocoMap result;
  double sum_all = 0, sum50 = 0, sum75 = 0;
  int evaluated = 0;
  const size_t t50 = 0, t75 = 5;
  for (auto& [category, images] : cells) {
    size_t truth_count = 0;
    std::vector<std::vector<std::pair<double, bool>>> hits(t_count);
    for (auto& [image, cell] : images) {
      truth_count += cell.truth.size();
      std::stable_sort(
          cell.detected.begin(), cell.detected.end(),
          [](const DetectedBox* a, const DetectedBox* b) { return a->score > b->score; });
      if (cell.detected.size() > static_cast<size_t>(max_detections))
        cell.detected.resize(max_detections);
      for (size_t t = 0; t < t_count; ++t) {
        std::vector<bool> taken(cell.truth.size(), false);
        for (const DetectedBox* d : cell.detected) {
          double best = std::min(thresholds[t], 1 - 1e-10);
          int match = -1;
          for (size_t g = 0; g < cell.truth.size(); ++g) {
            if (taken[g]) continue;
            const double overlap = iou(d->box, cell.truth[g]);
            if (overlap < best) continue;
            best = overlap;  // ≥: an equal overlap later in the list takes it, as in COCOeval
            match = static_cast<int>(g);
          }
          if (match >= 0) taken[match] = true;
          hits[t].emplace_back(d->score, match >= 0);
        }
      }
    }
    result.categories.push_back(category);
    if (truth_count == 0) {
      result.category_ap.push_back(-1);
      continue;
    }
    double category_sum = 0;
    for (size_t t = 0; t < t_count; ++t) {
      const double ap = average_precision(std::move(hits[t]), truth_count, recall_points);
      category_sum += ap;
      if (t == t50) sum50 += ap;
      if (t == t75) sum75 += ap;
    }
    result.category_ap.push_back(category_sum / t_count);
    sum_all += category_sum / t_count;
    ++evaluated;
  }
  if (evaluated > 0) {
    result.ap = sum_all / evaluated;
    result.ap50 = sum50 / evaluated;
    result.ap75 = sum75 / evaluated;
  }
  return result;
}

}  // namespace mnas
