#include "train/train_device.h"

#include <torch/cuda.h>

#include <array>
#include <atomic>
#include <cctype>
#include <cstdlib>
#include <vector>

#include "base/error.h"

namespace mnas {
namespace {

std::atomic<int> default_cuda_index{0};

const char* const kForms =
    "use auto, cpu, cuda, cuda:K (K: a GPU index) or cuda:local_rank (as cuda)";

// -1 for "cuda" and "auto", K for "cuda:K"; throws for anything else (and for "cpu").
int cuda_index(const std::string& spec, const std::string& field) {
  if (spec == "cuda" || spec == "auto" || spec == "cuda:local_rank") return -1;
  const std::string prefix = "cuda:";
  const std::string digits = spec.rfind(prefix, 0) == 0 ? spec.substr(prefix.size()) : "";
  bool ok = !digits.empty() && digits.size() <= 3;
  for (char c : digits) ok = ok && std::isdigit(static_cast<unsigned char>(c));
  if (!ok) throw Error(field + ": unknown device '" + spec + "'; " + kForms);
  return std::stoi(digits);
}

}  // namespace

void check_train_device_spec(const std::string& spec, const std::string& field) {
  if (spec != "cpu") cuda_index(spec, field);
}

int cuda_device_count() {
  return torch::cuda::is_available() ? static_cast<int>(torch::cuda::device_count()) : 0;
}

void set_default_cuda_index(int index) { default_cuda_index = index < 0 ? 0 : index; }

torch::Device resolve_train_device(const std::string& spec, const std::string& field) {
  if (spec == "cpu") return torch::Device(torch::kCPU);
  int index = cuda_index(spec, field);
  const int count = cuda_device_count();
  if (spec == "auto" && count == 0) return torch::Device(torch::kCPU);
  if (count == 0) {
    throw Error(field + ": '" + spec + "' asks for a GPU, but " +
                (at::hasCUDA() ? std::string("this machine has none that CUDA can use")
                                  : std::string("this mnas is built with a CPU-only LibTorch "
                                                "(build with a CUDA one: docs/gpu.md)")) +
                "; use cpu");
  }
  if (index < 0) index = default_cuda_index.load() % count;
  if (index >= count) {
    throw Error(field + ": '" + spec + "': this machine has " + std::to_string(count) +
                " GPU(s), cuda:0 to cuda:" + std::to_string(count - 1));
  }
  return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(index));
}

std::string describe_train_device(const torch::Device& device) {
  if (!device.is_cuda()) return "cpu";
  return "cuda:" + std::to_string(device.index() < 0 ? 0 : device.index());
}

namespace {

// The index of the variable's value in `choices` (0, the default, when it is unset or empty).
size_t env_choice(const char* name, const std::vector<std::string>& choices) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return 0;
  for (size_t i = 0; i < choices.size(); ++i) {
    if (choices[i] == value) return i;
  }
  std::string known;
  for (size_t i = 0; i < choices.size(); ++i) {
    known += (i == 0 ? "" : i + 1 == choices.size() ? " or " : ", ") + choices[i];
  }
  throw Error(std::string(name) + ": unknown value '" + value + "'; use " + known);
}

}  // namespace

const GpuTuning& gpu_tuning() {
  static const GpuTuning tuning = [] {
    GpuTuning t;
    const size_t cudnn = env_choice("MNAS_GPU_CUDNN", {"on", "off", "benchmark"});
    t.cudnn = cudnn != 1;
    t.cudnn_benchmark = cudnn == 2;
    t.channels_last = env_choice("MNAS_GPU_LAYOUT", {"nhwc", "nchw"}) == 0;
    t.cudnn_api =
        std::array<int, 3>{0, 7, 8}[env_choice("MNAS_GPU_CUDNN_API", {"auto", "v7", "v8"})];
    return t;
  }();
  return tuning;
}

bool channels_last_on(const torch::Device& device) {
  return !device.is_cuda() || gpu_tuning().channels_last;
}

namespace {
std::atomic<bool> many_short_runs{false};
}  // namespace

void declare_many_short_runs() { many_short_runs = true; }

void prepare_device(const torch::Device& device) {
  if (!device.is_cuda()) return;
  // LibTorch reads this once, at its first cuDNN convolution: set before any. The v8 API
  // builds an execution plan for every new layer shape (340 ms for a channels-last depthwise
  // one on an H200: ~7 s of a proxy trial); v7's heuristics cost nothing per shape.
  const int api = gpu_tuning().cudnn_api;
  if (api == 7 || (api == 0 && many_short_runs)) {
    ::setenv("TORCH_CUDNN_V8_API_DISABLED", "1", 1);
  }
  at::globalContext().setUserEnabledCuDNN(gpu_tuning().cudnn);
  at::globalContext().setBenchmarkCuDNN(gpu_tuning().cudnn_benchmark);
}

void synchronize_device(const torch::Device& device) {
  if (device.is_cuda()) torch::cuda::synchronize(device.index());
}

}  // namespace mnas
