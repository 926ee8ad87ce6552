#include "train/xnnpack_eval.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "data/batches.h"
#include "data/dataset.h"
#include "graph/graph.h"
#include "latency/int8_calibration.h"
#include "latency/xnnpack_network.h"
#include "space/architecture_codec.h"
#include "train/evaluation_images.h"

namespace mnas {

namespace {

// Images of a data set as an XNNPACK network reads them (NHWC floats, normalised, resized),
// made 256 at a time as they are asked for in order.
class NhwcImages {
 public:
  NhwcImages(const Dataset& data, const torch::Tensor& indices, const Normalization& norm,
             const ValueShape& input)
      : data_(data), indices_(indices), norm_(norm), input_(input) {}
  int64_t size() const { return indices_.size(0); }
  // Copies image i into `out` (input.elements() floats).
  void copy(int64_t i, float* out) {
    if (i < start_ || i >= start_ + count_) {
      start_ = i - i % kChunk;
      count_ = std::min<int64_t>(kChunk, size() - start_);
      const Batch b = make_batch(data_, indices_.narrow(0, start_, count_), norm_, input_.height,
                                 input_.width, nullptr, nullptr);
      nhwc_ = b.images.permute({0, 2, 3, 1}).contiguous();  // XNNPACK reads NHWC
    }
    const int64_t per_image = input_.elements();
    const float* from = nhwc_.data_ptr<float>() + (i - start_) * per_image;
    std::copy(from, from + per_image, out);
  }

 private:
  static constexpr int64_t kChunk = 256;
  const Dataset& data_;
  torch::Tensor indices_;
  Normalization norm_;
  ValueShape input_;
  int64_t start_ = 0, count_ = 0;
  torch::Tensor nhwc_;
};

// Feeds `indices` of `data` to `net` one image at a time; `each(i, net)` sees image i's output.
void run_images_xnnpack(XnnpackNetwork& net, const Dataset& data, const torch::Tensor& indices,
                        const Normalization& norm,
                        const std::function<void(int64_t, const XnnpackNetwork&)>& each) {
  NhwcImages images(data, indices, norm, net.graph().values[net.graph().input]);
  for (int64_t i = 0; i < images.size(); ++i) {
    images.copy(i, net.input());
    net.run();
    each(i, net);
  }
}

}  // namespace

XnnpackScores score_xnnpack(XnnpackNetwork& net, const Dataset& data, const torch::Tensor& indices,
                            const Normalization& norm, std::vector<float>* logits) {
  const torch::Tensor labels = data.labels.index_select(0, indices).to(torch::kLong).contiguous();
  const int64_t* label = labels.data_ptr<int64_t>();
  int64_t top1 = 0, top5 = 0;
  run_images_xnnpack(net, data, indices, norm, [&](int64_t i, const XnnpackNetwork& n) {
    if (logits) logits->insert(logits->end(), n.output(), n.output() + n.output_size());
    // The label's rank as argmax orders: a tie goes to the lower class index (int8 logits tie
    // often; counting a tie as a hit would score a quantized network too high).
    const int64_t y = label[i];
    const float target = n.output()[y];
    int higher = 0;
    for (size_t k = 0; k < n.output_size(); ++k) {
      higher += n.output()[k] > target || (n.output()[k] == target && int64_t(k) < y);
    }
    top1 += higher == 0;
    top5 += higher < 5;
  });
  const double count = std::max<int64_t>(1, indices.size(0));
  return {double(top1) / count, double(top5) / count};
}

Int8Calibration calibrate_on_images(const Graph& graph, const Dataset& data,
                                    const torch::Tensor& indices, const Normalization& norm,
                                    const QuantizeOptions& quantize) {
  const int64_t n = std::min<int64_t>(quantize.calibration_images, indices.size(0));
  if (n < 1) throw Error("calibration: no training images to calibrate on");
  NhwcImages images(data, indices.narrow(0, 0, n), norm, graph.values[graph.input]);
  return calibrate_int8(
      graph, n, [&](int64_t i, float* input) { images.copy(i, input); }, quantize.method);
}

Int8Calibration calibrate_checkpoint(const LoadedCheckpoint& c, const Graph& graph,
                                     const std::string& checkpoint, const std::string& data_dir,
                                     const QuantizeOptions& quantize) {
  if (quantize.calibration_images < 1) {
    throw Error::about("--calibration-images",
                       "must be ≥ 1, not " + std::to_string(quantize.calibration_images));
  }
  EvaluationImages train;
  try {
    train = evaluation_images(nlohmann::json::parse(c.options_json), "train", data_dir, c.arch);
  } catch (const Error& e) {
    throw Error(checkpoint + ": --precision int8 calibrates on the run's training images, "
                "which could not be read: " + e.what());
  }
  return calibrate_on_images(graph, train.data, train.indices, {c.mean, c.std}, quantize);
}

EvalResult evaluate_checkpoint_xnnpack(const std::string& checkpoint, const std::string& split,
                                       const std::string& data_dir, Precision precision,
                                       const QuantizeOptions& quantize,
                                       std::vector<float>* logits) {
  if (split != "test" && split != "holdout") throw Error("--split: use test or holdout");
  const LoadedCheckpoint c = load_trained_checkpoint(checkpoint);
  const nlohmann::json options = nlohmann::json::parse(c.options_json);
  Graph graph = lower_architecture(c.arch);
  apply_weights(graph, c.folded_weights);
  const Normalization norm{c.mean, c.std};
  EvalResult r;
  std::unique_ptr<XnnpackNetwork> net;
  if (precision == Precision::kInt8) {
    const Int8Calibration calibration =
        calibrate_checkpoint(c, graph, checkpoint, data_dir, quantize);
    r.calibration_images = calibration.images;
    r.calibration = to_string(calibration.method);
    r.logits_step = calibration.values[graph.output].scale;
    net = std::make_unique<XnnpackNetwork>(std::move(graph), calibration);
  } else {
    net = std::make_unique<XnnpackNetwork>(std::move(graph));
  }
  const EvaluationImages images = evaluation_images(options, split, data_dir, c.arch);
  const XnnpackScores s = score_xnnpack(*net, images.data, images.indices, norm, logits);
  r.arch = c.arch;
  r.split = split;
  r.images = images.indices.size(0);
  r.top1 = s.top1;
  r.top5 = s.top5;
  r.precision = to_string(precision);
  return r;
}

void export_checkpoint_weights(const std::string& checkpoint, const std::string& path) {
  const LoadedCheckpoint c = load_trained_checkpoint(checkpoint);
  WeightsFile w;
  w.arch = to_canonical_string(c.arch);
  w.mean = c.mean;
  w.std = c.std;
  w.tensors = c.folded_weights;
  w.labels = c.labels;
  w.preprocess = c.preprocess;
  write_weights_file(path, w);
}

}  // namespace mnas
