#ifndef MNAS_TRAIN_CHECKPOINT_H_
#define MNAS_TRAIN_CHECKPOINT_H_

#include <torch/torch.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/batches.h"
#include "space/architecture.h"
#include "train/trainer.h"

namespace mnas {

// A training run's checkpoint (the framing: train/checkpoint_file.h): "format", the architecture's
// canonical string, the options (JSON: the run's TrainOptions and notes — class names,
// preprocessing, the device it trained on, and for a detector "task": "detection" with what the
// head needs), the epochs done, the input normalisation, and the "model" and "optimizer" archives.

// What a checkpoint keeps of its run's options: every stored field of TrainOptions' table.
nlohmann::json options_json(const TrainOptions& options);

// Writes it whole or not at all (base/file_io.h's write_file_atomically).
void save_checkpoint(const std::string& path, const Architecture& arch,
                     const nlohmann::json& options, int epoch, const Normalization& norm,
                     torch::nn::Module& net, torch::optim::Optimizer& opt);

struct Checkpoint {
  Architecture arch;
  nlohmann::json options;
  int epoch = 0;
  Normalization norm;
  torch::serialize::InputArchive archive;
};

// "classification" unless the options say otherwise ("task").
std::string checkpoint_task(const nlohmann::json& options);

// The class names (a detector's: category names) and preprocessing note a checkpoint's options
// keep — absent in checkpoints from before them —, validated as any stored value is: names as
// validate_model_notes says, one per class of `arch` when there are names. Throws mnas::Error
// naming the file.
struct ModelNotes {
  std::vector<std::string> labels;
  std::string preprocess;
};
ModelNotes checkpoint_notes(const nlohmann::json& options, const Architecture& arch,
                            const std::string& path, bool detector = false);

// Reads `path`, every tensor onto `device` whichever device wrote it. Throws mnas::Error naming
// the file when it is not an mnas checkpoint, is damaged, or holds another task's network than
// `task` (a detector where a classifier is expected, and the reverse).
Checkpoint load_checkpoint(const std::string& path, const torch::Device& device,
                           const std::string& task = "classification");

// The options of the checkpoint at `path` (to tell a detector from a classifier before loading
// it as one). Throws as load_checkpoint does.
nlohmann::json load_checkpoint_options(const std::string& path);

// Loads a checkpoint's "model" archive into `net`, built from the checkpoint's own architecture.
// LibTorch's Module::load takes each stored tensor whatever its shape, so a file whose
// architecture and weights disagree loaded and evaluated without a word (or failed deep in a
// convolution with a stack trace): every tensor's shape is compared after loading.
void load_network_weights(torch::nn::Module& net, torch::serialize::InputArchive& archive,
                          const std::string& path);

// The checkpoint's "model" archive into `net` (load_network_weights), and its "optimizer" archive
// into `optimizer` when one is given (a resume). Throws mnas::Error naming `path` when either is
// damaged.
void load_model(Checkpoint& checkpoint, torch::nn::Module& net, const std::string& path,
                torch::optim::Optimizer* optimizer = nullptr);

}  // namespace mnas

#endif  // MNAS_TRAIN_CHECKPOINT_H_
