#include "train/trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/file_io.h"
#include "base/number_format.h"
#include "base/stop.h"
#include "data/batches.h"
#include "data/dataset.h"
#include "data/device_batches.h"
#include "graph/graph.h"
#include "latency/xnnpack_network.h"
#include "nn/network.h"
#include "space/architecture_codec.h"
#include "train/checkpoint.h"
#include "train/checkpoint_file.h"
#include "train/evaluation_images.h"
#include "train/schedule.h"
#include "train/sgd_step.h"
#include "train/train_device.h"
#include "train/train_options_fields.h"
#include "train/xnnpack_eval.h"

namespace mnas {
namespace {

using Clock = std::chrono::steady_clock;

struct Accuracy {
  double top1 = 0, top5 = 0;
};

// Top-1 and top-5 over the images `batches` was given as its order (counted on the device: one
// wait at the end).
Accuracy evaluate(Network& net, DeviceBatches& batches, const torch::Tensor& indices) {
  torch::NoGradGuard no_grad;
  net->eval();
  batches.set_order(indices);
  torch::Tensor top1, top5;
  const int64_t n = indices.size(0);
  for (int64_t start = 0; start < n; start += 500) {
    const Batch b = batches.get(start, std::min<int64_t>(500, n - start), nullptr, nullptr);
    const torch::Tensor logits = net->forward(b.images);
    const int64_t k = std::min<int64_t>(5, logits.size(1));
    const torch::Tensor topk = std::get<1>(logits.topk(k, 1));
    const torch::Tensor hit = topk.eq(b.labels.unsqueeze(1));
    const torch::Tensor h1 = hit.select(1, 0).sum(), h5 = hit.any(1).sum();
    top1 = top1.defined() ? top1 + h1 : h1;
    top5 = top5.defined() ? top5 + h5 : h5;
  }
  net->train();
  if (n == 0) return {};
  return {double(top1.item<int64_t>()) / n, double(top5.item<int64_t>()) / n};
}

// A search trains hundreds of networks on the same data: read (and gunzip) it once per process.
ImageSize image_size(const Architecture& arch) {
  return {arch.input.height, arch.input.width, arch.input.channels};
}

// Image folders are decoded at the architecture's input size, so the size is part of the key. On
// a GPU the set is kept there too, once per process and device.
struct CachedSet {
  Dataset data;
  std::map<std::string, std::unique_ptr<ResidentData>> on_device;
};
std::mutex cache_mutex;

CachedSet& cached_training_set(const std::string& name, const std::string& dir,
                               const InputShape& input) {
  static std::map<std::string, std::unique_ptr<CachedSet>> cache;
  std::lock_guard<std::mutex> lock(cache_mutex);
  auto& slot = cache[name + '\n' + dir + '\n' + to_string(input)];
  if (!slot) {
    slot = std::make_unique<CachedSet>();
    slot->data = load_dataset(name, dir, Split::kTrain,
                              ImageSize{input.height, input.width, input.channels});
  }
  return *slot;
}

// nullptr on the CPU (the set is there already).
const ResidentData* resident_copy(CachedSet& set, const torch::Device& device) {
  if (device.is_cpu()) return nullptr;
  std::lock_guard<std::mutex> lock(cache_mutex);
  auto& slot = set.on_device[device.str()];
  if (!slot) slot = std::make_unique<ResidentData>(make_resident(set.data, device));
  return slot.get();
}

// Short runs leave BatchNorm's running statistics far from the data (momentum 0.01 moves them 1%
// per step), and evaluation uses them. Before every evaluation the statistics are recomputed as a
// plain average over the first `images` training images (no augmentation, fixed order), as NAS
// proxy evaluations commonly do; deterministic, so resumed and uninterrupted runs agree.
void recalibrate_batch_norm(Network& net, DeviceBatches& batches, const torch::Tensor& train,
                            int64_t images) {
  std::vector<torch::nn::BatchNorm2dImpl*> bns;
  for (auto& m : net->modules(false)) {
    if (auto* bn = m->as<torch::nn::BatchNorm2d>()) bns.push_back(bn);
  }
  for (auto* bn : bns) {
    bn->reset_running_stats();
    bn->options.momentum(c10::nullopt);  // cumulative average
  }
  torch::NoGradGuard no_grad;
  net->eval();  // dropout off: recalibrating draws no random numbers, so a paused run goes on
  for (auto* bn : bns) bn->train();  // as if it had not stopped
  const int64_t n = std::min<int64_t>(train.size(0), images);
  batches.set_order(train.narrow(0, 0, n));
  for (int64_t start = 0; start < n; start += 250) {
    net->forward(batches.get(start, std::min<int64_t>(250, n - start), nullptr, nullptr).images);
  }
  for (auto* bn : bns) bn->options.momentum(0.01);
  net->train();
}

// Checkpoint file: train/checkpoint_file.h's framing around a LibTorch archive: "format" =
// "mnas-checkpoint/1", "arch" (canonical string), "options" (JSON), "epoch" (epochs done),
// "mean"/"std" (normalisation), "model", "optimizer". Files written before the framing (a bare
// archive) are still read.
// What the exported network's user must know, as "labels" and "preprocess" of the checkpoint's
// options: the class names and how images were prepared. Read once per run (an image folder is
// listed for its class names); empty when the folder went away since its images were read.
nlohmann::json model_notes(const TrainOptions& o, const Architecture& arch) {
  nlohmann::json notes = nlohmann::json::object();
  try {
    notes["labels"] = dataset_labels(o.dataset);
    notes["preprocess"] =
        dataset_preprocess(o.dataset, arch.input.height, arch.input.width, arch.input.channels);
  } catch (const Error&) {
  }
  return notes;
}

}  // namespace

void validate(const TrainOptions& o) {
  field_table::check_ranges(train_option_fields(), o);  // each number in its range
  if (o.optimizer != "sgd" && o.optimizer != "rmsprop" && o.optimizer != "adam") {
    throw Error::about("optimizer", "unknown '" + o.optimizer + "'; use sgd, rmsprop or adam");
  }
  if (o.schedule != "cosine" && o.schedule != "exponential" && o.schedule != "constant") {
    throw Error::about("schedule",
                       "unknown '" + o.schedule + "'; use cosine, exponential or constant");
  }
  if (o.threads > 256) throw Error::about("threads", "must be in [0, 256] (0 = every core)");
  check_train_device_spec(o.device, "train_device");
}

TrainOptions proxy_options() {
  // The full recipe's defaults with what a 40-step run changes (trainer.h says why).
  TrainOptions o;
  field_table::read(train_option_fields(), nlohmann::json::parse(R"({
      "epochs": 1, "train_images": 5000, "holdout": 2000, "lr": 0.05, "warmup_epochs": 0,
      "pad": 0, "flip": false, "weight_decay": 4e-5})"),
                    o, "proxy recipe", /*partial=*/true);
  return o;
}

