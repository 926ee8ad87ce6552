#include "latency/operator_profile.h"

#include <gtest/gtest.h>
#include <cstdint>

#include "base/error.h"
#include "latency/measure_presets.h"
#include "space/cost_model.h"
#include "space/zoo.h"

namespace mnas {
namespace {

TEST(OperatorProfile, TimesEveryOperatorAndCountsTheCostModelsMacs) {
  ZooOptions zoo;
  zoo.input = parse_input_shape("28x28x1", "input");
  zoo.classes = 10;
  const Architecture arch = zoo_model("mnasnet-a1", zoo);
  const Graph graph = lower_architecture(arch);
  int calls = 0;
  const std::vector<OperatorTiming> t =
      profile_operators(graph, 1, quick_protocol(), [&](int done, int total) {
        EXPECT_EQ(done, ++calls);
        EXPECT_EQ(total, static_cast<int>(graph.ops.size()));
      });
  ASSERT_EQ(t.size(), graph.ops.size());
  int64_t macs = 0;
  for (size_t i = 0; i < t.size(); ++i) {
    EXPECT_EQ(t[i].op, static_cast<int>(i));
    EXPECT_GT(t[i].median_ms, 0) << t[i].name;
    EXPECT_EQ(t[i].out, graph.values[graph.ops[i].output]) << t[i].name;
    macs += t[i].macs;
  }
  EXPECT_EQ(t.front().name, "stem");
  EXPECT_EQ(t.back().name, "classifier");
  EXPECT_EQ(t.back().kind, "fully_connected");
  EXPECT_EQ(macs, estimate_cost(arch, false).macs);
}

TEST(OperatorProfile, SingleOperatorGraphsKeepShapesAndWeights) {
  const Graph graph = lower_architecture(zoo_model("mnasnet-small"));
  for (int i = 0; i < static_cast<int>(graph.ops.size()); ++i) {
    const GraphOp& op = graph.ops[i];
    const Graph g = single_operator_graph(graph, i);
    ASSERT_EQ(g.ops.size(), 1u);
    EXPECT_EQ(g.values[g.input], graph.values[op.input]);
    EXPECT_EQ(g.values[g.output], graph.values[op.output]);
    EXPECT_EQ(infer_output_shape(g, g.ops[0]), graph.values[op.output]);
    if (op.param >= 0) {
      EXPECT_EQ(g.params[0].weight, graph.params[op.param].weight);
    }
  }
  EXPECT_THROW(single_operator_graph(graph, -1), Error);
  EXPECT_THROW(single_operator_graph(graph, static_cast<int>(graph.ops.size())), Error);
}

}  // namespace
}  // namespace mnas
