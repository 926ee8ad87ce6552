#include "space/search_space.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <map>

#include "base/error.h"
#include "space/architecture_codec.h"
#include "space/scaling.h"
#include "space/zoo.h"

namespace mnas {
namespace {

TEST(SearchSpace, DefaultIsThePapersSpace) {
  const SearchSpace space;
  EXPECT_EQ(space.num_blocks(), 7);
  ASSERT_EQ(space.per_block_sizes().size(), 7u);
  for (uint64_t s : space.per_block_sizes()) EXPECT_EQ(s, 432u);
  EXPECT_EQ(space.size_exact(), "2807929681968365568");  // 432^7
  EXPECT_NEAR(space.log10_size(), 7 * std::log10(432.0), 1e-9);
  EXPECT_EQ(space.skeleton().name, "mobilenetv2");
}

TEST(SearchSpace, DecisionsAreSixPerBlockInTheDocumentedOrder) {
  const std::vector<Decision> d = SearchSpace().decisions();
  ASSERT_EQ(d.size(), 42u);
  const char* names[] = {"b1.op", "b1.kernel", "b1.se_ratio", "b1.skip", "b1.filters", "b1.layers"};
  const int vocab[] = {4, 2, 2, 3, 3, 3};
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(d[i].name, names[i]);
    EXPECT_EQ(d[i].vocab, vocab[i]);
  }
  EXPECT_EQ(d[41].name, "b7.layers");
}

TEST(SearchSpace, SkeletonFollowsTheInput) {
  SearchSpace space;
  space.set_input({28, 28, 1});
  EXPECT_EQ(space.skeleton().name, "small-input");
  EXPECT_EQ(space.skeleton().stem_stride, 1);
  space.set_input({64, 64, 3});
  EXPECT_EQ(space.skeleton().name, "small-input");
  space.set_input({65, 65, 3});
  EXPECT_EQ(space.skeleton().name, "mobilenetv2");
}

TEST(SearchSpace, SkeletonArchitectureIsMobileNetV2) {
  const Architecture skeleton = SearchSpace().skeleton_architecture();
  EXPECT_EQ(skeleton, zoo_model("mobilenetv2"));
}

TEST(SearchSpace, TokensRoundTripForTenThousandSamples) {
  for (const InputShape input : {InputShape{224, 224, 3}, InputShape{28, 28, 1}}) {
    SearchSpace space;
    space.set_input(input);
    std::mt19937_64 rng(7);
    for (int i = 0; i < 10000; ++i) {
      const std::vector<int> tokens = space.sample_tokens(rng);
      const Architecture a = space.decode(tokens);
      const std::vector<int> again = space.encode(a);
      ASSERT_EQ(space.decode(again), a) << "sample " << i;
      // Tokens differ only where two choices give the same value (16·0.75 and 16·1.0 → 16).
      ASSERT_EQ(space.encode(space.decode(again)), again);
    }
  }
}

TEST(SearchSpace, SamplingIsSeededAndCoversEveryChoice) {
  const SearchSpace space;
  std::mt19937_64 a(42), b(42), c(43);
  const std::vector<int> ta = space.sample_tokens(a);
  EXPECT_EQ(ta, space.sample_tokens(b));
  EXPECT_NE(ta, space.sample_tokens(c));
  std::map<int, int> kernel_counts;
  std::map<int, int> op_counts;
  for (int i = 0; i < 4000; ++i) {
    const Architecture arch = space.sample(a);
    ++kernel_counts[arch.blocks[3].kernel];
    ++op_counts[static_cast<int>(arch.blocks[3].op) * 10 + arch.blocks[3].expansion];
  }
  EXPECT_EQ(kernel_counts.size(), 2u);
  EXPECT_EQ(op_counts.size(), 4u);
  EXPECT_NEAR(kernel_counts[3], 2000, 200);
}

TEST(SearchSpace, UniformIndexIsPlatformIndependent) {
  std::mt19937_64 rng(1);
  // Golden values: the engine is specified by the standard; the reduction is ours.
  std::vector<int> got;
  for (int i = 0; i < 5; ++i) got.push_back(uniform_index(rng, 432));
  std::mt19937_64 again(1);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(got[i], static_cast<int>(again() % 432));
}

TEST(SearchSpace, DecodeRejectsBadTokens) {
  const SearchSpace space;
  std::vector<int> tokens(42, 0);
  EXPECT_NO_THROW(space.decode(tokens));
  tokens[1] = 2;  // kernel vocabulary is 2
  EXPECT_THROW(space.decode(tokens), Error);
  tokens[1] = -1;
  EXPECT_THROW(space.decode(tokens), Error);
  EXPECT_THROW(space.decode(std::vector<int>(41, 0)), Error);
}

TEST(SearchSpace, EncodeNamesTheFieldOutsideTheSpace) {
  const SearchSpace space;
  Architecture a = space.skeleton_architecture();
  a.blocks[2].kernel = 7;
  try {
    space.encode(a);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("blocks[2].kernel"), std::string::npos) << e.what();
  }
  EXPECT_THROW(space.encode(zoo_model("mnasnet-a1")), Error);  // 40 filters: not 0.75/1/1.25 × 32
}