TrainOptions train_recipe(const std::string& name, const std::string& task) {
  if (name != "full" && name != "proxy") {
    throw Error::about("recipe", "unknown '" + name + "'; use full or proxy");
  }
  if (task != "classification" && task != "detection") {
    throw Error::about("task", "unknown '" + task + "'; use classification or detection");
  }
  TrainOptions o = name == "full" ? TrainOptions{} : proxy_options();
  if (task == "detection") {
    o.batch = kDetectionBatch;
    o.holdout = kDetectionHoldout;
  }
  return o;
}

// Everything one run holds between two advance() calls: the network and optimizer, where in
// the run it is (epoch, step), the epoch's order and random streams, and the running sums.
struct TrainingRun::State {
  Architecture arch;
  TrainOptions o;
  nlohmann::json notes;  // model_notes: written into every checkpoint of the run
  torch::Device device = torch::kCPU;
  bool channels_last = false;
  HoldoutSplit split;
  std::unique_ptr<DeviceBatches> batches;
  Network net{nullptr};
  std::unique_ptr<torch::optim::Optimizer> opt;
  torch::optim::SGD* sgd = nullptr;
  int64_t sync_steps = 1;
  int64_t n = 0, steps = 0;  // images and steps per epoch
  int start_epoch = 0;       // epochs a resumed checkpoint had done
  int epoch = 0;             // the next step's position in the run
  int64_t step = 0;
  std::mt19937_64 rng;       // the epoch's augmentation stream
  torch::Tensor order;       // the epoch's shuffled training images
  torch::Tensor generator;   // torch's generator while paused (another run may use it meanwhile)
  double loss_sum = 0;
  int64_t correct = 0, seen = 0, counted = 0;
  torch::Tensor pending_loss, pending_correct;  // GPU: sums since the last read
  Clock::time_point epoch_start;
  double epoch_seconds_before = 0;  // of the current epoch, in earlier advance() calls
  TrainResult result;               // what the run has so far (status, epochs, loss)
  Normalization norm;
  const Dataset* data = nullptr;  // the process's cached training set (cached_training_set)
};

