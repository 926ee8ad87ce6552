#ifndef MNAS_SPACE_ARCHITECTURE_H_
#define MNAS_SPACE_ARCHITECTURE_H_

#include <string>
#include <string_view>
#include <vector>

namespace mnas {

// The convolution a block's layers use.
//   kConv   regular k×k convolution → BN → ReLU                          (expansion must be 1)
//   kDconv  depthwise-separable: depthwise k×k → BN → ReLU → [SE] → 1×1 → BN  (expansion must be 1)
//   kMbconv mobile inverted bottleneck: 1×1 expand ×e → BN → ReLU → depthwise k×k → BN → ReLU →
//           [SE] → 1×1 project → BN                                      (expansion 2..12)
// A bottleneck with expansion 1 is exactly a dconv, so it is written as dconv: every network has
// one canonical form.
enum class ConvOp { kConv, kDconv, kMbconv };

// The shortcut of each layer in a block; see layer_plan.h for how it applies layer by layer.
//   kPool     average pool with the layer's stride (+ 1×1 conv + BN where channels change)
//   kIdentity identity residual where the layer keeps shape; none elsewhere
//   kNone     no shortcut
enum class SkipOp { kPool, kIdentity, kNone };

// Names used in the text and JSON forms: "conv", "dconv", "mbconv"; "pool", "identity", "none".
const char* to_string(ConvOp op);
const char* to_string(SkipOp skip);
// Throw mnas::Error naming `field` and the accepted names when `name` is unknown.
ConvOp parse_conv_op(std::string_view name, const std::string& field);
SkipOp parse_skip_op(std::string_view name, const std::string& field);

// Height × width × channels of the network input (NHWC order in text: "224x224x3").
struct InputShape {
  int height = 224;
  int width = 224;
  int channels = 3;
  bool operator==(const InputShape& o) const {
    return height == o.height && width == o.width && channels == o.channels;
  }
  bool operator!=(const InputShape& o) const { return !(*this == o); }
};
std::string to_string(const InputShape& shape);
// Parses "HxWxC" (e.g. "224x224x3", "28x28x1"); throws mnas::Error naming `field`.
InputShape parse_input_shape(std::string_view text, const std::string& field = "input");

// One block of the network: `layers` identical layers; only the first takes the stride and the
// change of channels (later layers map filters → filters at stride 1), as in MobileNetV2.
struct BlockSpec {
  ConvOp op = ConvOp::kMbconv;
  int expansion = 6;      // 1 for conv and dconv; 2..12 for mbconv
  int kernel = 3;         // 3, 5 or 7
  double se_ratio = 0.0;  // 0 (no SE), 0.0625, 0.125, 0.25 or 0.5; SE width = max(1, ⌊in × ratio⌋)
  SkipOp skip = SkipOp::kIdentity;
  int filters = 16;  // output channels of every layer of the block
  int layers = 1;    // repeats, ≥ 1
  int stride = 1;    // 1 or 2, first layer only

  bool operator==(const BlockSpec& o) const;
  bool operator!=(const BlockSpec& o) const { return !(*this == o); }
};

// Every field of a block at once, in the order of the text form (op, layers r, kernel k, stride s,
// expansion e, output filters o, SE ratio, skip). Not validated: see validate().
BlockSpec make_block(ConvOp op, int layers, int kernel, int stride, int expansion, int filters,
                     double se_ratio = 0.0, SkipOp skip = SkipOp::kIdentity);

// A whole network: stem (3×3 conv → BN → ReLU) → blocks → head (1×1 conv → BN → ReLU) →
// global average pool → dropout → fully connected classifier.
struct Architecture {
  InputShape input;
  int stem_filters = 32;
  int stem_stride = 2;  // 1 or 2
  std::vector<BlockSpec> blocks;
  int head_filters = 1280;
  int classes = 1000;
  double dropout = 0.2;  // before the classifier, in [0, 1)

  bool operator==(const Architecture& o) const;
  bool operator!=(const Architecture& o) const { return !(*this == o); }
};

// Bounds every architecture must respect, whichever form it came in. They keep the cost model
// inside 64-bit arithmetic and reject absurd inputs with a clear message.
namespace limits {
constexpr int kMaxInputSide = 2048;
constexpr int kMaxInputChannels = 64;
constexpr int kMaxFilters = 8192;
constexpr int kMaxLayers = 32;
constexpr int kMaxBlocks = 32;
constexpr int kMaxExpansion = 12;
constexpr int kMaxClasses = 100000;
}  // namespace limits

// Checks every field against the rules above; throws mnas::Error naming the first bad field
// ("blocks[2].kernel: 4 is not allowed; use 3, 5 or 7"). Returns normally when valid.
void validate(const Architecture& arch);

// Validates one block; `field` prefixes the messages (e.g. "blocks[2]").
void validate(const BlockSpec& block, const std::string& field);

// True when `ratio` is an SE ratio an architecture may hold (see BlockSpec::se_ratio).
bool is_valid_se_ratio(double ratio);

}  // namespace mnas

#endif  // MNAS_SPACE_ARCHITECTURE_H_
