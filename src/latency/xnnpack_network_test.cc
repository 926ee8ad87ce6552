#include "latency/xnnpack_network.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "base/error.h"
#include "graph/reference_executor.h"
#include "space/search_space.h"
#include "space/zoo.h"
#include "testing/fixtures.h"

namespace mnas {
namespace {

// Max |a − b| / (max |b| + 1e-3), over the logits.
double relative_error(const float* a, const std::vector<float>& b) {
  double max_diff = 0, max_ref = 0;
  for (size_t i = 0; i < b.size(); ++i) {
    max_diff = std::max(max_diff, std::fabs(double(a[i]) - b[i]));
    max_ref = std::max(max_ref, std::fabs(double(b[i])));
  }
  return max_diff / (max_ref + 1e-3);
}

// Small networks sweeping every op × kernel × SE × skip, with odd sizes to exercise ceil-mode
// pooling and padding; XNNPACK must agree with the plain-loop reference.
TEST(XnnpackNetwork, MatchesReferenceForEveryChoice) {
  int checked = 0;
  for (ConvOp op : {ConvOp::kConv, ConvOp::kDconv, ConvOp::kMbconv}) {
    for (int kernel : {3, 5, 7}) {
      for (double se : {0.0, 0.25}) {
        for (SkipOp skip : {SkipOp::kPool, SkipOp::kIdentity, SkipOp::kNone}) {
          const int e = op == ConvOp::kMbconv ? 3 : 1;
          Architecture a;
          a.input = {9, 7, 2};
          a.stem_filters = 8;
          a.stem_stride = 1;
          a.blocks = {
              make_block(op, 2, kernel, 1, e, 8, se, skip),    // keeps shape: identity
              make_block(op, 2, kernel, 2, e, 16, se, skip),   // stride and channels change
              make_block(op, 1, kernel, 1, e, 24, se, skip)};  // channels change at stride 1
          a.head_filters = 32;
          a.classes = 5;
          SCOPED_TRACE(to_string(op) + std::string(" k") + std::to_string(kernel) + " se" +
                       std::to_string(se) + " " + to_string(skip));
          XnnpackNetwork net(lower_architecture(a, 7));
          net.run();
          const std::vector<float> input(net.input(), net.input() + net.input_size());
          const std::vector<float> expected = run_reference(net.graph(), input);
          ASSERT_EQ(net.output_size(), expected.size());
          EXPECT_LT(relative_error(net.output(), expected), 1e-4);
          ++checked;
        }
      }
    }
  }
  EXPECT_EQ(checked, 54);
}

TEST(XnnpackNetwork, ZooModelsRunAt224) {
  for (const std::string& name : zoo_names()) {
    XnnpackNetwork net(lower_architecture(zoo_model(name)));
    net.run();
    ASSERT_EQ(net.output_size(), 1000u) << name;
    for (size_t i = 0; i < net.output_size(); ++i)
      ASSERT_TRUE(std::isfinite(net.output()[i])) << name;
  }
}

TEST(XnnpackNetwork, HundredRandomArchitecturesRun) {
  const SearchSpace space = testing::fashion_mnist_space();
  std::mt19937_64 rng(11);
  for (int i = 0; i < 100; ++i) {
    const Architecture a = space.sample(rng);
    XnnpackNetwork net(lower_architecture(a, i));
    net.run();
    ASSERT_EQ(net.output_size(), 10u);
    for (size_t j = 0; j < 10; ++j) ASSERT_TRUE(std::isfinite(net.output()[j])) << i;
  }
}

TEST(XnnpackNetwork, SameResultWithThreads) {
  const Architecture a = zoo_model("mnasnet-a1", ZooOptions{{64, 64, 3}, 10, 1.0});
  XnnpackNetwork one(lower_architecture(a, 3), 1), two(lower_architecture(a, 3), 2);
  one.run();
  two.run();
  const std::vector<float> expected(one.output(), one.output() + one.output_size());
  EXPECT_LT(relative_error(two.output(), expected), 1e-5);
}

TEST(XnnpackNetwork, RejectsBadThreadCounts) {
  const Architecture a = zoo_model("mnasnet-small", ZooOptions{{32, 32, 3}, 10, 1.0});
  EXPECT_THROW(XnnpackNetwork(lower_architecture(a), 0), Error);
  EXPECT_THROW(XnnpackNetwork(lower_architecture(a), -2), Error);
}

// The int8 network of every op × kernel × SE × skip and of every zoo model builds and runs
// (timing uses random weights; the activations' scales are fixed guesses, so the logits are only
// checked to be finite here).
TEST(XnnpackNetworkInt8, EveryChoiceAndTheZooBuildAndRun) {
  for (ConvOp op : {ConvOp::kConv, ConvOp::kDconv, ConvOp::kMbconv}) {
    for (double se : {0.0, 0.25}) {
      for (SkipOp skip : {SkipOp::kPool, SkipOp::kIdentity, SkipOp::kNone}) {
        Architecture a;
        a.input = {9, 7, 2};
        a.stem_filters = 8;
        a.stem_stride = 1;
        const int e = op == ConvOp::kMbconv ? 3 : 1;
        a.blocks = {make_block(op, 2, 5, 1, e, 8, se, skip),
                    make_block(op, 2, 3, 2, e, 16, se, skip)};
        a.head_filters = 32;
        a.classes = 5;
        SCOPED_TRACE(to_string(op) + std::string(" se") + std::to_string(se) + " " +
                     to_string(skip));
        XnnpackNetwork net(lower_architecture(a, 7), 1, Precision::kInt8);
        EXPECT_EQ(net.precision(), Precision::kInt8);
        net.run();
        ASSERT_EQ(net.output_size(), 5u);
        for (size_t i = 0; i < 5; ++i) ASSERT_TRUE(std::isfinite(net.output()[i]));
      }
    }
  }
  for (const std::string& name : zoo_names()) {
    XnnpackNetwork net(lower_architecture(zoo_model(name)), 2, Precision::kInt8);
    net.run();
    ASSERT_EQ(net.output_size(), 1000u) << name;
    for (size_t i = 0; i < net.output_size(); ++i) ASSERT_TRUE(std::isfinite(net.output()[i]));
  }
}

TEST(XnnpackNetworkInt8, PrecisionNames) {
  EXPECT_EQ(parse_precision("int8", "precision"), Precision::kInt8);
  EXPECT_EQ(to_string(parse_precision("fp32", "precision")), "fp32");
  try {
    parse_precision("fp16", "--precision");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.field(), "--precision");
  }
}

TEST(Graph, SingleLayerGraphsHaveTheLayersShapes) {
  const Architecture a = zoo_model("mnasnet-a1");
  const Graph g = lower_layer(a, 3);  // b3.l1: 56x56x24 → 28x28x40
  EXPECT_EQ(g.values[g.input], (ValueShape{56, 56, 24}));
  EXPECT_EQ(g.values[g.output], (ValueShape{28, 28, 40}));
  EXPECT_THROW(lower_layer(a, 99), Error);
  XnnpackNetwork net(g);
  net.run();
}

}  // namespace
}  // namespace mnas
