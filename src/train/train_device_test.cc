#include "train/train_device.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <random>

#include "data/device_batches.h"
#include "testing/fixtures.h"
#include "train/sgd_step.h"

namespace mnas {
namespace {

TEST(TrainDevice, SpecsAreCheckedWithoutLookingForGpus) {
  for (const char* good : {"auto", "cpu", "cuda", "cuda:0", "cuda:7", "cuda:local_rank"}) {
    EXPECT_NO_THROW(check_train_device_spec(good, "--train-device")) << good;
  }
  for (const char* bad : {"", "gpu", "CUDA", "cuda:", "cuda:-1", "cuda:x", "cuda:1234", "cpu:0",
                          "cuda:0 "}) {
    const std::string e =
        testing::error_of([&] { check_train_device_spec(bad, "--train-device"); });
    EXPECT_NE(e.find("--train-device: unknown device '" + std::string(bad) + "'"),
              std::string::npos)
        << bad << ": " << e;
    EXPECT_NE(e.find("cuda:K"), std::string::npos) << e;
  }
}

TEST(TrainDevice, TheCpuIsAlwaysThereAndAutoFallsBackToIt) {
  EXPECT_TRUE(resolve_train_device("cpu", "f").is_cpu());
  EXPECT_EQ(describe_train_device(resolve_train_device("cpu", "f")), "cpu");
  if (cuda_device_count() > 0) {
    EXPECT_TRUE(resolve_train_device("auto", "f").is_cuda());
    EXPECT_EQ(describe_train_device(resolve_train_device("cuda", "f")), "cuda:0");
    return;
  }
  EXPECT_TRUE(resolve_train_device("auto", "f").is_cpu());
  for (const char* gpu : {"cuda", "cuda:0", "cuda:local_rank"}) {
    const std::string e = testing::error_of([&] { resolve_train_device(gpu, "--train-device"); });
    EXPECT_NE(e.find("--train-device: '" + std::string(gpu) + "' asks for a GPU"),
              std::string::npos)
        << e;
    EXPECT_NE(e.find("use cpu"), std::string::npos) << e;
  }
}

TEST(TrainDevice, GpuSettingsFromTheEnvironmentAreChecked) {
  // Read once per process; a refused value leaves it unread, so the next read tries again.
  ::setenv("MNAS_GPU_CUDNN", "maybe", 1);
  const std::string e = testing::error_of([] { gpu_tuning(); });
  EXPECT_NE(e.find("MNAS_GPU_CUDNN: unknown value 'maybe'; use on, off or benchmark"),
            std::string::npos)
      << e;
  ::setenv("MNAS_GPU_CUDNN", "off", 1);
  ::setenv("MNAS_GPU_LAYOUT", "nchw", 1);
  ::setenv("MNAS_GPU_CUDNN_API", "v8", 1);
  EXPECT_FALSE(gpu_tuning().cudnn);
  EXPECT_FALSE(gpu_tuning().cudnn_benchmark);
  EXPECT_FALSE(gpu_tuning().channels_last);
  EXPECT_EQ(gpu_tuning().cudnn_api, 8);
  ::unsetenv("MNAS_GPU_CUDNN");
  ::unsetenv("MNAS_GPU_LAYOUT");
  ::unsetenv("MNAS_GPU_CUDNN_API");
  EXPECT_FALSE(gpu_tuning().cudnn);  // still the first reading
}

// Two copies of a small network with the same weights and the same gradients, one stepped by
// torch::optim::SGD, the other by sgd_step_foreach: equal parameters and momentum buffers.
void expect_foreach_step_equals_torch(torch::Device device, const torch::optim::SGDOptions& opts,
                                      bool exact) {
  torch::manual_seed(3);
  torch::nn::Sequential a(torch::nn::Conv2d(torch::nn::Conv2dOptions(3, 8, 3)),
                          torch::nn::BatchNorm2d(8), torch::nn::ReLU(), torch::nn::Flatten(),
                          torch::nn::Linear(8 * 6 * 6, 5));
  torch::nn::Sequential b = std::dynamic_pointer_cast<torch::nn::SequentialImpl>(a->clone());
  a->to(device);
  b->to(device);
  torch::optim::SGD torch_sgd(a->parameters(), opts), foreach_sgd(b->parameters(), opts);
  for (int step = 0; step < 4; ++step) {
    const torch::Tensor x = torch::randn({4, 3, 8, 8}).to(device);
    for (auto* pair : {&a, &b}) {
      (*pair)->zero_grad();
      (*pair)->forward(x).square().mean().backward();
    }
    torch_sgd.step();
    sgd_step_foreach(foreach_sgd);
  }
  const auto pa = a->parameters(), pb = b->parameters();
  ASSERT_EQ(pa.size(), pb.size());
  for (size_t i = 0; i < pa.size(); ++i) {
    if (exact) {
      EXPECT_TRUE(torch::equal(pa[i], pb[i])) << "parameter " << i;
    } else {
      EXPECT_TRUE(torch::allclose(pa[i], pb[i], 1e-5, 1e-6)) << "parameter " << i;
    }
  }
  // The momentum state is the optimizer's own: a checkpoint of either holds the same buffers.
  EXPECT_EQ(torch_sgd.state().size(), foreach_sgd.state().size());
}

TEST(SgdStep, ForeachStepIsTorchSgdBitForBitOnTheCpu) {
  using torch::optim::SGDOptions;
  expect_foreach_step_equals_torch(torch::kCPU,
                                   SGDOptions(0.05).momentum(0.9).nesterov(true).weight_decay(4e-5),
                                   true);
  expect_foreach_step_equals_torch(torch::kCPU, SGDOptions(0.1).momentum(0.9).dampening(0.1),
                                   true);
  expect_foreach_step_equals_torch(torch::kCPU, SGDOptions(0.1).weight_decay(1e-4), true);
}

TEST(SgdStep, ForeachStepIsTorchSgdOnTheGpu) {
  if (cuda_device_count() == 0) GTEST_SKIP() << "no CUDA GPU here (LibTorch sees none)";
  expect_foreach_step_equals_torch(
      torch::Device(torch::kCUDA, 0),
      torch::optim::SGDOptions(0.05).momentum(0.9).nesterov(true).weight_decay(4e-5), false);
}

TEST(SgdStep, DroppedGradientsAreGone) {
  torch::nn::Linear net(3, 2);
  torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.1));
  net->forward(torch::ones({1, 3})).sum().backward();
  for (const auto& p : net->parameters()) ASSERT_TRUE(p.grad().defined());
  drop_gradients(opt);
  for (const auto& p : net->parameters()) EXPECT_FALSE(p.grad().defined());
}

