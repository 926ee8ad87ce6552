#ifndef MNAS_TRAIN_DETECTION_LOSS_H_
#define MNAS_TRAIN_DETECTION_LOSS_H_

#include <torch/torch.h>

#include <cstdint>

namespace mnas {

// SSD's loss (Liu et al. 2016) over a batch: softmax cross-entropy over categories + background
// on every default box matched to an object (label > 0) and on the hardest unmatched ones — the
// highest cross-entropy, kNegativesPerPositive per matched box of the image, at least
// kMinNegatives (so that images without objects teach too), at most every unmatched box — plus
// smooth-L1 (β = 1) on the matched boxes' offsets; the sum divided by the batch's matched boxes
// (at least 1).
constexpr int kNegativesPerPositive = 3;
constexpr int kMinNegatives = 3;

struct SsdLoss {
  torch::Tensor total;    // scalar, differentiable
  int64_t positives = 0;  // matched default boxes in the batch
  int64_t correct = 0;    // of them, those whose best class is their object's
};

// scores: logits [B, A, C + 1]; offsets, target_offsets [B, A, 4]; labels int64 [B, A] (0 =
// background, k + 1 = category k).
SsdLoss ssd_loss(const torch::Tensor& scores, const torch::Tensor& offsets,
                 const torch::Tensor& labels, const torch::Tensor& target_offsets);

}  // namespace mnas

#endif  // MNAS_TRAIN_DETECTION_LOSS_H_
