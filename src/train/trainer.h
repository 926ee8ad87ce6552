#ifndef MNAS_TRAIN_TRAINER_H_
#define MNAS_TRAIN_TRAINER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "graph/quantization.h"
#include "space/architecture.h"
#include "space/weights_file.h"

namespace mnas {

// Everything a training run depends on. Defaults are the full-training recipe for the proxy data
// (Fashion-MNIST at 28×28); the search's proxy training overrides epochs and train_images.
struct TrainOptions {
  std::string dataset = "fashion-mnist";  // see data/dataset.h
  std::string data_dir;                   // empty: the data set's default location
  int epochs = 30;                        // Default: 30
  int64_t train_images = 0;               // images trained on, 0 = all but the held-out ones
  int64_t holdout = 5000;                 // held out of the training set for scoring; Default 5000
  uint64_t split_seed = 1;                // fixes the held-out split (the same for every trial)
  int batch = 128;                        // Default: 128
  std::string optimizer = "sgd";          // sgd (momentum 0.9, Nesterov) | rmsprop | adam
  double lr = 0;  // 0 = the optimizer's default: sgd 0.05, rmsprop 0.016·batch/256, adam 1e-3
  double momentum = 0.9;
  bool nesterov = true;
  double weight_decay = 1e-4;       // L2 on every parameter; Default: 1e-4 (A1: 92.80% vs 92.36%)
  std::string schedule = "cosine";  // cosine | exponential (×0.97 every 2.4 epochs) | constant
  double warmup_epochs = 1;         // linear warm-up from 0; Default: 1 (0 for ≤ 1 epoch runs)
  double label_smoothing = 0.1;     // Default: 0.1
  int pad = 2;                      // random-crop padding in pixels; Default: 2
  bool flip = true;        // random horizontal flips; Default: on (A1 test 92.36% vs 91.92%)
  int threads = 0;         // LibTorch intra-op threads; 0 = every core
  // auto | cpu | cuda | cuda:K (train/train_device.h); Default: auto (a GPU when LibTorch has
  // CUDA and sees one, else the CPU). Not part of what a resume must repeat: a checkpoint loads
  // on either device.
  std::string device = "auto";
  uint64_t seed = 1;       // weights, shuffling, augmentation, dropout
  std::string checkpoint;  // written after every epoch when not empty
};

// Throws mnas::Error naming the bad option.
void validate(const TrainOptions& options);

// The proxy recipe the search scores candidates with: 1 epoch on 5,000 training images, 2,000
// held out, SGD at 0.05 without warm-up, no random crops or flips (in a 40-step run crops cost
// accuracy: MnasNet-A1 on Fashion-MNIST 68.2% with 2-pixel crops, 70.3% without).
TrainOptions proxy_options();

// The named training recipes: "full" (TrainOptions' defaults: 30 epochs, warm-up, crops, flips,
// label smoothing) and "proxy" (proxy_options(): exactly what a search trial trains). For the
// task "detection" (train/detection_trainer.h) either with what SSD's training changes:
// batches of kDetectionBatch and kDetectionHoldout held-out images. Throws mnas::Error for
// another name or task.
TrainOptions train_recipe(const std::string& name, const std::string& task = "classification");

// SSD's batch (its paper's 32): on the default scenes' 9,000 training images the full recipe's
// 30 epochs are then 8,460 steps instead of 2,130 at 128, and the detector is no longer short of
// steps (SSDLite on MnasNet-A1, test AP@.5: 0.728 at 128, 0.857 at 32; docs/detection.md).
constexpr int kDetectionBatch = 32;
// A tenth of the default scenes, not the classifier's 5,000 (half of them).
constexpr int64_t kDetectionHoldout = 1000;

struct TrainProgress {
  int epoch = 0, epochs = 0;      // 1-based epoch
  int64_t step = 0, steps = 0;    // within the epoch
  double loss = 0, accuracy = 0;  // running averages over the epoch
  double images_per_second = 0;
  double eta_seconds = 0;
};

struct TrainResult {
  std::string status = "done";  // "done" | "diverged"
  std::string reason;           // for diverged: where the loss stopped being finite
  int epochs_done = 0;
  double holdout_top1 = 0, holdout_top5 = 0;  // on the held-out split (0 when holdout = 0)
  double train_loss = 0;                      // last epoch's average
  double seconds = 0;                         // wall time of this call (resumed: this part only)
  double images_per_second = 0;               // training throughput
  int64_t params = 0;
  std::string device;  // where it trained: "cpu" or "cuda:K"
};

// Trains `arch` from scratch, or continues from `resume` (a checkpoint written by a run with the
// same architecture and options; only `epochs` may grow, which stretches the schedule from
// there on, so such a run does not end where a run trained for the larger count from the start
// would). Deterministic for a given seed and thread
// count: a run resumed from its checkpoint ends where the uninterrupted run ends. A loss that is
// not finite ends the run with status "diverged" instead of throwing. Throws mnas::Error for bad
// options, data or checkpoints.
TrainResult train(const Architecture& arch, const TrainOptions& options,
                  const std::function<void(const TrainProgress&)>& progress = nullptr,
                  const std::string& resume = "");

// BatchNorm's statistics are recomputed on this many training images at the end of a run, and
// before a score taken between steps on as many as are scored, from kMinStopRecalibrationImages
// to kRecalibrationImages: a stop only ranks runs for the next rung, and at 2,000 images a stop
// after 500 trained ones forwarded four times as many images to recalibrate as it trained on (a
// multi-fidelity search's first rung, `--fidelity 500,5000`: 28% less time on the same proposals
// with 500; docs/experiments.md).
constexpr int64_t kRecalibrationImages = 2000;
constexpr int64_t kMinStopRecalibrationImages = 250;
int64_t stop_recalibration_images(int64_t scored);

struct EvalResult {
  double top1 = 0, top5 = 0;
  int64_t images = 0;
  std::string split;
  Architecture arch;
  std::string precision = "fp32";  // int8: quantized after training (train/xnnpack_eval.h)
  int64_t calibration_images = 0;  // int8: the training images its ranges came from
  std::string calibration;         // int8: minmax or percentile
  double logits_step = 0;          // int8: the logits' quantization step (their scale)
};

// One training run that can stop between two steps, be scored there on the held-out split, and
// go on: the multi-fidelity proxy's rungs are prefixes of one run (search/fidelity.h). Scoring
// draws no random numbers and leaves the weights the training uses alone, so a run that stopped
// and went on ends exactly where the uninterrupted run ends (same seed and thread count), also
// when other runs trained in between. train() is one such run, advanced to its end.
class TrainingRun {
 public:
  // Throws mnas::Error for bad options, data or checkpoints (train()'s `resume`).
  TrainingRun(const Architecture& arch, const TrainOptions& options,
              const std::string& resume = "");
  ~TrainingRun();
  TrainingRun(const TrainingRun&) = delete;
  TrainingRun& operator=(const TrainingRun&) = delete;

