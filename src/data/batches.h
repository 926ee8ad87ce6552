#ifndef MNAS_DATA_BATCHES_H_
#define MNAS_DATA_BATCHES_H_

#include <torch/torch.h>

#include <cstdint>
#include <random>
#include <vector>

#include "data/dataset.h"

namespace mnas {

// Indices into a training set: a fixed, seeded permutation; the first `holdout` items are held
// out (the search scores on them; the paper held out 50K ImageNet training images), and of the
// rest the first `train_images` (0 = all) are trained on.
struct HoldoutSplit {
  torch::Tensor train;    // int64 indices
  torch::Tensor holdout;  // int64 indices
};
// Throws mnas::Error when holdout + train_images exceed the data set or holdout < 0.
HoldoutSplit split_holdout(int64_t size, int64_t holdout, int64_t train_images, uint64_t seed);

// Per-channel mean and standard deviation of pixel values in [0, 1].
struct Normalization {
  std::vector<float> mean;
  std::vector<float> std;
};
// Over images `indices` of `data`.
Normalization compute_normalization(const ImageSet& data, const torch::Tensor& indices);

struct AugmentOptions {
  int pad = 0;        // random crop after zero-padding this many pixels on each side
  bool flip = false;  // random horizontal flip
};
// Whether `augment` (nullptr: none) changes any image.
inline bool augments(const AugmentOptions* augment) {
  return augment != nullptr && (augment->pad > 0 || augment->flip);
}

// One batch: float images [B, C, H, W] (normalised, augmented when `augment` is given, resized
// bilinearly to height × width when the data set's size differs) and int64 labels [B].
struct Batch {
  torch::Tensor images;
  torch::Tensor labels;
};
Batch make_batch(const Dataset& data, const torch::Tensor& indices, const Normalization& norm,
                 int height, int width, const AugmentOptions* augment, std::mt19937_64* rng);

// make_batch's two halves, for data kept on another device (data/device_batches.h): the images'
// bytes (uint8 [B, H, W, C], augmented when `augment` asks for it) and their normalised floats
// (NHWC memory, NCHW view, resized) on the bytes' device; `mean` and `std` are [1, C, 1, 1].
torch::Tensor batch_bytes(const Dataset& data, const torch::Tensor& indices,
                          const AugmentOptions* augment, std::mt19937_64* rng);
torch::Tensor normalized_images(const torch::Tensor& bytes, const torch::Tensor& mean,
                                const torch::Tensor& std, int height, int width);

// A seeded shuffle of `indices` (the same on every platform).
torch::Tensor shuffled(const torch::Tensor& indices, std::mt19937_64& rng);

}  // namespace mnas

#endif  // MNAS_DATA_BATCHES_H_
