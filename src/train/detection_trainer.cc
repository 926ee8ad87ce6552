#include "train/detection_trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <optional>
#include <random>
#include <thread>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/stop.h"
#include "data/batches.h"
#include "data/detection_dataset.h"
#include "detection/box_coder.h"
#include "graph/detector_graph.h"
#include "latency/xnnpack_network.h"
#include "nn/detector.h"
#include "nn/network.h"
#include "space/architecture_codec.h"
#include "train/checkpoint.h"
#include "train/detection_loss.h"
#include "train/schedule.h"
#include "train/train_device.h"

namespace mnas {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int64_t kEvalBatch = 100;
constexpr int64_t kNormalizationImages = 5000;

nlohmann::json box_options_json(const DefaultBoxOptions& b) {
  return {{"min_scale", b.min_scale},
          {"max_scale", b.max_scale},
          {"aspect_ratios", b.aspect_ratios},
          {"reduce_first", b.reduce_first}};
}

DefaultBoxOptions box_options_from(const nlohmann::json& j, const std::string& path) {
  DefaultBoxOptions b;
  try {
    b.min_scale = j.at("min_scale").get<double>();
    b.max_scale = j.at("max_scale").get<double>();
    b.aspect_ratios = j.at("aspect_ratios").get<std::vector<double>>();
    b.reduce_first = j.at("reduce_first").get<bool>();
  } catch (const nlohmann::json::exception& e) {
    throw Error("checkpoint '" + path + "': damaged default boxes (" + e.what() + ")");
  }
  check_default_box_options(b);
  return b;
}

// Over the first kNormalizationImages training images at most (scenes are large).
Normalization detection_normalization(const DetectionDataset& data, const torch::Tensor& train) {
  return compute_normalization(
      data, train.narrow(0, 0, std::min<int64_t>(train.size(0), kNormalizationImages)));
}

// The network's input for images `indices` of `data` (bytes given: already augmented).
torch::Tensor network_input(const torch::Tensor& bytes, const Normalization& norm,
                            const torch::Device& device) {
  const torch::Tensor mean = torch::tensor(norm.mean).view({1, -1, 1, 1}).to(device);
  const torch::Tensor std = torch::tensor(norm.std).view({1, -1, 1, 1}).to(device);
  return normalized_images(bytes.to(device), mean, std, bytes.size(1), bytes.size(2));
}

struct Targets {
  torch::Tensor labels;   // int64 [B, A]
  torch::Tensor offsets;  // float [B, A, 4]
};

Targets batch_targets(const std::vector<CenterBox>& anchors,
                      const std::vector<std::vector<LabelledBox>>& objects,
                      const torch::Device& device) {
  const int64_t b = static_cast<int64_t>(objects.size()), a = static_cast<int64_t>(anchors.size());
  torch::Tensor labels = torch::empty({b, a}, torch::kInt64);
  torch::Tensor offsets = torch::empty({b, a, 4}, torch::kFloat);
  for (int64_t i = 0; i < b; ++i) {
    const BoxTargets t = assign_targets(anchors, objects[i]);
    std::copy(t.labels.begin(), t.labels.end(), labels[i].data_ptr<int64_t>());
    std::copy(t.offsets.begin(), t.offsets.end(), offsets[i].data_ptr<float>());
  }
  return {labels.to(device), offsets.to(device)};
}

// BatchNorm's running statistics recomputed on training images (cumulative average), as the
// classifier's training ends: after a short run the momentum-0.01 averages still lag.
void recalibrate(Detector& net, const DetectionDataset& data, const torch::Tensor& train,
                 const Normalization& norm, const torch::Device& device) {
  std::vector<torch::nn::BatchNorm2dImpl*> bns;
  for (auto& m : net->modules(false)) {
    if (auto* bn = m->as<torch::nn::BatchNorm2d>()) bns.push_back(bn);
  }
  for (auto* bn : bns) {
    bn->reset_running_stats();
    bn->options.momentum(c10::nullopt);
  }
  torch::NoGradGuard no_grad;
  net->train();
  const int64_t n = std::min<int64_t>(train.size(0), kRecalibrationImages);
  for (int64_t start = 0; start < n; start += kEvalBatch) {
    const torch::Tensor idx = train.narrow(0, start, std::min<int64_t>(kEvalBatch, n - start));
    net->forward(network_input(data.images.index_select(0, idx), norm, device));
  }
  for (auto* bn : bns) bn->options.momentum(0.01);
}

CocoMap score(Detector& net, const DetectionDataset& data, const torch::Tensor& indices,
              const Normalization& norm, const torch::Device& device,
              const PostprocessOptions& post) {
  torch::NoGradGuard no_grad;
  net->eval();
  std::vector<GroundTruthBox> truth;
  std::vector<DetectedBox> detected;
  const int classes = net->categories();
  const int64_t n = indices.size(0);
  for (int64_t start = 0; start < n; start += kEvalBatch) {
    const torch::Tensor idx = indices.narrow(0, start, std::min<int64_t>(kEvalBatch, n - start));
    const DetectorOutputs out =
        net->forward(network_input(data.images.index_select(0, idx), norm, device));
    const torch::Tensor probabilities = out.scores.softmax(2).to(torch::kCPU).contiguous();
    const torch::Tensor offsets = out.offsets.to(torch::kCPU, torch::kFloat).contiguous();
    for (int64_t k = 0; k < idx.size(0); ++k) {
      const int64_t image = idx[k].item<int64_t>();
      for (const LabelledBox& o : data.objects[image]) truth.push_back({image, o.category, o.box});
      for (const Detection& d :
           postprocess(probabilities[k].data_ptr<float>(), offsets[k].data_ptr<float>(),
                       net->default_boxes(), classes, post)) {
        detected.push_back({image, d.category, d.box, d.score});
      }
    }
  }
  net->train();
  return coco_map(truth, detected, post.max_per_image);
}

// The same scoring with the detector's XNNPACK graph (graph/detector_graph.h, BatchNorm folded):
// what a device runs, one image at a time, softmax and decoding here.
CocoMap score_xnnpack(Detector& net, const Architecture& backbone, const DefaultBoxOptions& boxes,
                      const DetectionDataset& data, const torch::Tensor& indices,
                      const Normalization& norm, const PostprocessOptions& post) {
  net->eval();
  Graph graph = lower_detector(backbone, net->categories(), boxes);
  apply_weights(graph, net->folded_weights());
  XnnpackNetwork x(std::move(graph));
  const int classes = net->categories();
  const size_t n = net->default_boxes().size(), k = static_cast<size_t>(classes) + 1;
  MNAS_ASSERT(x.output_size() == n * (k + 4));
  const int channels = backbone.input.channels;
  std::vector<float> probabilities(n * k);
  std::vector<GroundTruthBox> truth;
  std::vector<DetectedBox> detected;
  for (int64_t i = 0; i < indices.size(0); ++i) {
    const int64_t image = indices[i].item<int64_t>();
    const torch::Tensor bytes = data.images[image].contiguous();  // uint8 [H, W, C]: NHWC
    const uint8_t* px = bytes.data_ptr<uint8_t>();
    for (size_t p = 0; p < x.input_size(); ++p) {
      const int c = static_cast<int>(p % channels);
      x.input()[p] = (px[p] / 255.0f - norm.mean[c]) / norm.std[c];
    }
    x.run();
    const float* logits = x.output();
    for (size_t b = 0; b < n; ++b) {  // softmax per default box
      const float* l = logits + b * k;
      const float top = *std::max_element(l, l + k);
      double sum = 0;
      for (size_t c = 0; c < k; ++c) sum += std::exp(double(l[c]) - top);
      for (size_t c = 0; c < k; ++c) {
        probabilities[b * k + c] = static_cast<float>(std::exp(double(l[c]) - top) / sum);
      }
    }
    for (const LabelledBox& o : data.objects[image]) truth.push_back({image, o.category, o.box});
    for (const Detection& d : postprocess(probabilities.data(), logits + n * k,
                                          net->default_boxes(), classes, post)) {
      detected.push_back({image, d.category, d.box, d.score});
    }
  }
  return coco_map(truth, detected, post.max_per_image);
}

void check_dataset(const TrainOptions& o) {
  if (!is_detection_dataset(o.dataset)) {
    throw Error::about("dataset", "'" + o.dataset +
                                      "' is a classification set; a detector trains on coco:PATH "
                                      "(docs/detection.md)");
  }
}

}  // namespace

