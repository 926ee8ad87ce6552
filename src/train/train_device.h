#ifndef MNAS_TRAIN_TRAIN_DEVICE_H_
#define MNAS_TRAIN_TRAIN_DEVICE_H_

#include <torch/torch.h>

#include <string>

namespace mnas {

// Where LibTorch trains and evaluates: "auto" (the first CUDA GPU when this LibTorch has CUDA
// and sees one, else the CPU), "cpu", "cuda" (a GPU: this process's default one, see below) or
// "cuda:K" (GPU K); "cuda:local_rank" is "cuda" by its other name. Debian's LibTorch is CPU-only; a CUDA-enabled one (e.g. a PyTorch wheel's)
// is chosen at build time (docs/gpu.md).

// Throws mnas::Error naming `field` unless `spec` has one of those forms. Does not look for GPUs
// (a configuration may be checked on a machine without one).
void check_train_device_spec(const std::string& spec, const std::string& field);

// The device `spec` names on this machine. Throws mnas::Error naming `field` when it asks for a
// GPU that this LibTorch or this machine does not have.
torch::Device resolve_train_device(const std::string& spec, const std::string& field);

// "cpu" or "cuda:K": for progress and records.
std::string describe_train_device(const torch::Device& device);

// The GPU that "cuda" and "auto" mean in this process (Default: 0). An MPI worker sets it from
// its rank on its machine, so that each worker trains on its own GPU (dist/mpi_worker.cc).
void set_default_cuda_index(int index);

// GPUs this process sees (0 with a CPU-only LibTorch).
int cuda_device_count();

// How LibTorch computes on a GPU, from the environment (read once per process; an unknown value
// is an mnas::Error naming the variable), for measuring what a trial costs there (docs/gpu.md):
//   MNAS_GPU_CUDNN=on|off|benchmark  off: convolutions on LibTorch's own CUDA kernels, not
//                                cuDNN's (which prepares a plan for every new layer shape);
//                                benchmark: cuDNN times its candidates for every new shape and
//                                keeps the fastest; Default: on
//   MNAS_GPU_LAYOUT=nhwc|nchw    the tensors' memory format on a GPU; Default: nhwc
//                                (channels-last, as on the CPU)
//   MNAS_GPU_BATCHES=mixed|uniform  uniform: a run on a GPU only ever shows the network batches
//                                of its training batch size (the epoch's last partial batch is
//                                dropped; scoring and BatchNorm recalibration go in batches of
//                                that size), so that each layer needs one set of cuDNN plans,
//                                not four; mixed: as on the CPU; Default: mixed
struct GpuTuning {
  bool cudnn = true;
  bool cudnn_benchmark = false;
  bool channels_last = true;
  bool uniform_batches = false;
};
const GpuTuning& gpu_tuning();
// Whether tensors on `device` are channels-last: always on the CPU (~2× faster training there,
// facts.md), on a GPU as gpu_tuning() says.
bool channels_last_on(const torch::Device& device);

// Applies gpu_tuning() to LibTorch before work on `device` (nothing for the CPU).
void prepare_device(const torch::Device& device);

// Whether a run on `device` keeps to batches of one size (GpuTuning::uniform_batches; never on
// the CPU, whose results stay what they always were).
bool uniform_batches_on(const torch::Device& device);

// Waits for the work queued on `device` (nothing to wait for on the CPU): timings end here.
void synchronize_device(const torch::Device& device);

}  // namespace mnas

#endif  // MNAS_TRAIN_TRAIN_DEVICE_H_