TrainingRun::TrainingRun(const Architecture& arch, const TrainOptions& options,
                         const std::string& resume)
    : s_(std::make_unique<State>()) {
  State& s = *s_;
  s.arch = arch;
  s.o = options;
  TrainOptions& o = s.o;
  validate(o);
  s.device = resolve_train_device(o.device, "train_device");
  prepare_device(s.device);
  s.channels_last = channels_last_on(s.device);
  std::optional<Checkpoint> ckpt;
  if (!resume.empty()) {
    ckpt = load_checkpoint(resume, s.device);
    if (to_canonical_string(ckpt->arch) != to_canonical_string(arch)) {
      throw Error("--resume: the checkpoint holds another architecture");
    }
    nlohmann::json want = options_json(o), have = ckpt->options;
    for (const char* free : {"epochs", "train_device"}) {  // may change on a resume
      want.erase(free);
      have.erase(free);
    }
    if (want != have) {
      for (auto it = want.begin(); it != want.end(); ++it) {
        if (!have.contains(it.key()) || have[it.key()] != it.value()) {
          throw Error("--resume: option '" + it.key() + "' differs from the checkpoint's (" +
                      (have.contains(it.key()) ? have[it.key()].dump() : "missing") + " there, " +
                      it.value().dump() + " here)");
        }
      }
    }
  }
  // LibTorch's own default here is one thread (its OpenMP runtime sees no OMP_NUM_THREADS); use
  // every core unless told otherwise: 240 vs 178 images/s for MnasNet-A1 at 28×28 on 2 cores.
  torch::set_num_threads(o.threads > 0
                             ? o.threads
                             : std::max(1, static_cast<int>(std::thread::hardware_concurrency())));
  CachedSet& cached = cached_training_set(o.dataset, o.data_dir, arch.input);
  const Dataset& data = cached.data;
  s.data = &data;
  if (data.channels != arch.input.channels) {
    throw Error("input.channels: the architecture takes " + std::to_string(arch.input.channels) +
                " channels, " + data.name + " has " + std::to_string(data.channels));
  }
  if (data.classes != arch.classes) {
    throw Error("classes: the architecture has " + std::to_string(arch.classes) + ", " + data.name +
                " has " + std::to_string(data.classes) + " (use --classes " +
                std::to_string(data.classes) + ")");
  }
  s.split = split_holdout(data.size(), o.holdout, o.train_images, o.split_seed);
  s.norm = ckpt ? ckpt->norm : compute_normalization(data, s.split.train);
  if (!o.checkpoint.empty()) s.notes = model_notes(o, arch);
  s.batches = std::make_unique<DeviceBatches>(data, resident_copy(cached, s.device), s.norm,
                                              arch.input.height, arch.input.width,
                                              s.channels_last);

  torch::manual_seed(o.seed);
  s.net = Network(arch);  // initialised on the CPU: the same weights on every device
  s.net->to(s.device);
  if (s.channels_last) to_channels_last(*s.net);
  s.opt = make_optimizer(o, *s.net);
  if (ckpt) {
    load_model(*ckpt, *s.net, resume, s.opt.get());
    if (s.channels_last) to_channels_last(*s.net);  // loading replaces the tensors' layout
    s.start_epoch = ckpt->epoch;
  }
  // On a GPU the host must not wait for it after every step: the step is queued, the loss and the
  // hits are summed there, and read (a wait) every kSyncSteps steps, where progress is reported
  // and a loss that is not finite is noticed. The optimizer's step and the gradients' reset use
  // multi-tensor kernels (sgd_step.h). On the CPU every step is read, as before.
  s.sync_steps = s.device.is_cuda() ? 25 : 1;
  s.sgd = dynamic_cast<torch::optim::SGD*>(s.opt.get());
  s.result.params = count_parameters(*s.net);
  s.result.device = describe_train_device(s.device);
  s.result.epochs_done = s.start_epoch;
  s.n = s.split.train.size(0);
  s.steps = (s.n + o.batch - 1) / o.batch;
  s.epoch = std::max(s.start_epoch, 0);
  s.net->train();
}

