#include "train/xnnpack_eval.h"

#include <cstdint>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "data/batches.h"
#include "data/dataset.h"
#include "graph/graph.h"
#include "latency/xnnpack_network.h"
#include "space/architecture_codec.h"
#include "train/evaluation_images.h"

namespace mnas {

EvalResult evaluate_checkpoint_xnnpack(const std::string& checkpoint, const std::string& split,
                                       const std::string& data_dir) {
  if (split != "test" && split != "holdout") throw Error("--split: use test or holdout");
  const LoadedCheckpoint c = load_trained_checkpoint(checkpoint);
  const EvaluationImages images = evaluation_images(
      nlohmann::json::parse(c.options_json), split, data_dir, c.arch);
  const Dataset& data = images.data;
  const torch::Tensor& indices = images.indices;
  Graph graph = lower_architecture(c.arch);
  apply_weights(graph, c.folded_weights);
  XnnpackNetwork net(std::move(graph));
  const Normalization norm{c.mean, c.std};
  int64_t top1 = 0, top5 = 0;
  const int64_t n = indices.size(0);
  for (int64_t start = 0; start < n; start += 256) {
    const torch::Tensor idx = indices.narrow(0, start, std::min<int64_t>(256, n - start));
    const Batch b =
        make_batch(data, idx, norm, c.arch.input.height, c.arch.input.width, nullptr, nullptr);
    const torch::Tensor nhwc = b.images.permute({0, 2, 3, 1}).contiguous();  // XNNPACK reads NHWC
    const int64_t per_image = nhwc[0].numel();
    for (int64_t i = 0; i < idx.size(0); ++i) {
      std::copy(nhwc.data_ptr<float>() + i * per_image,
                nhwc.data_ptr<float>() + (i + 1) * per_image, net.input());
      net.run();
      const int64_t label = b.labels[i].item<int64_t>();
      const float target = net.output()[label];
      int higher = 0;
      for (size_t k = 0; k < net.output_size(); ++k) higher += net.output()[k] > target;
      top1 += higher == 0;
      top5 += higher < 5;
    }
  }
  EvalResult r;
  r.arch = c.arch;
  r.split = split;
  r.images = n;
  r.top1 = double(top1) / n;
  r.top5 = double(top5) / n;
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
