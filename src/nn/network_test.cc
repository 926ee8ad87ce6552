#include "nn/network.h"
#include "nn/detector.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>

#include "base/error.h"
#include "space/cost_model.h"
#include "space/search_space.h"
#include "space/zoo.h"

namespace mnas {
namespace {

TEST(Network, ParameterCountEqualsTheCostModelForTheZoo) {
  for (const std::string& name : zoo_names()) {
    const Architecture a = zoo_model(name);
    Network net(a);
    EXPECT_EQ(count_parameters(*net), estimate_cost(a).params) << name;
  }
}

TEST(Network, ParameterCountEqualsTheCostModelFor200RandomArchitectures) {
  std::mt19937_64 rng(5);
  for (const InputShape input : {InputShape{28, 28, 1}, InputShape{224, 224, 3}}) {
    SearchSpace space;
    space.set_input(input);
    space.set_classes(10);
    for (int i = 0; i < 100; ++i) {
      const Architecture a = space.sample(rng);
      Network net(a);
      ASSERT_EQ(count_parameters(*net), estimate_cost(a).params)
          << "sample " << i << " at " << to_string(input);
    }
  }
}

TEST(Network, ForwardShapesSmallInputAnd224) {
  torch::NoGradGuard no_grad;
  SearchSpace small;
  small.set_input({28, 28, 1});
  small.set_classes(10);
  std::mt19937_64 rng(3);
  for (int i = 0; i < 5; ++i) {
    Network net(small.sample(rng));
    net->eval();
    EXPECT_EQ(net->forward(torch::randn({2, 1, 28, 28})).sizes(), (std::vector<int64_t>{2, 10}));
  }
  Network a1(zoo_model("mnasnet-a1"));
  a1->eval();
  EXPECT_EQ(a1->forward(torch::randn({1, 3, 224, 224})).sizes(), (std::vector<int64_t>{1, 1000}));
}

TEST(Network, PoolShortcutOnOddSizes) {
  torch::NoGradGuard no_grad;
  Architecture a = zoo_model("mnasnet-small", ZooOptions{{27, 27, 3}, 7, 1.0});
  for (BlockSpec& b : a.blocks) b.skip = SkipOp::kPool;
  Network net(a);
  net->eval();
  EXPECT_EQ(net->forward(torch::randn({1, 3, 27, 27})).sizes(), (std::vector<int64_t>{1, 7}));
}

}  // namespace
}  // namespace mnas

namespace mnas {
namespace {

TEST(Detector, TakesStride8And16AndTheHeadThenHalvesToOneByOne) {
  Architecture arch = zoo_model("mnasnet-small");
  arch.input = {96, 96, 1};
  arch.classes = 10;
  const std::vector<FeatureMapSize> maps = detector_feature_maps(arch);
  ASSERT_EQ(maps.size(), 5u);
  const int sides[] = {12, 6, 3, 2, 1};
  for (size_t i = 0; i < maps.size(); ++i) EXPECT_EQ(maps[i].height, sides[i]) << i;
  torch::manual_seed(1);
  Detector det(arch, 10, DefaultBoxOptions());
  EXPECT_EQ(det->default_boxes().size(), 6u * (144 + 36 + 9 + 4 + 1));
  det->eval();
  const DetectorOutputs out = det->forward(torch::randn({2, 1, 96, 96}));
  EXPECT_EQ(out.scores.sizes(), (std::vector<int64_t>{2, 1164, 11}));
  EXPECT_EQ(out.offsets.sizes(), (std::vector<int64_t>{2, 1164, 4}));

  // A backbone that never leaves its first resolution has nothing to detect at two scales.
  Architecture flat = arch;
  flat.input = {28, 28, 1};
  flat.stem_stride = 1;
  for (auto& b : flat.blocks) b.stride = 1;
  EXPECT_THROW(detector_feature_maps(flat), Error);
}

}  // namespace
}  // namespace mnas