  int64_t total_steps() const;  // optimisation steps of the whole run (after a resume: the rest)
  int64_t steps_done() const;
  int64_t parameters() const;
  // Trains on until `steps` steps are done (steps_done() ≤ steps ≤ total_steps(), else
  // mnas::Error), then scores on the first `holdout` held-out images (0: all of them), its
  // BatchNorm statistics recomputed for that (stop_recalibration_images(); at the run's end on
  // kRecalibrationImages). A run that diverged stays so. The result's seconds are this call's
  // training time.
  TrainResult advance(int64_t steps, int64_t holdout = 0,
                      const std::function<void(const TrainProgress&)>& progress = nullptr);
  // The network as the last advance() left it (its BatchNorm statistics), quantized to the int8
  // XNNPACK network (train/xnnpack_eval.h: BN folded, activation ranges calibrated on the run's
  // first training images) and scored on the first `holdout` held-out images (0: all of them):
  // what a device that runs int8 would score. Throws mnas::Error when it cannot be quantized.
  EvalResult quantized_holdout(int64_t holdout, const QuantizeOptions& quantize);

 private:
  struct State;
  std::unique_ptr<State> s_;
};


// The trained network of a checkpoint, in eval mode, with its normalisation and options (JSON).
struct LoadedCheckpoint {
  Architecture arch;
  std::vector<float> mean, std;
  std::string options_json;
  std::map<std::string, NamedWeights> folded_weights;  // see space/weights_file.h
  std::vector<std::string> labels;  // class names (empty: a checkpoint from before them)
  std::string preprocess;           // how training prepared images (data/dataset.h)
};
LoadedCheckpoint load_trained_checkpoint(const std::string& checkpoint);

// Evaluates a checkpoint on the test split ("test") or on its run's held-out split ("holdout"),
// on `device` (train/train_device.h forms; a checkpoint written on either device loads on both).
EvalResult evaluate_checkpoint(const std::string& checkpoint, const std::string& split,
                               const std::string& data_dir = "",
                               const std::string& device = "auto");

}  // namespace mnas

#endif  // MNAS_TRAIN_TRAINER_H_
