#ifndef MNAS_TRAIN_SCHEDULE_H_
#define MNAS_TRAIN_SCHEDULE_H_

#include <torch/torch.h>

#include <memory>

#include "train/trainer.h"

namespace mnas {

// A recipe's optimizer and learning-rate schedule, shared by the classifier's and the detector's
// training.

// The peak learning rate: options.lr, or the optimizer's default (sgd 0.05, rmsprop
// 0.016·batch/256, adam 1e-3).
double base_lr(const TrainOptions& options);

// The learning rate at a fractional epoch: linear warm-up, then cosine, exponential (×0.97 every
// 2.4 epochs) or constant.
double lr_at(const TrainOptions& options, double epoch);

// The recipe's optimizer over every parameter of `module`.
std::unique_ptr<torch::optim::Optimizer> make_optimizer(const TrainOptions& options,
                                                        torch::nn::Module& module);

void set_lr(torch::optim::Optimizer& optimizer, double lr);

}  // namespace mnas

#endif  // MNAS_TRAIN_SCHEDULE_H_
