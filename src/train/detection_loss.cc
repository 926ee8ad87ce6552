#include "train/detection_loss.h"

#include <algorithm>
#include <limits>

namespace mnas {

SsdLoss ssd_loss(const torch::Tensor& scores, const torch::Tensor& offsets,
                 const torch::Tensor& labels, const torch::Tensor& target_offsets) {
  const int64_t b = scores.size(0), a = scores.size(1), c = scores.size(2);
  const torch::Tensor conf =
      torch::nn::functional::cross_entropy(
          scores.reshape({b * a, c}), labels.reshape({b * a}),
          torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone))
          .reshape({b, a});
  const torch::Tensor positive = labels > 0;
  const torch::Tensor positives = positive.sum(1);  // [B]
  const torch::Tensor mined =
      conf.detach().masked_fill(positive, -std::numeric_limits<float>::infinity());
  const torch::Tensor rank = mined.argsort(1, /*descending=*/true).argsort(1, /*descending=*/false);
  const torch::Tensor negatives =
      torch::minimum((positives * kNegativesPerPositive).clamp_min(kMinNegatives), a - positives);
  const torch::Tensor negative = rank < negatives.unsqueeze(1);
  const torch::Tensor class_loss = conf.masked_select(positive | negative).sum();
  const torch::Tensor box_loss = torch::nn::functional::smooth_l1_loss(
      offsets.index({positive}), target_offsets.index({positive}),
      torch::nn::functional::SmoothL1LossFuncOptions().reduction(torch::kSum));
  SsdLoss l;
  l.positives = positives.sum().item<int64_t>();
  l.total = (class_loss + box_loss) / static_cast<double>(std::max<int64_t>(1, l.positives));
  l.correct = (scores.detach().argmax(2).eq(labels) & positive).sum().item<int64_t>();
  return l;
}

}  // namespace mnas
