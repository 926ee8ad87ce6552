// Training throughput of mnas's LibTorch network: SGD steps (Nesterov momentum, label smoothing
// 0.1, channels-last) on random data of the architecture's input shape, the same work
// bench/pytorch_peer.py `train` does in Python. Used by bench/train_vs_pytorch.sh.
//
//   train_throughput ARCH [--input 28x28x1] [--classes 10] [--threads 2] [--batch 128] [--steps 30]
//                    [--device cpu|cuda[:K]] [--step mnas|torch]
// --step mnas (default) steps as the trainer does on that device (on a GPU: multi-tensor SGD and
// gradients dropped, train/sgd_step.h); torch: torch::optim::SGD's step() and zero_grad().
#include <malloc.h>
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>

#include "cli/arch_argument.h"
#include "nn/network.h"
#include "train/sgd_step.h"
#include "train/train_device.h"

int main(int argc, char** argv) {
  mallopt(M_MMAP_THRESHOLD, 1 << 30);  // as the mnas binary does (shared/facts.md)
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  CLI::App app{"Training images/s of an architecture (random data)"};
  mnas::cli::ArchOptions arch;
  int threads = 2, batch = 128, steps = 30, warmup = 5;
  std::string device_spec = "cpu", step_kind = "mnas";
  mnas::cli::add_arch_options(&app, arch);
  app.add_option("--threads", threads);
  app.add_option("--batch", batch);
  app.add_option("--steps", steps);
  app.add_option("--warmup", warmup);
  app.add_option("--device", device_spec);
  app.add_option("--step", step_kind)->check(CLI::IsMember({"mnas", "torch"}));
  CLI11_PARSE(app, argc, argv);
  const mnas::Architecture a =
      mnas::cli::resolve_arch(arch.arch, mnas::cli::adjustments(arch)).arch;
  torch::set_num_threads(threads);
  torch::manual_seed(1);
  const torch::Device device = mnas::resolve_train_device(device_spec, "--device");
  mnas::Network net(a);
  mnas::prepare_device(device);  // MNAS_GPU_CUDNN, MNAS_GPU_LAYOUT as the trainer reads them
  const bool channels_last = mnas::channels_last_on(device);
  net->to(device);
  if (channels_last) mnas::to_channels_last(*net);
  net->train();
  // Built as NHWC and viewed as NCHW, as the trainer's batches are. `randn(NCHW).contiguous(
  // ChannelsLast)` is a no-op for one channel (such a tensor already counts as channels-last), so
  // it keeps NCHW strides, the stem runs NCHW and every layer after it converts: 0.51× instead of
  // the trainer's speed.
  torch::Tensor x = torch::randn({batch, a.input.height, a.input.width, a.input.channels})
                        .to(device)
                        .permute({0, 3, 1, 2});
  if (!channels_last) x = x.contiguous();
  const torch::Tensor y = torch::randint(0, a.classes, {batch}, torch::kLong).to(device);
  const bool mnas_gpu_step = step_kind == "mnas" && device.is_cuda();
  torch::optim::SGD opt(
      net->parameters(),
      torch::optim::SGDOptions(0.01).momentum(0.9).nesterov(true).weight_decay(4e-5));
  const auto step = [&] {
    if (mnas_gpu_step) {
      mnas::drop_gradients(opt);
    } else {
      opt.zero_grad();
    }
    const torch::Tensor loss = torch::nn::functional::cross_entropy(
        net->forward(x), y, torch::nn::functional::CrossEntropyFuncOptions().label_smoothing(0.1));
    loss.backward();
    if (mnas_gpu_step) {
      mnas::sgd_step_foreach(opt);
    } else {
      opt.step();
    }
  };
  for (int i = 0; i < warmup; ++i) step();
  mnas::synchronize_device(device);
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < steps; ++i) step();
  mnas::synchronize_device(device);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("{\"images_per_second\": %.2f, \"device\": \"%s\", \"step\": \"%s\"}\n",
              double(batch) * steps / seconds, mnas::describe_train_device(device).c_str(),
              step_kind.c_str());
  return 0;
}
