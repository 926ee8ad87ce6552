#ifndef MNAS_TRAIN_TRAIN_DEVICE_H_
#define MNAS_TRAIN_TRAIN_DEVICE_H_

#include <torch/torch.h>

#include <string>

namespace mnas {

// Where LibTorch trains and evaluates: "auto" (the first CUDA GPU when this LibTorch has CUDA
// and sees one, else the CPU), "cpu", "cuda" (a GPU: this process's default one, see below) or
// "cuda:K" (GPU K); "cuda:local_rank" is "cuda" by its other name. Debian's LibTorch is CPU-only; a
// CUDA-enabled one (e.g. a PyTorch wheel's) is chosen at build time (docs/gpu.md).

// Throws mnas::Error naming `field` unless `spec` has one of those forms. Does not look for GPUs
// (a configuration may be checked on a machine without one).
void check_train_device_spec(const std::string& spec, const std::string& field);

// The device `spec` names on this machine. Throws mnas::Error naming `field` when it asks for a
// GPU that this LibTorch or this machine does not have.
torch::Device resolve_train_device(const std::string& spec, const std::string& field);

// "cpu" or "cuda:K": for progress and records.
std::string describe_train_device(const torch::Device& device);

// The GPU that "cuda" and "auto" mean in this process (Default: 0). An MPI worker sets it from
// its rank on its machine, so that each worker trains on its own GPU (mpi/mpi_worker.cc).
void set_default_cuda_index(int index);

// GPUs this process sees (0 with a CPU-only LibTorch).
int cuda_device_count();

// How LibTorch computes on a GPU, from the environment (read once per process; an unknown value
// is an mnas::Error naming the variable), for measuring what a trial costs there (docs/gpu.md):
//   MNAS_GPU_CUDNN_API=auto|v7|v8  which cuDNN API LibTorch calls (it reads its own variable
//                                TORCH_CUDNN_V8_API_DISABLED, which prepare_device sets for v7).
//                                v8 builds an execution plan for every new layer shape, ~7 s of
//                                a 28×28 proxy trial on an H200; v7 has no such cost, at ~2× v8's
//                                time per step once shapes repeat. auto: v7 in a process that
//                                trains many new architectures briefly (declare_many_short_runs:
//                                a search's proxy evaluator), v8 otherwise (a long training);
//                                Default: auto
//   MNAS_GPU_CUDNN=on|off|benchmark  off: convolutions on LibTorch's own CUDA kernels, not
//                                cuDNN's (which prepares a plan for every new layer shape);
//                                benchmark: cuDNN times its candidates for every new shape and
//                                keeps the fastest; Default: on
//   MNAS_GPU_LAYOUT=nhwc|nchw    the tensors' memory format on a GPU; Default: nhwc
//                                (channels-last, as on the CPU)
struct GpuTuning {
  bool cudnn = true;
  bool cudnn_benchmark = false;
  int cudnn_api = 0;  // 7, 8, or 0 for auto
  bool channels_last = true;
};
const GpuTuning& gpu_tuning();
// Whether tensors on `device` are channels-last: always on the CPU (~2× faster training there,
// facts.md), on a GPU as gpu_tuning() says.
bool channels_last_on(const torch::Device& device);

// Declares that this process trains many architectures briefly (a search's trials), so that
// MNAS_GPU_CUDNN_API=auto takes cuDNN's v7 API. Takes effect only before the process's first
// prepare_device on a GPU (LibTorch reads its setting once).
void declare_many_short_runs();

// Applies gpu_tuning() to LibTorch before work on `device` (nothing for the CPU).
void prepare_device(const torch::Device& device);

// Waits for the work queued on `device` (nothing to wait for on the CPU): timings end here.
void synchronize_device(const torch::Device& device);

}  // namespace mnas

#endif  // MNAS_TRAIN_TRAIN_DEVICE_H_