TrainingRun::~TrainingRun() = default;

int64_t TrainingRun::total_steps() const {
  return static_cast<int64_t>(std::max(0, s_->o.epochs - s_->start_epoch)) * s_->steps;
}

int64_t TrainingRun::steps_done() const {
  const State& s = *s_;
  return static_cast<int64_t>(std::max(0, s.epoch - s.start_epoch)) * s.steps + s.step;
}

int64_t TrainingRun::parameters() const { return s_->result.params; }

TrainResult TrainingRun::advance(int64_t until, int64_t holdout,
                                 const std::function<void(const TrainProgress&)>& progress) {
  State& s = *s_;
  const TrainOptions& o = s.o;
  TrainResult result = s.result;
  if (until < steps_done() || until > total_steps()) {
    throw Error("training run: cannot stop at step " + std::to_string(until) + " (done " +
                std::to_string(steps_done()) + " of " + std::to_string(total_steps()) + ")");
  }
  const auto start = Clock::now();
  int64_t images = 0;
  // A handle: the same generator, whose state this run takes back and keeps.
  at::Generator generator = at::globalContext().defaultGenerator(s.device);
  if (s.generator.defined()) generator.set_state(s.generator);
  AugmentOptions augment;
  augment.pad = o.pad;
  augment.flip = o.flip;
  const bool gpu = s.device.is_cuda();
  if (s.result.status == "done") {
    while (steps_done() < until) {
      if (s.step == 0) {
        // Everything random in an epoch derives from (seed, epoch): a resumed run repeats it.
        s.rng.seed(o.seed * 1000003 + s.epoch);
        torch::manual_seed(o.seed * 1000003 + s.epoch);
        s.order = shuffled(s.split.train, s.rng);
        s.batches->set_order(s.order);
        s.loss_sum = 0;
        s.correct = s.seen = s.counted = 0;
        s.epoch_seconds_before = 0;
      }
      s.epoch_start = Clock::now();
      const int64_t stop =
          std::min<int64_t>(s.steps, s.step + (until - steps_done()));  // within this epoch
      for (; s.step < stop; ++s.step) {
        check_stop();  // a caller's stop (base/stop.h: Ctrl-C in Python), between two steps
        const int64_t step = s.step;
        set_lr(*s.opt, lr_at(o, s.epoch + double(step) / s.steps));
        const int64_t count = std::min<int64_t>(o.batch, s.n - step * o.batch);
        const Batch b = s.batches->get(step * o.batch, count, &augment, &s.rng);
        const torch::Tensor logits = s.net->forward(b.images);
        const torch::Tensor loss = torch::nn::functional::cross_entropy(
            logits, b.labels,
            torch::nn::functional::CrossEntropyFuncOptions().label_smoothing(o.label_smoothing));
        const torch::Tensor step_loss = loss.detach().to(torch::kDouble) * double(count);
        const torch::Tensor step_correct = logits.argmax(1).eq(b.labels).sum();
        s.pending_loss = s.pending_loss.defined() ? s.pending_loss + step_loss : step_loss;
        s.pending_correct =
            s.pending_correct.defined() ? s.pending_correct + step_correct : step_correct;
        s.seen += count;
        const bool read = (step + 1) % s.sync_steps == 0 || step + 1 == s.steps ||
                          steps_done() + 1 == until;
        if (read) {
          const double l = s.pending_loss.item<double>();
          if (!std::isfinite(l)) {
            s.result.status = "diverged";
            s.result.reason =
                "loss is " + format_double(l) + " at epoch " + std::to_string(s.epoch + 1) +
                ", step " + std::to_string(step + 1) +
                (s.sync_steps > 1 ? " (or up to " + std::to_string(s.sync_steps - 1) +
                                        " steps earlier)"
                                  : std::string());
            result = s.result;
            result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
            s.generator = generator.get_state();
            return result;
          }
          s.loss_sum += l;
          s.correct += s.pending_correct.item<int64_t>();
          s.counted = s.seen;
          s.pending_loss = torch::Tensor();
          s.pending_correct = torch::Tensor();
        }
        if (gpu) {
          drop_gradients(*s.opt);
        } else {
          s.opt->zero_grad();
        }
        loss.backward();
        if (gpu && s.sgd != nullptr) {
          sgd_step_foreach(*s.sgd);
        } else {
          s.opt->step();
        }
        images += count;
        if (progress && read) {
          TrainProgress p;
          p.epoch = s.epoch + 1;
          p.epochs = o.epochs;
          p.step = step + 1;
          p.steps = s.steps;
          p.loss = s.loss_sum / s.counted;
          p.accuracy = double(s.correct) / s.counted;
          const double elapsed =
              s.epoch_seconds_before +
              std::chrono::duration<double>(Clock::now() - s.epoch_start).count();
          p.images_per_second = s.counted / std::max(elapsed, 1e-9);
          const double remaining =
              double(s.steps - step - 1) * o.batch + double(o.epochs - s.epoch - 1) * s.n;
          p.eta_seconds = remaining / std::max(p.images_per_second, 1e-9);
          progress(p);
        }
      }
      s.result.train_loss = s.loss_sum / std::max<int64_t>(s.counted, 1);
      if (s.step < s.steps) {  // stopped inside the epoch
        s.epoch_seconds_before +=
            std::chrono::duration<double>(Clock::now() - s.epoch_start).count();
        break;
      }
      s.result.epochs_done = s.epoch + 1;
      if (s.epoch + 1 == o.epochs) {
        recalibrate_batch_norm(s.net, *s.batches, s.split.train, kRecalibrationImages);
      }
      if (!o.checkpoint.empty()) {
        nlohmann::json options = options_json(o);
        options["train_device"] = describe_train_device(s.device);
        options.update(s.notes);
        save_checkpoint(o.checkpoint, s.arch, options, s.epoch + 1, s.norm, *s.net, *s.opt);
      }
      ++s.epoch;
      s.step = 0;
    }
  }
  result = s.result;
  synchronize_device(s.device);
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  result.images_per_second = images / std::max(result.seconds, 1e-9);
  const int64_t scored =
      holdout > 0 ? std::min<int64_t>(holdout, s.split.holdout.size(0)) : s.split.holdout.size(0);
  if (result.status == "done" && scored > 0) {
    const bool finished = steps_done() == total_steps();
    // Scoring between steps: the statistics are recalibrated for it (the run's end did that
    // already) and the epoch's order is put back; neither the weights the training uses nor
    // the random streams change, so the run goes on as if it had not stopped.
    if (!finished) {
      recalibrate_batch_norm(s.net, *s.batches, s.split.train, stop_recalibration_images(scored));
    }
    const Accuracy acc = evaluate(s.net, *s.batches, s.split.holdout.narrow(0, 0, scored));
    if (!finished && s.order.defined()) s.batches->set_order(s.order);
    result.holdout_top1 = acc.top1;
    result.holdout_top5 = acc.top5;
  }
  s.generator = generator.get_state();
  return result;
}