DetectionTrainResult train_detector(const Architecture& backbone_in, const TrainOptions& options,
                                    const DefaultBoxOptions& boxes,
                                    const std::function<void(const TrainProgress&)>& progress,
                                    const std::string& resume, const DetectionDataset* preloaded) {
  const TrainOptions& o = options;
  validate(o);
  check_dataset(o);
  check_default_box_options(boxes);
  const torch::Device device = resolve_train_device(o.device, "train_device");
  prepare_device(device);
  torch::set_num_threads(o.threads > 0
                             ? o.threads
                             : std::max(1, static_cast<int>(std::thread::hardware_concurrency())));
  Architecture arch = backbone_in;
  std::optional<DetectionDataset> loaded;
  if (!preloaded) {
    loaded = load_detection_dataset(o.dataset, Split::kTrain,
                                    {arch.input.height, arch.input.width, arch.input.channels});
  }
  const DetectionDataset& data = preloaded ? *preloaded : *loaded;
  arch.classes = static_cast<int>(data.categories.size());
  const HoldoutSplit split = split_holdout(data.size(), o.holdout, o.train_images, o.split_seed);

  nlohmann::json stored = options_json(o);
  stored["task"] = "detection";
  stored["default_boxes"] = box_options_json(boxes);
  stored["labels"] = data.categories;
  stored["preprocess"] =
      detection_preprocess(o.dataset, arch.input.height, arch.input.width, arch.input.channels);

  std::optional<Checkpoint> ckpt;
  if (!resume.empty()) {
    ckpt = load_checkpoint(resume, device, "detection");
    if (to_canonical_string(ckpt->arch) != to_canonical_string(arch)) {
      throw Error("--resume: the checkpoint holds another architecture");
    }
    for (auto it = stored.begin(); it != stored.end(); ++it) {
      if (it.key() == "epochs") continue;  // may grow on a resume
      if (!ckpt->options.contains(it.key()) || ckpt->options[it.key()] != it.value()) {
        throw Error(
            "--resume: option '" + it.key() + "' differs from the checkpoint's (" +
            (ckpt->options.contains(it.key()) ? ckpt->options[it.key()].dump() : "missing") +
            " there, " + it.value().dump() + " here)");
      }
    }
  }
  const Normalization norm = ckpt ? ckpt->norm : detection_normalization(data, split.train);

  torch::manual_seed(o.seed);
  Detector net(arch, arch.classes, boxes);  // initialised on the CPU: the same on every device
  net->to(device);
  const bool channels_last = channels_last_on(device);  // as the classifier trains (facts.md)
  if (channels_last) to_channels_last(*net);
  std::unique_ptr<torch::optim::Optimizer> opt = make_optimizer(o, *net);
  int start_epoch = 0;
  if (ckpt) {
    load_model(*ckpt, *net, resume, opt.get());
    if (channels_last) to_channels_last(*net);  // loading replaces the tensors' layout
    start_epoch = ckpt->epoch;
  }

  DetectionTrainResult result;
  result.params = count_parameters(*net);
  result.device = describe_train_device(device);
  result.epochs_done = start_epoch;
  const int64_t n = split.train.size(0), steps = (n + o.batch - 1) / o.batch;
  const Clock::time_point run_start = Clock::now();
  int64_t images_trained = 0;
  net->train();
  for (int epoch = start_epoch; epoch < o.epochs; ++epoch) {
    // Each epoch its own streams, so that a resumed run draws what the uninterrupted one drew.
    std::mt19937_64 rng(o.seed * 1000003u + static_cast<uint64_t>(epoch));
    torch::manual_seed(o.seed * 1000003u + static_cast<uint64_t>(epoch));
    const torch::Tensor order = shuffled(split.train, rng);
    const Clock::time_point epoch_start = Clock::now();
    double loss_sum = 0;
    int64_t positives = 0, correct = 0;
    for (int64_t step = 0; step < steps; ++step) {
      check_stop();
      const int64_t start = step * o.batch, count = std::min<int64_t>(o.batch, n - start);
      const torch::Tensor idx = order.narrow(0, start, count);
      torch::Tensor bytes = data.images.index_select(0, idx);
      std::vector<std::vector<LabelledBox>> objects;
      for (int64_t k = 0; k < count; ++k) objects.push_back(data.objects[idx[k].item<int64_t>()]);
      augment_detection_batch(bytes, objects, o.pad, o.flip, rng);
      const Targets targets = batch_targets(net->default_boxes(), objects, device);
      set_lr(*opt, lr_at(o, epoch + double(step) / steps));
      const DetectorOutputs out = net->forward(network_input(bytes, norm, device));
      const SsdLoss loss = ssd_loss(out.scores, out.offsets, targets.labels, targets.offsets);
      opt->zero_grad();
      loss.total.backward();
      opt->step();
      const double l = loss.total.item<double>();
      if (!std::isfinite(l)) {
        result.status = "diverged";
        result.reason = "loss " + std::to_string(l) + " at epoch " + std::to_string(epoch + 1) +
                        " step " + std::to_string(step + 1);
        result.seconds = std::chrono::duration<double>(Clock::now() - run_start).count();
        return result;
      }
      loss_sum += l;
      positives += loss.positives;
      correct += loss.correct;
      images_trained += count;
      if (progress) {
        TrainProgress p;
        p.epoch = epoch + 1;
        p.epochs = o.epochs;
        p.step = step + 1;
        p.steps = steps;
        p.loss = loss_sum / (step + 1);
        p.accuracy = positives > 0 ? double(correct) / positives : 0;
        const double secs = std::chrono::duration<double>(Clock::now() - epoch_start).count();
        p.images_per_second = secs > 0 ? double(start + count) / secs : 0;
        const double per_step = secs / (step + 1);
        p.eta_seconds = per_step * ((o.epochs - epoch - 1) * steps + (steps - step - 1));
        progress(p);
      }
    }
    result.train_loss = loss_sum / std::max<int64_t>(1, steps);
    result.epochs_done = epoch + 1;
    if (epoch + 1 == o.epochs) recalibrate(net, data, split.train, norm, device);
    if (!o.checkpoint.empty()) {
      nlohmann::json with_device = stored;
      with_device["train_device"] = describe_train_device(device);
      save_checkpoint(o.checkpoint, arch, with_device, epoch + 1, norm, *net, *opt);
    }
  }
  result.seconds = std::chrono::duration<double>(Clock::now() - run_start).count();
  result.images_per_second = result.seconds > 0 ? images_trained / result.seconds : 0;
  result.holdout_images = split.holdout.size(0);
  if (result.holdout_images > 0) {
    result.holdout = score(net, data, split.holdout, norm, device, PostprocessOptions());
  }
  return result;
}

