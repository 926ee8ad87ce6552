// Trained weights carried to XNNPACK: logits match LibTorch's eval-mode output.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <fstream>
#include <random>

#include "base/error.h"
#include "graph/detector_graph.h"
#include "graph/graph.h"
#include "graph/reference_executor.h"
#include "latency/xnnpack_network.h"
#include "nn/detector.h"
#include "nn/network.h"
#include "space/search_space.h"
#include "space/zoo.h"
#include "testing/fixtures.h"

namespace mnas {
namespace {

// Moves BN statistics and affine parameters of `net` away from their initial values, then puts
// it in eval mode.
template <typename Module, typename Forward>
void randomise_batch_norm(Module& net, const Architecture& a, Forward forward) {
  net->train();
  {
    torch::NoGradGuard no_grad;
    for (int i = 0; i < 3; ++i)
      forward(torch::randn({4, a.input.channels, a.input.height, a.input.width}) * 2 + 0.5);
    for (auto& p : net->named_parameters()) {
      if (p.key().find("bn") != std::string::npos) p.value().uniform_(0.5, 1.5);
    }
  }
  net->eval();
}

double parity_error(const Architecture& a, uint64_t seed) {
  torch::manual_seed(seed);
  Network net(a);
  randomise_batch_norm(net, a, [&](const torch::Tensor& x) { net->forward(x); });
  Graph g = lower_architecture(a);
  apply_weights(g, net->folded_weights());
  XnnpackNetwork x(g);
  // Same input for both: XNNPACK's buffer is NHWC.
  const torch::Tensor nhwc = torch::randn({1, a.input.height, a.input.width, a.input.channels});
  std::copy(nhwc.data_ptr<float>(), nhwc.data_ptr<float>() + nhwc.numel(), x.input());
  x.run();
  torch::NoGradGuard no_grad;
  const torch::Tensor expected = net->forward(nhwc.permute({0, 3, 1, 2}).contiguous()).contiguous();
  double max_diff = 0, max_ref = 0;
  for (int64_t i = 0; i < expected.numel(); ++i) {
    max_diff = std::max(max_diff, std::fabs(double(x.output()[i]) - expected.data_ptr<float>()[i]));
    max_ref = std::max(max_ref, std::fabs(double(expected.data_ptr<float>()[i])));
  }
  return max_diff / max_ref;
}

TEST(WeightsParity, ZooModels) {
  for (const auto& [name, arch] : testing::small_zoo_models()) {
    EXPECT_LT(parity_error(arch, 1), 1e-4) << name;
  }
}

TEST(WeightsParity, RandomArchitecturesWithEveryChoice) {
  const SearchSpace space = testing::fashion_mnist_space();
  std::mt19937_64 rng(21);
  for (int i = 0; i < 20; ++i) EXPECT_LT(parity_error(space.sample(rng), i), 1e-4) << i;
}

// A detector's folded weights in its XNNPACK graph: the graph's outputs, one after the other,
// are LibTorch's scores then box offsets. Returns the largest difference over the largest value.
double detector_parity_error(const Architecture& a, int categories, uint64_t seed,
                             bool check_reference = false) {
  torch::manual_seed(seed);
  Detector det(a, categories, DefaultBoxOptions{});
  randomise_batch_norm(det, a, [&](const torch::Tensor& x) { det->forward(x); });
  Graph g = lower_detector(a, categories);
  apply_weights(g, det->folded_weights());
  EXPECT_EQ(g.params.size(), det->folded_weights().size());  // every tensor used
  XnnpackNetwork x(g);
  const torch::Tensor nhwc = torch::randn({1, a.input.height, a.input.width, a.input.channels});
  std::copy(nhwc.data_ptr<float>(), nhwc.data_ptr<float>() + nhwc.numel(), x.input());
  x.run();
  torch::NoGradGuard no_grad;
  const DetectorOutputs out = det->forward(nhwc.permute({0, 3, 1, 2}).contiguous());
  const torch::Tensor expected =
      torch::cat({out.scores.reshape({-1}), out.offsets.reshape({-1})}).contiguous();
  EXPECT_EQ(x.output_size(), static_cast<size_t>(expected.numel()));
  EXPECT_EQ(out.scores.size(1), static_cast<int64_t>(det->default_boxes().size()));
  std::vector<float> reference;
  if (check_reference) {
    reference = run_reference(g, std::vector<float>(x.input(), x.input() + x.input_size()));
    EXPECT_EQ(reference.size(), x.output_size());
  }
  double max_diff = 0, max_ref = 0;
  for (int64_t i = 0; i < expected.numel() && size_t(i) < x.output_size(); ++i) {
    const double e = expected.data_ptr<float>()[i];
    max_diff = std::max(max_diff, std::fabs(double(x.output()[i]) - e));
    if (check_reference) max_diff = std::max(max_diff, std::fabs(double(reference[i]) - e));
    max_ref = std::max(max_ref, std::fabs(e));
  }
  return max_diff / max_ref;
}

TEST(WeightsParity, DetectorsRunOnXnnpackAsInLibTorch) {
  EXPECT_LT(detector_parity_error(zoo_model("mnasnet-small", ZooOptions{{96, 96, 1}, 10, 1.0}),
                                  10, 1, /*check_reference=*/true),
            1e-4);
  EXPECT_LT(detector_parity_error(zoo_model("mobilenetv2", ZooOptions{{64, 64, 3}, 10, 1.0}), 3, 2),
            1e-4);
  EXPECT_LT(detector_parity_error(zoo_model("mnasnet-a1", ZooOptions{{128, 96, 1}, 10, 1.0}), 1, 3),
            1e-4);
  SearchSpace space;
  space.set_input({96, 96, 1});
  space.set_classes(10);
  std::mt19937_64 rng(5);
  for (int i = 0; i < 5; ++i) {
    EXPECT_LT(detector_parity_error(space.sample(rng), 4, 10 + i), 1e-4) << i;
  }
}

TEST(WeightsParity, ADetectorGraphRefusesWhatTheDetectorRefuses) {
  const Architecture a = zoo_model("mnasnet-small", ZooOptions{{96, 96, 1}, 10, 1.0});
  EXPECT_THROW(lower_detector(a, 0), Error);
  DefaultBoxOptions bad;
  bad.aspect_ratios.clear();
  EXPECT_THROW(lower_detector(a, 3, bad), Error);
  // Every layer at one resolution (a 1x1 input): no second feature map.
  EXPECT_THROW(lower_detector(zoo_model("mnasnet-small", ZooOptions{{1, 1, 1}, 10, 1.0}), 3),
               Error);
}

TEST(WeightsFile, RoundTripsAndRejectsDamage) {
  const Architecture a = zoo_model("mnasnet-small", ZooOptions{{32, 32, 3}, 10, 1.0});
  Network net(a);
  net->eval();
  WeightsFile w;
  w.arch = "x";
  w.mean = {0.5f, 0.5f, 0.5f};
  w.std = {0.25f, 0.25f, 0.25f};
  w.tensors = net->folded_weights();
  const std::string path = "/tmp/mnas_weights_test_" + std::to_string(::getpid());
  write_weights_file(path, w);
  const WeightsFile back = read_weights_file(path);
  EXPECT_EQ(back.tensors.size(), w.tensors.size());
  EXPECT_EQ(back.tensors.at("head").weight, w.tensors.at("head").weight);
  EXPECT_EQ(back.mean, w.mean);
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes.substr(0, bytes.size() - 10);
  EXPECT_THROW(read_weights_file(path), Error);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << "garbage";
  EXPECT_THROW(read_weights_file(path), Error);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace mnas
