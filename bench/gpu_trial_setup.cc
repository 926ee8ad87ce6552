// Where a search trial's time goes on a GPU (docs/gpu.md): in one process, so that the CUDA
// context, cuDNN's handles and the data set are set up once before anything is timed.
//
//   gpu_trial_setup [--part conv,trials,parity] [--archs 4] [--seed 1] [--data-dir DIR]
//                   [--device cuda] [--threads 16]
//
// conv:    the first call of one convolution (forward + backward, batch 128, 14×14) on a shape
//          this process has not run before, against a second call of the same shape, for each
//          kind of convolution the space has (1×1, depthwise 3×3 and 5×5, full 3×3).
// trials:  ARCHS architectures sampled from the default space (28×28×1, 10 classes), each
//          trained with the proxy recipe twice: the first run meets new layer shapes, the second
//          the same ones again. The difference is what a new architecture costs beyond its
//          training. Per run: set-up (network, optimizer, split), training, scoring.
// parity:  MnasNet-A1's proxy run with seeds 1-5 on the GPU and on the CPU (every core).
// The environment settings of train/train_device.h (MNAS_GPU_*) apply, as in a search (cuDNN's v7
// API unless MNAS_GPU_CUDNN_API=v8).
#include <malloc.h>

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <random>
#include <sstream>
#include <thread>

#include "base/error.h"
#include "space/architecture_codec.h"
#include "space/search_space.h"
#include "space/zoo.h"
#include "train/train_device.h"
#include "train/trainer.h"

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');) out.push_back(item);
  return out;
}

// Seconds of one forward + backward of `conv` on `x`, waited for.
double conv_step(torch::nn::Conv2d& conv, const torch::Tensor& x, const torch::Device& device) {
  const auto t = Clock::now();
  conv->forward(x).sum().backward();
  mnas::synchronize_device(device);
  return since(t);
}

void conv_part(const torch::Device& device) {
  struct Kind {
    const char* name;
    int kernel;
    bool depthwise;
    bool pointwise;
  };
  const Kind kinds[] = {{"1x1", 1, false, true},
                        {"depthwise 3x3", 3, true, false},
                        {"depthwise 5x5", 5, true, false},
                        {"full 3x3", 3, false, false}};
  const bool channels_last = mnas::channels_last_on(device);
  int fresh = 0;  // every shape below is one this process has not run
  for (const Kind& k : kinds) {
    double first = 0, second = 0;
    const int shapes = 5;
    for (int i = 0; i < shapes; ++i) {
      const int c = 40 + 8 * (fresh++);
      const int out = k.depthwise ? c : (k.pointwise ? 2 * c : c);
      auto options = torch::nn::Conv2dOptions(c, out, k.kernel).padding(k.kernel / 2).bias(false);
      if (k.depthwise) options.groups(c);
      torch::nn::Conv2d conv(options);
      conv->to(device);
      torch::Tensor x = torch::randn({128, c, 14, 14}, torch::TensorOptions().device(device));
      if (channels_last) {
        conv->weight.set_data(conv->weight.contiguous(torch::MemoryFormat::ChannelsLast));
        x = x.contiguous(torch::MemoryFormat::ChannelsLast);
      }
      x.requires_grad_(true);
      first += conv_step(conv, x, device);
      second += conv_step(conv, x, device);
    }
    std::printf("conv %-14s first call %8.2f ms, again %6.2f ms (mean of %d new shapes)\n",
                k.name, 1e3 * first / shapes, 1e3 * second / shapes, shapes);
    std::fflush(stdout);
  }
}

struct RunTimes {
  double setup = 0, training = 0, scoring = 0, top1 = 0;
};

RunTimes timed_run(const mnas::Architecture& arch, const mnas::TrainOptions& options) {
  RunTimes t;
  const auto start = Clock::now();
  mnas::TrainingRun run(arch, options);
  t.setup = since(start);
  const auto trained = Clock::now();
  const mnas::TrainResult r = run.advance(run.total_steps(), options.holdout);
  const double advance = since(trained);
  t.training = r.seconds;
  t.scoring = advance - r.seconds;
  t.top1 = r.holdout_top1;
  if (r.status != "done") throw mnas::Error("run " + r.status + ": " + r.reason);
  return t;
}