DetectionEvalResult evaluate_detector(const std::string& path, const std::string& split,
                                      const std::string& device_spec,
                                      const PostprocessOptions& post, const std::string& engine) {
  if (split != "test" && split != "holdout") {
    throw Error::about("split", "unknown '" + split + "'; use test or holdout");
  }
  if (engine != "torch" && engine != "xnnpack") {
    throw Error::about("engine", "unknown '" + engine + "'; use torch or xnnpack");
  }
  const torch::Device device =
      engine == "torch" ? resolve_train_device(device_spec, "train_device") : torch::kCPU;
  prepare_device(device);
  Checkpoint c = load_checkpoint(path, device, "detection");
  const DefaultBoxOptions boxes =
      box_options_from(c.options.value("default_boxes", nlohmann::json()), path);
  TrainOptions o;
  try {
    o.dataset = c.options.at("dataset").get<std::string>();
    o.holdout = c.options.at("holdout").get<int64_t>();
    o.train_images = c.options.at("train_images").get<int64_t>();
    o.split_seed = c.options.at("split_seed").get<uint64_t>();
  } catch (const nlohmann::json::exception& e) {
    throw Error("checkpoint '" + path + "': damaged options (" + e.what() + ")");
  }
  Detector net(c.arch, c.arch.classes, boxes);
  load_model(c, *net, path);
  net->to(device);
  if (channels_last_on(device)) to_channels_last(*net);
  const ImageSize size{c.arch.input.height, c.arch.input.width, c.arch.input.channels};
  const DetectionDataset data =
      load_detection_dataset(o.dataset, split == "test" ? Split::kTest : Split::kTrain, size);
  if (static_cast<int>(data.categories.size()) != c.arch.classes) {
    throw Error("checkpoint '" + path + "': trained on " + std::to_string(c.arch.classes) +
                " categories, " + data.name + " has " + std::to_string(data.categories.size()));
  }
  torch::Tensor indices = torch::arange(data.size(), torch::kInt64);
  if (split == "holdout")
    indices = split_holdout(data.size(), o.holdout, o.train_images, o.split_seed).holdout;
  DetectionEvalResult r;
  r.map = engine == "torch" ? score(net, data, indices, c.norm, device, post)
                            : score_xnnpack(net, c.arch, boxes, data, indices, c.norm, post);
  r.images = indices.size(0);
  r.split = split;
  r.arch = c.arch;
  r.categories = data.categories;
  return r;
}

LoadedDetector load_trained_detector(const std::string& path) {
  Checkpoint c = load_checkpoint(path, torch::kCPU, "detection");
  LoadedDetector out;
  out.boxes = box_options_from(c.options.value("default_boxes", nlohmann::json()), path);
  Detector net(c.arch, c.arch.classes, out.boxes);
  load_model(c, *net, path);
  net->eval();
  out.backbone = c.arch;
  out.mean = c.norm.mean;
  out.std = c.norm.std;
  out.folded_weights = net->folded_weights();
  out.categories = checkpoint_notes(c.options, c.arch, path, /*detector=*/true).labels;
  return out;
}

}  // namespace mnas
