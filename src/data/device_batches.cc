#include "data/device_batches.h"

#include <cstdint>

namespace mnas {

ResidentData make_resident(const Dataset& data, torch::Device device) {
  ResidentData r;
  r.device = device;
  r.images = data.images.to(device);
  r.labels = data.labels.to(device);
  return r;
}

DeviceBatches::DeviceBatches(const Dataset& data, const ResidentData* resident,
                             const Normalization& norm, int height, int width,
                             bool channels_last)
    : data_(data),
      resident_(resident != nullptr && !resident->device.is_cpu() ? resident : nullptr),
      norm_(norm),
      height_(height),
      width_(width),
      channels_last_(channels_last) {
  if (resident_ != nullptr) {
    mean_ = torch::tensor(norm.mean).view({1, -1, 1, 1}).to(resident_->device);
    std_ = torch::tensor(norm.std).view({1, -1, 1, 1}).to(resident_->device);
  }
}

void DeviceBatches::set_order(const torch::Tensor& order) {
  order_ = order;
  if (resident_ != nullptr) order_on_device_ = order.to(resident_->device);
}

Batch DeviceBatches::get(int64_t start, int64_t count, const AugmentOptions* augment,
                         std::mt19937_64* rng) const {
  const torch::Tensor idx = order_.narrow(0, start, count);
  if (resident_ == nullptr) return make_batch(data_, idx, norm_, height_, width_, augment, rng);
  const torch::Tensor on_device = order_on_device_.narrow(0, start, count);
  const torch::Tensor bytes =
      augments(augment) ? batch_bytes(data_, idx, augment, rng)
                              .pin_memory()
                              .to(resident_->device, torch::kUInt8, /*non_blocking=*/true)
                        : resident_->images.index_select(0, on_device);
  Batch b;
  b.images = normalized_images(bytes, mean_, std_, height_, width_);
  if (!channels_last_) b.images = b.images.contiguous();
  b.labels = resident_->labels.index_select(0, on_device);
  return b;
}

}  // namespace mnas
