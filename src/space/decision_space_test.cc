#include "space/decision_space.h"

#include <gtest/gtest.h>

#include "base/error.h"
#include "space/search_space.h"

namespace mnas {
namespace {

TEST(DecisionSpace, MnasNetsSpaceIsSixNamedDecisionsPerSearchableBlock) {
  const SearchSpace space;
  const DecisionSpace d = space.decision_space();
  ASSERT_EQ(d.size(), 42u);
  EXPECT_EQ(d.decisions()[0].name, "b1.op");
  EXPECT_EQ(d.decisions()[0].choices,
            (std::vector<std::string>{"conv", "dconv", "mbconv_e3", "mbconv_e6"}));
  EXPECT_EQ(d.decisions()[3].choices, (std::vector<std::string>{"pool", "identity", "none"}));
  EXPECT_EQ(d.decisions()[5].choices, (std::vector<std::string>{"-1", "0", "+1"}));
  // The same draws as the space's own sampling, so seeded searches are unchanged.
  std::mt19937_64 a(3), b(3);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(d.sample(a), space.sample_tokens(b));
}

TEST(DecisionSpace, SaysWhatIsWrongWithTokens) {
  const DecisionSpace d({{"edge", 0, 5, {}}, {"width", 0, 2, {"narrow", "wide"}}});
  EXPECT_EQ(d.problem({4, 1}), "");
  EXPECT_EQ(d.problem({4}), "1 tokens, the space has 2 decisions");
  EXPECT_EQ(d.problem({0, 2}), "token 1 (width) is 2, outside [0, 2)");
  EXPECT_EQ(d.problem({-1, 0}), "token 0 (edge) is -1, outside [0, 5)");
  EXPECT_EQ(d.vocabulary(), (std::vector<int>{5, 2}));
  EXPECT_THROW(DecisionSpace(std::vector<Decision>{}), Error);
  EXPECT_THROW(DecisionSpace({{"x", 0, 0, {}}}), Error);
  EXPECT_THROW(DecisionSpace({{"x", 0, 2, {"a"}}}), Error);
}

}  // namespace
}  // namespace mnas
