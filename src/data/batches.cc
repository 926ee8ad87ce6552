#include "data/batches.h"

#include "space/error.h"
#include "space/search_space.h"

namespace mnas {

HoldoutSplit split_holdout(int64_t size, int64_t holdout, int64_t train_images, uint64_t seed) {
  if (holdout < 0) throw Error("--holdout: must be ≥ 0");
  if (train_images < 0) throw Error("--train-images: must be ≥ 0 (0 = all)");
  if (holdout >= size) {
    throw Error("--holdout: " + std::to_string(holdout) + " leaves no training images (the set has " +
                std::to_string(size) + ")");
  }
  if (holdout + train_images > size) {
    throw Error("--train-images: " + std::to_string(train_images) + " plus " + std::to_string(holdout) +
                " held out exceed the " + std::to_string(size) + " training images");
  }
  std::mt19937_64 rng(seed);
  const torch::Tensor all = shuffled(torch::arange(size, torch::kLong), rng);
  HoldoutSplit s;
  s.holdout = all.narrow(0, 0, holdout).clone();
  const int64_t train = train_images == 0 ? size - holdout : train_images;
  s.train = all.narrow(0, holdout, train).clone();
  return s;
}

torch::Tensor shuffled(const torch::Tensor& indices, std::mt19937_64& rng) {
  torch::Tensor out = indices.clone();
  int64_t* p = out.data_ptr<int64_t>();
  for (int64_t i = out.size(0) - 1; i > 0; --i) {  // Fisher–Yates with our own uniform draw
    const int64_t j = uniform_index(rng, static_cast<int>(i + 1));
    std::swap(p[i], p[j]);
  }
  return out;
}

Normalization compute_normalization(const Dataset& data, const torch::Tensor& indices) {
  const torch::Tensor x = data.images.index_select(0, indices).to(torch::kFloat).div_(255.0f);
  const torch::Tensor flat = x.reshape({-1, data.channels});
  const torch::Tensor mean = flat.mean(0), std = flat.std(0).clamp_min(1e-3);
  Normalization n;
  for (int c = 0; c < data.channels; ++c) {
    n.mean.push_back(mean[c].item<float>());
    n.std.push_back(std[c].item<float>());
  }
  return n;
}

Batch make_batch(const Dataset& data, const torch::Tensor& indices, const Normalization& norm,
                 int height, int width, const AugmentOptions* augment, std::mt19937_64* rng) {
  torch::Tensor x = data.images.index_select(0, indices).to(torch::kFloat).div_(255.0f);
  x = x.permute({0, 3, 1, 2});  // NHWC → NCHW view (channels-last memory)
  const torch::Tensor mean = torch::tensor(norm.mean).view({1, -1, 1, 1});
  const torch::Tensor std = torch::tensor(norm.std).view({1, -1, 1, 1});
  x = (x - mean) / std;
  if (x.size(2) != height || x.size(3) != width) {
    x = torch::nn::functional::interpolate(
        x, torch::nn::functional::InterpolateFuncOptions()
               .size(std::vector<int64_t>{height, width})
               .mode(torch::kBilinear)
               .align_corners(false));
  }
  if (augment != nullptr && (augment->pad > 0 || augment->flip)) {
    const int p = augment->pad;
    torch::Tensor padded = p > 0 ? torch::constant_pad_nd(x, {p, p, p, p}, 0.0) : x;
    std::vector<torch::Tensor> items;
    for (int64_t i = 0; i < x.size(0); ++i) {
      const int dy = p > 0 ? uniform_index(*rng, 2 * p + 1) : 0;
      const int dx = p > 0 ? uniform_index(*rng, 2 * p + 1) : 0;
      torch::Tensor item = padded[i].narrow(1, dy, height).narrow(2, dx, width);
      if (augment->flip && uniform_index(*rng, 2) == 1) item = item.flip({2});
      items.push_back(item);
    }
    x = torch::stack(items);
  }
  Batch b;
  b.images = x.contiguous(torch::MemoryFormat::ChannelsLast);
  b.labels = data.labels.index_select(0, indices);
  return b;
}

}  // namespace mnas
