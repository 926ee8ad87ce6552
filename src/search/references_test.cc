#include "search/references.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>

#include "base/error.h"
#include "search/counting_evaluator.h"
#include "search/search_config.h"
#include "search/synthetic_surrogate.h"
#include "space/architecture_codec.h"
#include "space/cost_model.h"
#include "space/zoo.h"
#include "testing/fixtures.h"

namespace mnas {
namespace {

std::string temp_store(const std::string& name) {
  return testing::fresh_path("references_test", name);
}

// MobileNetV2 1.0's fifth block throws.
bool mobilenet_v2(const Architecture& arch) {
  return to_canonical_string(arch).find("_i64_o96_") != std::string::npos;
}

TEST(References, EvaluatesEachZooModelOnceAtTheSearchInput) {
  const SearchSpace space = SearchConfig::default_space();
  Store store(temp_store("once.db"));
  CountingEvaluator evaluator(space, 1);
  evaluator.throw_if = mobilenet_v2;
  const RewardOptions reward = RewardOptions::soft(1.0);
  int reported = 0;
  evaluate_references(store, evaluator, space, reward, {"mnasnet-a1", "mnasnet-small"},
                      [&](const StoredReference&, int i, int n) {
                        ++reported;
                        EXPECT_EQ(n, 2);
                        EXPECT_EQ(i, reported);
                      });
  EXPECT_EQ(evaluator.calls, 2);
  EXPECT_EQ(reported, 2);
  // Resumed with the whole zoo: only the missing ones are evaluated.
  evaluate_references(store, evaluator, space, reward, default_reference_names());
  EXPECT_EQ(evaluator.calls, static_cast<int>(zoo_names().size()));
  const std::vector<StoredReference> refs = store.references();
  ASSERT_EQ(refs.size(), zoo_names().size());
  for (const StoredReference& r : refs) {
    EXPECT_NE(r.canonical.find("input=28x28x1:"), std::string::npos) << r.name;
    EXPECT_NE(r.canonical.find(":classes=10:"), std::string::npos) << r.name;
    if (r.name == "mobilenetv2") {
      EXPECT_EQ(r.status, "failed");
      EXPECT_EQ(r.failure, "injected");
    } else {
      EXPECT_EQ(r.status, "done") << r.name;
      EXPECT_NEAR(r.reward, compute_reward(r.accuracy, r.latency_ms, reward), 1e-12);
    }
  }
}

TEST(References, AnUnknownNameIsAnErrorNamingTheFlag) {
  SearchSpace space;
  Store store(temp_store("unknown.db"));
  CountingEvaluator evaluator(space, 1);
  evaluator.throw_if = mobilenet_v2;
  try {
    evaluate_references(store, evaluator, space, RewardOptions::soft(1.0), {"resnet50"});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("references: 'resnet50' is not a zoo model"),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(evaluator.calls, 0);
}

TEST(References, AZooModelAtAWidthMultiplier) {
  const SearchSpace space = SearchConfig::default_space();
  const Architecture full = reference_model("mobilenetv2", space);
  const Architecture narrow = reference_model("mobilenetv2@0.35", space);
  EXPECT_EQ(narrow.input, space.input());
  EXPECT_LT(estimate_cost(narrow).params, estimate_cost(full).params / 2);
  EXPECT_EQ(estimate_cost(reference_model("mobilenetv2@1", space)).params,
            estimate_cost(full).params);
  for (const char* bad : {"mobilenetv2@", "mobilenetv2@x", "mobilenetv2@0", "mobilenetv2@5",
                          "resnet@0.5", "@0.5"}) {
    EXPECT_THROW(reference_model(bad, space), Error) << bad;
  }
}

}  // namespace
}  // namespace mnas
