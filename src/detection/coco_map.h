#ifndef MNAS_DETECTION_COCO_MAP_H_
#define MNAS_DETECTION_COCO_MAP_H_

#include <cstdint>
#include <vector>

#include "detection/box.h"

namespace mnas {

// An object as labelled: which image, which category, where.
struct GroundTruthBox {
  int64_t image = 0;
  int category = 0;
  Box box;
};

// An object as a detector reports it, with its score.
struct DetectedBox {
  int64_t image = 0;
  int category = 0;
  Box box;
  double score = 0;
};

// COCO's box mean average precision (the definition of pycocotools' COCOeval for iouType "bbox",
// area "all"), computed here because Debian has no pycocotools:
// - per image and category, the `max_detections` best-scored detections are kept (a stable sort:
//   equal scores keep their order);
// - at each IoU threshold 0.50, 0.55, ..., 0.95, each detection in score order takes the unmatched
//   labelled box it overlaps most with IoU ≥ the threshold (equal IoUs: the later box), else it
//   is a false positive;
// - per category, the detections of all images (images in ascending id order) are sorted by score
//   (stable), precision is made non-increasing from the right, and read at the 101 recall points
//   0, 0.01, ..., 1 (the first detection reaching each recall; 0 past the last recall reached);
// - categories without any labelled box are left out of every mean; one with labelled boxes but
//   no detections scores 0; detections in an image without labelled boxes are false positives.
// COCO's crowd regions are not modelled (readers skip crowd annotations; docs/detection.md).
struct CocoMap {
  double ap = -1;    // AP@[.50:.95]: the mean over thresholds and categories (-1: no labelled box)
  double ap50 = -1;  // AP at IoU 0.50
  double ap75 = -1;  // AP at IoU 0.75
  // Per category id seen in the labelled boxes or the detections, ascending: AP@[.50:.95], or
  // -1 for a category without labelled boxes.
  std::vector<int> categories;
  std::vector<double> category_ap;
};

CocoMap coco_map(const std::vector<GroundTruthBox>& truth, const std::vector<DetectedBox>& detected,
                 int max_detections = 100);

// COCO's IoU thresholds (10) and recall points (101), computed as numpy's linspace computes them,
// so that a recall falling on a point counts as pycocotools counts it.
std::vector<double> coco_iou_thresholds();
std::vector<double> coco_recall_points();

}  // namespace mnas

#endif  // MNAS_DETECTION_COCO_MAP_H_
