#ifndef MNAS_TRAIN_SGD_STEP_H_
#define MNAS_TRAIN_SGD_STEP_H_

#include <torch/torch.h>

namespace mnas {

// One step of `opt`, computing exactly what torch::optim::SGD::step() computes (weight decay,
// momentum with dampening, Nesterov) in its own state, so that checkpoints stay the same, but
// with LibTorch's multi-tensor (_foreach) kernels: on a GPU a few launches for all parameters
// instead of five per parameter, which dominate a small network's step. On the CPU the result is
// bit for bit that of opt.step() (trainer_test checks it).
void sgd_step_foreach(torch::optim::SGD& opt);

// Drops every parameter's gradient (the next backward pass allocates it afresh): one pass over
// the list instead of a zero-fill kernel per parameter, as PyTorch's zero_grad(set_to_none=True).
void drop_gradients(torch::optim::Optimizer& opt);

}  // namespace mnas

#endif  // MNAS_TRAIN_SGD_STEP_H_
