#ifndef MNAS_SPACE_SEARCH_SPACE_H_
#define MNAS_SPACE_SEARCH_SPACE_H_

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "space/architecture.h"
#include "space/decision_space.h"

namespace mnas {

// One stage of a skeleton: MobileNetV2's (t, c, n, s).
struct SkeletonBlock {
  int expansion = 6;  // t; 1 means a depthwise-separable (dconv) block
  int filters = 16;   // c
  int layers = 1;     // n
  int stride = 1;     // s
  bool operator==(const SkeletonBlock& o) const {
    return expansion == o.expansion && filters == o.filters && layers == o.layers &&
           stride == o.stride;
  }
};

// The network the search space is discretised around. A space holds one or more skeletons; the
// one used is the first whose `max_input_px` is ≥ the larger input side (0 = any input).
struct Skeleton {
  std::string name;
  int max_input_px = 0;
  int stem_filters = 32;
  int stem_stride = 2;
  std::vector<SkeletonBlock> blocks;
  int head_filters = 1280;
  bool operator==(const Skeleton& o) const {
    return name == o.name && max_input_px == o.max_input_px && stem_filters == o.stem_filters &&
           stem_stride == o.stem_stride && blocks == o.blocks && head_filters == o.head_filters;
  }
};

// MobileNetV2: stem 32/2, (1,16,1,1) (6,24,2,2) (6,32,3,2) (6,64,4,2) (6,96,3,1) (6,160,3,2)
// (6,320,1,1), head 1280.
Skeleton mobilenet_v2_skeleton();
// The same stages for inputs ≤ 64 px (28×28 Fashion-MNIST): the stem keeps full resolution
// (stride 1) so the total stride is 16 and a 28×28 input ends at 2×2 instead of 1×1.
Skeleton small_input_skeleton();

// A conv-op choice: the op and, for mbconv, its expansion ("conv", "dconv", "mbconv_e3", ...).
struct OpChoice {
  ConvOp op = ConvOp::kMbconv;
  int expansion = 6;
  bool operator==(const OpChoice& o) const { return op == o.op && expansion == o.expansion; }
};
std::string to_string(const OpChoice& choice);
OpChoice parse_op_choice(std::string_view text, const std::string& field);

// The choices of one block. Defaults are the paper's: 4·2·2·3·3·3 = 432.
struct BlockChoices {
  std::vector<OpChoice> ops = {
      {ConvOp::kConv, 1}, {ConvOp::kDconv, 1}, {ConvOp::kMbconv, 3}, {ConvOp::kMbconv, 6}};
  std::vector<int> kernels = {3, 5};
  std::vector<double> se_ratios = {0.0, 0.25};
  std::vector<SkipOp> skips = {SkipOp::kPool, SkipOp::kIdentity, SkipOp::kNone};
  // Output filters = round_filters(skeleton filters × ratio) (multiples of 8).
  std::vector<double> filter_ratios = {0.75, 1.0, 1.25};
  // Layers = max(1, skeleton layers + delta).
  std::vector<int> layer_deltas = {-1, 0, 1};

  // S: the number of token combinations of this block (product of the six vocabularies). Two
  // combinations can give the same block (16 × 0.75 and 16 × 1.0 both round to 16 filters).
  uint64_t size() const;
  bool operator==(const BlockChoices& o) const;
};

// The factorized hierarchical search space of MnasNet.
//
// Token order (the controller's action space): for each searchable block, in block order, six
// tokens: op, kernel, se_ratio, skip, filters, layers. Token values index that block's choice lists
// (BlockChoices) in their order. Blocks that are not searchable take the skeleton's own layer:
// dconv for t = 1 else mbconv with expansion t, kernel 3, no SE, identity skip, the skeleton's
// filters and layers.
//
// The input shape, classes and dropout are part of the space (every architecture it produces has
// them); the skeleton follows from the input.
class SearchSpace {
 public:
  // The paper's space over both skeleton presets, input 224x224x3, 1000 classes, dropout 0.2.
  SearchSpace();

  // Reads a search-space file (JSON; see docs/search-space.md). Every field is optional and falls
  // back to the default above. Throws mnas::Error naming the field at fault.
  static SearchSpace from_json(std::string_view text);
  // Reads the file at `path`; throws mnas::Error (kIo) if it cannot be read.
  static SearchSpace from_file(const std::string& path);
  // Every field, so that from_json(to_json()) == *this.
  std::string to_json(int indent = 2) const;

  // Problem settings; set_input picks the skeleton (throws if no skeleton fits the input).
  const InputShape& input() const { return input_; }
  void set_input(const InputShape& input);
  int classes() const { return classes_; }
  void set_classes(int classes);
  double dropout() const { return dropout_; }
  void set_dropout(double dropout);

  const std::vector<Skeleton>& skeletons() const { return skeletons_; }
  // Scales every skeleton's stem and block filters by `multiplier` (round_filters: multiples of
  // 8, as MobileNet's width multiplier; the head keeps its filters, as MnasNet's scaled models
  // do), so that a small latency target can be searched with a narrower skeleton. The space file
  // says it as "width_multiplier" (applied to its skeletons when read; the scaled filters are
  // what to_json writes). Throws mnas::Error naming `field` for a multiplier outside (0, 4] or
  // a space that would exceed the layer limits.
  void scale_width(double multiplier, const std::string& field = "width_multiplier");
  // The skeleton for the current input.
  const Skeleton& skeleton() const { return skeletons_[skeleton_index_]; }

  int num_blocks() const { return static_cast<int>(choices_.size()); }
  bool is_searchable(int block) const { return searchable_[block]; }
  std::vector<int> searchable_blocks() const;
  const BlockChoices& choices(int block) const { return choices_[block]; }

  // S of every searchable block, in order.
  std::vector<uint64_t> per_block_sizes() const;
  // Exact number of token sequences, in decimal ("2807929681968365568" for 432^7).
  std::string size_exact() const;
  double log10_size() const;

  // The decisions in token order, with their vocabulary sizes and choice names.
  std::vector<Decision> decisions() const;
  // The same as strategies see them (decision_space.h).
  DecisionSpace decision_space() const { return DecisionSpace(decisions()); }
  // Tokens → architecture. Throws mnas::Error for a wrong length or a token out of its vocabulary.
  Architecture decode(const std::vector<int>& tokens) const;
  // Architecture → tokens; throws mnas::Error naming the field that this space cannot produce.
  // Where two choices give the same value, the first is used, so decode(encode(a)) == a.
  std::vector<int> encode(const Architecture& arch) const;
  // Uniform random tokens, decoded; deterministic for a given engine state on every platform.
  Architecture sample(std::mt19937_64& rng) const;
  std::vector<int> sample_tokens(std::mt19937_64& rng) const;
  // The skeleton itself as an architecture (what non-searchable blocks use).
  Architecture skeleton_architecture() const;

  bool operator==(const SearchSpace& o) const;

 private:
  void check_consistent() const;  // throws mnas::Error for an unusable space
  BlockSpec skeleton_block(int block) const;

  std::vector<Skeleton> skeletons_;
  std::vector<BlockChoices> choices_;  // one per skeleton block
  BlockChoices default_choices_;       // written as "choices"; per-block differences separately
  std::vector<bool> searchable_;
  InputShape input_;
  int classes_ = 1000;
  double dropout_ = 0.2;
  size_t skeleton_index_ = 0;
};

}  // namespace mnas

#endif  // MNAS_SPACE_SEARCH_SPACE_H_