TEST(SearchSpace, FilterChoicesRoundToMultiplesOfEight) {
  const SearchSpace space;
  std::vector<int> tokens(42, 0);
  tokens[4] = 2;  // block 1 filters: 16 × 1.25 = 20 → 24
  EXPECT_EQ(space.decode(tokens).blocks[0].filters, 24);
  tokens[6 * 4 + 4] = 0;  // block 5: 96 × 0.75 = 72
  EXPECT_EQ(space.decode(tokens).blocks[4].filters, 72);
  tokens[5] = 0;  // block 1 layers: max(1, 1 − 1) = 1
  EXPECT_EQ(space.decode(tokens).blocks[0].layers, 1);
}

TEST(SearchSpace, JsonRoundTrip) {
  SearchSpace space = SearchSpace::from_json(R"({
    "input": "32x32x3", "classes": 10,
    "choices": {"kernels": [3, 5, 7]},
    "block_choices": {"0": {"ops": ["dconv", "mbconv_e4"]}},
    "searchable_blocks": [0, 2, 4]})");
  EXPECT_EQ(space.per_block_sizes(), (std::vector<uint64_t>{2 * 3 * 2 * 3 * 3 * 3, 648, 648}));
  EXPECT_FALSE(space.is_searchable(1));
  EXPECT_EQ(space.decisions().size(), 18u);
  const SearchSpace again = SearchSpace::from_json(space.to_json());
  EXPECT_EQ(again, space);
  EXPECT_EQ(SearchSpace::from_json(SearchSpace().to_json()), SearchSpace());
  EXPECT_EQ(SearchSpace::from_json("{}"), SearchSpace());
  std::mt19937_64 rng(3);
  for (int i = 0; i < 100; ++i) {
    const Architecture a = space.sample(rng);
    EXPECT_EQ(a.blocks[1], space.skeleton_architecture().blocks[1]);  // not searchable
    EXPECT_EQ(space.decode(space.encode(a)), a);
  }
}

TEST(SearchSpace, AWidthMultiplierNarrowsTheSkeleton) {
  SearchSpace half;
  half.set_input({28, 28, 1});
  half.scale_width(0.5);
  const Skeleton& sk = half.skeleton();
  EXPECT_EQ(sk.stem_filters, 16);       // 32 × 0.5
  EXPECT_EQ(sk.blocks[0].filters, 8);   // 16 × 0.5
  EXPECT_EQ(sk.blocks[1].filters, 16);  // 24 × 0.5 = 12 → 16 (never below 90%)
  EXPECT_EQ(sk.blocks[6].filters, 160);
  EXPECT_EQ(sk.head_filters, 1280);  // MnasNet keeps its head
  // Every searched choice now scales the narrower skeleton's filters.
  std::vector<int> tokens(42, 0);
  EXPECT_EQ(half.decode(tokens).blocks[0].filters, 8);  // block 1: 8 × 0.75 = 6 → 8
  tokens[4] = 2;  // block 1: 8 × 1.25 = 10 → 16 (8 would be below 90% of 10)
  EXPECT_EQ(half.decode(tokens).blocks[0].filters, 16);
  // The file says it as width_multiplier; what it writes back is the scaled skeleton.
  const SearchSpace from_file =
      SearchSpace::from_json(R"({"input": "28x28x1", "width_multiplier": 0.5})");
  EXPECT_EQ(from_file, half);
  EXPECT_EQ(SearchSpace::from_json(from_file.to_json()), half);
  // Refused values leave the space as it was.
  SearchSpace same;
  for (double bad : {0.0, -1.0, 4.5, std::nan("")}) {
    try {
      same.scale_width(bad, "--multiplier");
      FAIL() << bad;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("--multiplier: "), std::string::npos) << e.what();
    }
  }
  EXPECT_EQ(same, SearchSpace());
  EXPECT_THROW(SearchSpace::from_json(R"({"width_multiplier": "wide"})"), Error);
}

TEST(SearchSpace, FromFileReportsUnreadableFiles) {
  try {
    SearchSpace::from_file("/nonexistent/space.json");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), Error::Kind::kIo);
  }
}

}  // namespace
}  // namespace mnas