EvalResult TrainingRun::quantized_holdout(int64_t holdout, const QuantizeOptions& quantize) {
  State& s = *s_;
  if (s.result.status != "done") throw Error("quantizing: the run " + s.result.status);
  Graph graph = lower_architecture(s.arch);
  apply_weights(graph, s.net->folded_weights());
  const Int8Calibration calibration =
      calibrate_on_images(graph, *s.data, s.split.train, s.norm, quantize);
  XnnpackNetwork net(std::move(graph), calibration);
  const int64_t available = s.split.holdout.size(0);
  const int64_t scored = holdout > 0 ? std::min(holdout, available) : available;
  const XnnpackScores scores =
      score_xnnpack(net, *s.data, s.split.holdout.narrow(0, 0, scored), s.norm);
  EvalResult r;
  r.top1 = scores.top1;
  r.top5 = scores.top5;
  r.images = scored;
  r.split = "holdout";
  r.arch = s.arch;
  r.precision = "int8";
  r.calibration_images = calibration.images;
  r.calibration = to_string(calibration.method);
  return r;
}

int64_t stop_recalibration_images(int64_t scored) {
  return std::min(kRecalibrationImages, std::max(kMinStopRecalibrationImages, scored));
}

TrainResult train(const Architecture& arch, const TrainOptions& options,
                  const std::function<void(const TrainProgress&)>& progress,
                  const std::string& resume) {
  TrainingRun run(arch, options, resume);
  return run.advance(run.total_steps(), 0, progress);
}

