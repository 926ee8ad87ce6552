#include "space/architecture_codec.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>

#include "base/error.h"
#include "space/search_space.h"
#include "space/zoo.h"

namespace mnas {
namespace {

constexpr int kSamples = 10000;

TEST(CanonicalString, HasTheDocumentedForm) {
  const std::string s = to_canonical_string(zoo_model("mobilenetv2"));
  EXPECT_EQ(s.rfind("input=224x224x3:stem=s22_o32:blocks=dconv_r1_k3_s11_e1_i32_o16_se0_identity,"
                    "mbconv_r2_k3_s22_e6_i16_o24_se0_identity,",
                    0),
            0u)
      << s;
  EXPECT_NE(s.find(":head=o1280:classes=1000:dropout=0.2"), std::string::npos) << s;
  EXPECT_NE(to_canonical_string(zoo_model("mnasnet-a1"))
                .find("mbconv_r3_k5_s22_e3_i24_o40_se0.25_identity"),
            std::string::npos);
}

TEST(CanonicalString, SectionsMayComeInAnyOrder) {
  const Architecture a = zoo_model("mnasnet-b1");
  const std::string s = to_canonical_string(a);
  const size_t blocks = s.find(":blocks=");
  const size_t head = s.find(":head=");
  // Move the blocks section to the end.
  const std::string reordered =
      s.substr(0, blocks) + s.substr(head) + s.substr(blocks, head - blocks);
  EXPECT_EQ(parse_architecture_string(reordered), a);
}

TEST(CanonicalString, IsTheIdentity) {
  Architecture a = zoo_model("mnasnet-a1");
  Architecture b = a;
  b.blocks[2].kernel = 3;
  EXPECT_NE(to_canonical_string(a), to_canonical_string(b));
  EXPECT_EQ(to_canonical_string(a), to_canonical_string(zoo_model("mnasnet-a1")));
}

void expect_round_trips(const SearchSpace& space, uint64_t seed) {
  std::mt19937_64 rng(seed);
  for (int i = 0; i < kSamples; ++i) {
    const Architecture a = space.sample(rng);
    const std::string text = to_canonical_string(a);
    const Architecture from_text = parse_architecture_string(text);
    ASSERT_EQ(from_text, a) << "seed " << seed << " sample " << i << ": " << text;
    ASSERT_EQ(to_canonical_string(from_text), text);
    ASSERT_EQ(parse_architecture_json(to_json_string(a)), a) << "seed " << seed << " sample " << i;
    ASSERT_EQ(parse_architecture_json(to_json_string(a, 2)), a);
  }
}

TEST(RoundTrip, TenThousandSamplesAt224) { expect_round_trips(SearchSpace(), 1); }

TEST(RoundTrip, TenThousandSamplesOfTheSmallInputSkeleton) {
  SearchSpace space;
  space.set_input({28, 28, 1});
  space.set_classes(10);
  space.set_dropout(0.125);
  expect_round_trips(space, 2);
}

TEST(Json, OptionalBlockFieldsTakeTheirDefaults) {
  const Architecture a = parse_architecture_json(R"({
    "input": "32x32x3", "stem": {"filters": 16, "stride": 1},
    "blocks": [{"op": "dconv", "kernel": 3, "filters": 16, "layers": 1, "stride": 1},
               {"op": "mbconv", "expansion": 4, "kernel": 5, "se_ratio": 0.5, "skip": "pool",
                "filters": 24, "layers": 2, "stride": 2}],
    "head": {"filters": 256}, "classes": 10, "dropout": 0})");
  EXPECT_EQ(a.input, (InputShape{32, 32, 3}));
  EXPECT_EQ(a.blocks[0].expansion, 1);
  EXPECT_EQ(a.blocks[0].se_ratio, 0.0);
  EXPECT_EQ(a.blocks[0].skip, SkipOp::kIdentity);
  EXPECT_EQ(a.blocks[1].skip, SkipOp::kPool);
  EXPECT_EQ(a.blocks[1].expansion, 4);
  EXPECT_EQ(parse_architecture_json(to_json_string(a)), a);
}

}  // namespace
}  // namespace mnas
