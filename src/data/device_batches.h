#ifndef MNAS_DATA_DEVICE_BATCHES_H_
#define MNAS_DATA_DEVICE_BATCHES_H_

#include <torch/torch.h>
#include <cstdint>

#include <random>

#include "data/batches.h"
#include "data/dataset.h"

namespace mnas {

// A data set's pixels and labels copied to a device once (Fashion-MNIST's 47 MB fit a GPU many
// times over), so that a batch never waits for a copy from the host.
struct ResidentData {
  torch::Device device = torch::kCPU;
  torch::Tensor images;  // uint8 [N, H, W, C] on `device`
  torch::Tensor labels;  // int64 [N] on `device`
};
ResidentData make_resident(const Dataset& data, torch::Device device);

// The batches of one data set, normalised, on one device. On the CPU each batch is exactly
// make_batch's. On a GPU the order of the pass is sent there once (set_order), and a batch is a
// gather and a normalisation on the GPU; augmented batches are cropped and flipped on the host
// (the bytes only) and sent without waiting. `data` and `resident` must outlive this object.
class DeviceBatches {
 public:
  // `channels_last` false: a GPU's batches are NCHW in memory (the CPU's are always NHWC).
  DeviceBatches(const Dataset& data, const ResidentData* resident, const Normalization& norm,
                int height, int width, bool channels_last = true);

  // The pass's image indices (CPU int64 into `data`).
  void set_order(const torch::Tensor& order);
  // The batch of `count` images from position `start` of the order.
  Batch get(int64_t start, int64_t count, const AugmentOptions* augment,
            std::mt19937_64* rng) const;

 private:
  const Dataset& data_;
  const ResidentData* resident_;  // nullptr: the CPU
  Normalization norm_;
  torch::Tensor mean_, std_;  // [1, C, 1, 1] on the device
  int height_, width_;
  bool channels_last_;
  torch::Tensor order_, order_on_device_;
};

}  // namespace mnas

#endif  // MNAS_DATA_DEVICE_BATCHES_H_
