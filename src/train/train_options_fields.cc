#include "train/train_options_fields.h"

namespace mnas {
namespace {

using F = Field<TrainOptions>;

std::vector<F> make_train_option_fields() {
  std::vector<F> t;
  t.push_back(
      F("dataset", FieldKind::kText, MNAS_FIELD(TrainOptions, dataset))
          .flag("--dataset",
                "fashion-mnist, mnist, cifar10, cifar100 or folder:PATH (PATH/train/<class>/ "
                "and PATH/test/<class>/ images, or PATH/<class>/ for training only; PNG, "
                "JPEG, BMP or GIF, resized to the input); with --task detection coco:PATH "
                "(a COCO-format detection set, docs/detection.md)"));
  t.push_back(F("data_dir", FieldKind::kText, MNAS_FIELD(TrainOptions, data_dir))
                  .flag("--data-dir", "Directory of the data set files",
                        "for fashion-mnist /usr/share/datasets/fashion-mnist")
                  .not_stored());
  t.push_back(F("epochs", FieldKind::kInteger, MNAS_FIELD(TrainOptions, epochs))
                  .flag("--epochs", "Epochs")
                  .range(1, 10000));
  t.push_back(F("train_images", FieldKind::kInteger, MNAS_FIELD(TrainOptions, train_images))
                  .flag("--train-images",
                        "Train on this many images of the training split (0 = all)")
                  .at_least(0));
  t.push_back(F("holdout", FieldKind::kInteger, MNAS_FIELD(TrainOptions, holdout))
                  .flag("--holdout", "Training images held out for the reported accuracy")
                  .at_least(0));
  t.push_back(F("split_seed", FieldKind::kInteger, MNAS_FIELD(TrainOptions, split_seed))
                  .at_least(0));
  t.push_back(F("batch", FieldKind::kInteger, MNAS_FIELD(TrainOptions, batch))
                  .flag("--batch", "Batch size")
                  .range(1, 65536));
  t.push_back(F("optimizer", FieldKind::kText, MNAS_FIELD(TrainOptions, optimizer))
                  .flag("--optimizer", "sgd (momentum 0.9, Nesterov), rmsprop or adam"));
  t.push_back(F("lr", FieldKind::kReal, MNAS_FIELD(TrainOptions, lr))
                  .flag("--lr", "Peak learning rate",
                        "sgd 0.05, rmsprop 0.016*batch/256, adam 1e-3")
                  .range(0, 1000));
  t.push_back(F("momentum", FieldKind::kReal, MNAS_FIELD(TrainOptions, momentum)).range(0, 1));
  t.push_back(F("nesterov", FieldKind::kSwitch, MNAS_FIELD(TrainOptions, nesterov)));
  t.push_back(F("weight_decay", FieldKind::kReal, MNAS_FIELD(TrainOptions, weight_decay))
                  .flag("--weight-decay", "L2 weight decay", "1e-4")
                  .at_least(0));
  t.push_back(F("schedule", FieldKind::kText, MNAS_FIELD(TrainOptions, schedule))
                  .flag("--schedule", "cosine, exponential or constant"));
  t.push_back(F("warmup_epochs", FieldKind::kReal, MNAS_FIELD(TrainOptions, warmup_epochs))
                  .flag("--warmup-epochs", "Linear warm-up epochs")
                  .at_least(0));
  t.push_back(F("label_smoothing", FieldKind::kReal, MNAS_FIELD(TrainOptions, label_smoothing))
                  .flag("--label-smoothing", "Label smoothing")
                  .range(0, 1, false, true));
  t.push_back(F("pad", FieldKind::kInteger, MNAS_FIELD(TrainOptions, pad))
                  .flag("--pad", "Random-crop padding in pixels (0 = no crops)")
                  .range(0, 64));
  t.push_back(F("flip", FieldKind::kSwitch, MNAS_FIELD(TrainOptions, flip))
                  .flag("--flip,!--no-flip",
                        "Random horizontal flips (--no-flip for data where left and right "
                        "differ, such as digits)"));
  t.push_back(F("threads", FieldKind::kInteger, MNAS_FIELD(TrainOptions, threads))
                  .flag("--threads", "LibTorch threads", "all cores")
                  .at_least(0)  // the CLI's bound is the CPUs it may use; validate()'s 256
                  .not_stored());
  t.push_back(F("train_device", FieldKind::kText, MNAS_FIELD(TrainOptions, device))
                  .flag("--train-device",
                        "auto (the first GPU when this LibTorch has CUDA and sees one, else the "
                        "CPU), cpu, cuda or cuda:K; a checkpoint resumes on either")
                  .not_stored());
  t.push_back(F("seed", FieldKind::kInteger, MNAS_FIELD(TrainOptions, seed))
                  .flag("--seed", "Seed of weights, shuffling and augmentation")
                  .at_least(0));
  t.push_back(F("checkpoint", FieldKind::kText, MNAS_FIELD(TrainOptions, checkpoint))
                  .flag("--out", "Checkpoint written after every epoch")
                  .not_stored());
  return t;
}

}  // namespace

const std::vector<Field<TrainOptions>>& train_option_fields() {
  static const std::vector<F> table = make_train_option_fields();
  return table;
}

}  // namespace mnas