// A GPU's batches are the CPU's: the same pixels, normalisation, crops and flips, the same labels.
TEST(DeviceBatches, AGpusBatchesAreTheCpus) {
  if (cuda_device_count() == 0) GTEST_SKIP() << "no CUDA GPU here (LibTorch sees none)";
  Dataset data;
  data.height = data.width = 6;
  data.channels = 1;
  data.classes = 3;
  data.images = torch::randint(0, 256, {20, 6, 6, 1}, torch::kLong).to(torch::kUInt8);
  data.labels = torch::randint(0, 3, {20}, torch::kLong);
  const Normalization norm{{0.4f}, {0.2f}};
  const ResidentData resident = make_resident(data, torch::Device(torch::kCUDA, 0));
  DeviceBatches cpu(data, nullptr, norm, 8, 8), gpu(data, &resident, norm, 8, 8);
  const torch::Tensor order = torch::randperm(20, torch::kLong);
  cpu.set_order(order);
  gpu.set_order(order);
  AugmentOptions augment;
  augment.pad = 1;
  augment.flip = true;
  const AugmentOptions* none = nullptr;
  for (const AugmentOptions* a : {none, static_cast<const AugmentOptions*>(&augment)}) {
    std::mt19937_64 r1(5), r2(5);
    const Batch x = cpu.get(4, 8, a, &r1), y = gpu.get(4, 8, a, &r2);
    EXPECT_TRUE(y.images.is_cuda());
    EXPECT_TRUE(torch::allclose(x.images, y.images.cpu(), 1e-5, 1e-6));
    EXPECT_TRUE(torch::equal(x.labels, y.labels.cpu()));
  }
}

}  // namespace
}  // namespace mnas