LoadedCheckpoint load_trained_checkpoint(const std::string& path) {
  Checkpoint c = load_checkpoint(path, torch::kCPU);
  Network net(c.arch);
  load_model(c, *net, path);
  net->eval();
  LoadedCheckpoint out;
  out.arch = c.arch;
  out.mean = c.norm.mean;
  out.std = c.norm.std;
  out.options_json = c.options.dump();
  out.folded_weights = net->folded_weights();
  ModelNotes notes = checkpoint_notes(c.options, c.arch, path);
  out.labels = std::move(notes.labels);
  out.preprocess = std::move(notes.preprocess);
  return out;
}

EvaluationImages evaluation_images(const nlohmann::json& options, const std::string& split,
                                   const std::string& data_dir, const Architecture& arch) {
  if (split != "test" && split != "holdout" && split != "train") {
    throw Error("--split: use test or holdout");
  }
  const std::string dataset = options.value("dataset", "fashion-mnist");
  EvaluationImages out{
      load_dataset(dataset, data_dir, split == "test" ? Split::kTest : Split::kTrain,
                   image_size(arch)),
      torch::Tensor()};
  if (split == "test") {
    out.indices = torch::arange(out.data.size(), torch::kLong);
  } else {
    const HoldoutSplit parts = split_holdout(
        out.data.size(), options.at("holdout").get<int64_t>(),
        options.at("train_images").get<int64_t>(), options.at("split_seed").get<uint64_t>());
    out.indices = split == "train" ? parts.train : parts.holdout;
  }
  return out;
}

EvalResult evaluate_checkpoint(const std::string& path, const std::string& split,
                               const std::string& data_dir, const std::string& device_spec) {
  if (split != "test" && split != "holdout") throw Error("--split: use test or holdout");
  const torch::Device device = resolve_train_device(device_spec, "train_device");
  prepare_device(device);
  const bool channels_last = channels_last_on(device);
  Checkpoint c = load_checkpoint(path, device);
  Network net(c.arch);
  net->to(device);
  load_model(c, *net, path);
  if (channels_last) to_channels_last(*net);
  const EvaluationImages images = evaluation_images(c.options, split, data_dir, c.arch);
  const ResidentData resident = make_resident(images.data, device);
  DeviceBatches batches(images.data, &resident, c.norm, c.arch.input.height, c.arch.input.width,
                        channels_last);
  const Accuracy a = evaluate(net, batches, images.indices);
  EvalResult r;
  r.arch = c.arch;
  r.split = split;
  r.top1 = a.top1;
  r.top5 = a.top5;
  r.images = images.indices.size(0);
  return r;
}

}  // namespace mnas
