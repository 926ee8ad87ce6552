#include "nn/network.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>

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
