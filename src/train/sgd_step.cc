#include "train/sgd_step.h"

#include <memory>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

namespace mnas {
namespace {

// The optimizer state's slot of parameter `p`. LibTorch 1.x keys its state by the text of the
// tensor's address, 2.x by the address itself: the key type decides which.
template <typename Map>
typename Map::mapped_type& state_slot(Map& state, const torch::Tensor& p) {
  using Key = typename Map::key_type;
  if constexpr (std::is_same_v<Key, std::string>) {
    std::ostringstream text;  // what c10::guts::to_string writes for a pointer
    text << static_cast<const void*>(p.unsafeGetTensorImpl());
    return state[text.str()];
  } else {
    return state[static_cast<Key>(p.unsafeGetTensorImpl())];
  }
}

}  // namespace

void sgd_step_foreach(torch::optim::SGD& opt) {
  torch::NoGradGuard no_grad;
  for (auto& group : opt.param_groups()) {
    const auto& o = static_cast<const torch::optim::SGDOptions&>(group.options());
    std::vector<torch::Tensor> params, grads;
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      params.push_back(p);
      grads.push_back(p.grad());
    }
    if (params.empty()) continue;
    std::vector<torch::Tensor> steps = o.weight_decay() != 0
                                           ? at::_foreach_add(grads, params, o.weight_decay())
                                           : grads;
    if (o.momentum() != 0) {
      // A parameter's first step starts its buffer as a copy of the step; later steps update it.
      std::vector<torch::Tensor> buffers(params.size()), old_buffers, old_steps;
      for (size_t i = 0; i < params.size(); ++i) {
        auto& slot = state_slot(opt.state(), params[i]);
        if (!slot) {
          auto fresh = std::make_unique<torch::optim::SGDParamState>();
          fresh->momentum_buffer(steps[i].clone().detach());
          slot = std::move(fresh);
          buffers[i] = static_cast<torch::optim::SGDParamState&>(*slot).momentum_buffer();
        } else {
          buffers[i] = static_cast<torch::optim::SGDParamState&>(*slot).momentum_buffer();
          old_buffers.push_back(buffers[i]);
          old_steps.push_back(steps[i]);
        }
      }
      if (!old_buffers.empty()) {
        at::_foreach_mul_(old_buffers, o.momentum());
        at::_foreach_add_(old_buffers, old_steps, 1 - o.dampening());
      }
      steps = o.nesterov() ? at::_foreach_add(steps, buffers, o.momentum()) : buffers;
    }
    at::_foreach_add_(params, steps, -1 * o.lr());
  }
}

void drop_gradients(torch::optim::Optimizer& opt) {
  for (auto& group : opt.param_groups()) {
    for (auto& p : group.params()) p.mutable_grad().reset();
  }
}

}  // namespace mnas