void print_run(const char* label, const RunTimes& t) {
  std::printf("  %-7s total %6.2f s = set-up %5.2f + training %6.2f + scoring %5.2f   top-1 %.4f\n",
              label, t.setup + t.training + t.scoring, t.setup, t.training, t.scoring, t.top1);
  std::fflush(stdout);
}

void trials_part(mnas::TrainOptions o, int archs, uint64_t seed) {
  mnas::SearchSpace space;
  space.set_input({28, 28, 1});
  space.set_classes(10);
  std::mt19937_64 rng(seed);
  double first = 0, again = 0;
  for (int i = 0; i < archs; ++i) {
    const mnas::Architecture arch = space.sample(rng);
    std::printf("trial %d: %s\n", i + 1, mnas::to_canonical_string(arch).c_str());
    const RunTimes a = timed_run(arch, o);
    print_run("new", a);
    const RunTimes b = timed_run(arch, o);
    print_run("again", b);
    first += a.setup + a.training + a.scoring;
    again += b.setup + b.training + b.scoring;
  }
  std::printf("trials: mean %.2f s a new architecture, %.2f s the same one again: %.2f s of "
              "per-architecture set-up\n",
              first / archs, again / archs, (first - again) / archs);
  std::fflush(stdout);
}

void parity_part(mnas::TrainOptions o, int threads) {
  mnas::ZooOptions zoo;
  zoo.input = {28, 28, 1};
  zoo.classes = 10;
  const mnas::Architecture a1 = mnas::zoo_model("mnasnet-a1", zoo);
  for (const std::string& device : {o.device, std::string("cpu")}) {
    mnas::TrainOptions d = o;
    d.device = device;
    d.threads = threads;
    std::printf("parity %s:", device.c_str());
    double sum = 0;
    for (int seed = 1; seed <= 5; ++seed) {
      d.seed = seed;
      const RunTimes t = timed_run(a1, d);
      std::printf(" %.4f (%.1f s)", t.top1, t.setup + t.training + t.scoring);
      std::fflush(stdout);
      sum += t.top1;
    }
    std::printf("  mean %.4f\n", sum / 5);
  }
}

}  // namespace

int main(int argc, char** argv) {
  mallopt(M_MMAP_THRESHOLD, 1 << 30);  // as the mnas binary does (shared/facts.md)
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  CLI::App app{"Where a search trial's time goes on a GPU"};
  std::string parts = "conv,trials,parity", data_dir, device_spec = "cuda";
  int archs = 4;
  int threads = static_cast<int>(std::thread::hardware_concurrency());
  uint64_t seed = 1;
  app.add_option("--part", parts, "conv, trials, parity (comma-separated)");
  app.add_option("--archs", archs, "architectures in the trials part");
  app.add_option("--seed", seed, "seed of the sampled architectures");
  app.add_option("--data-dir", data_dir, "Fashion-MNIST folder");
  app.add_option("--device", device_spec, "cuda, cuda:K (or cpu, to compare)");
  app.add_option("--threads", threads, "LibTorch threads");
  CLI11_PARSE(app, argc, argv);
  try {
    const torch::Device device = mnas::resolve_train_device(device_spec, "--device");
    mnas::declare_many_short_runs();  // as a search's proxy evaluator does
    mnas::prepare_device(device);
    torch::set_num_threads(threads);
    const auto t = Clock::now();
    torch::ones({1}, torch::TensorOptions().device(device)).sum().item<float>();
    std::printf("device %s: first use %.2f s\n", mnas::describe_train_device(device).c_str(),
                since(t));
    mnas::TrainOptions o = mnas::proxy_options();
    o.device = device_spec;
    o.data_dir = data_dir;
    o.threads = threads;
    {
      // The process's one-time warm-up (kernels loaded on first use, cuDNN and cuBLAS handles,
      // the data set read and copied to the device), so that what follows is per architecture.
      mnas::ZooOptions zoo;
      zoo.input = {28, 28, 1};
      zoo.classes = 10;
      print_run("warm-up", timed_run(mnas::zoo_model("mnasnet-b1", zoo), o));
    }
    for (const std::string& part : split_list(parts)) {
      if (part == "conv") {
        conv_part(device);
      } else if (part == "trials") {
        trials_part(o, archs, seed);
      } else if (part == "parity") {
        parity_part(o, threads);
      } else {
        throw mnas::Error("--part: unknown '" + part + "'; use conv, trials or parity");
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gpu_trial_setup: %s\n", e.what());
    return 1;
  }
  return 0;
}
