#include "space/zoo.h"

#include "base/error.h"
#include "base/number_format.h"
#include "space/scaling.h"
#include "space/search_space.h"

namespace mnas {
namespace {

constexpr ConvOp kDconv = ConvOp::kDconv;
constexpr ConvOp kMbconv = ConvOp::kMbconv;
constexpr SkipOp kIdentity = SkipOp::kIdentity;
constexpr SkipOp kNone = SkipOp::kNone;

// make_block's field order follows the reference strings: op, repeats, kernel, stride, expansion,
// output, SE ratio, skip.
Architecture mnasnet_a1() {
  Architecture a;
  a.stem_filters = 32;
  a.blocks = {make_block(kDconv, 1, 3, 1, 1, 16, 0.0, kNone),
              make_block(kMbconv, 2, 3, 2, 6, 24),
              make_block(kMbconv, 3, 5, 2, 3, 40, 0.25),
              make_block(kMbconv, 4, 3, 2, 6, 80),
              make_block(kMbconv, 2, 3, 1, 6, 112, 0.25),
              make_block(kMbconv, 3, 5, 2, 6, 160, 0.25),
              make_block(kMbconv, 1, 3, 1, 6, 320)};
  return a;
}

Architecture mnasnet_b1() {
  Architecture a;
  a.stem_filters = 32;
  a.blocks = {make_block(kDconv, 1, 3, 1, 1, 16, 0.0, kNone),
              make_block(kMbconv, 3, 3, 2, 3, 24),
              make_block(kMbconv, 3, 5, 2, 3, 40),
              make_block(kMbconv, 3, 5, 2, 6, 80),
              make_block(kMbconv, 2, 3, 1, 6, 96),
              make_block(kMbconv, 4, 5, 2, 6, 192),
              make_block(kMbconv, 1, 3, 1, 6, 320, 0.0, kNone)};
  return a;
}

// The reference string of the first block reads i16_o8, but the network it builds sees the stem's
// 8 channels: it is built here as 8 → 8 (see shared/reference-models.md).
Architecture mnasnet_small() {
  Architecture a;
  a.stem_filters = 8;
  a.dropout = 0.0;
  a.blocks = {make_block(kDconv, 1, 3, 1, 1, 8),         make_block(kMbconv, 1, 3, 2, 3, 16),
              make_block(kMbconv, 2, 3, 2, 6, 16),       make_block(kMbconv, 4, 5, 2, 6, 32, 0.25),
              make_block(kMbconv, 3, 3, 1, 6, 32, 0.25), make_block(kMbconv, 3, 5, 2, 6, 88, 0.25),
              make_block(kMbconv, 1, 3, 1, 6, 144)};
  return a;
}

// MobileNetV2's (t, c, n, s) table; t = 1 is a depthwise-separable block.
Architecture mobilenet_v2() {
  Architecture a;
  a.stem_filters = 32;
  a.blocks = {make_block(kDconv, 1, 3, 1, 1, 16),  make_block(kMbconv, 2, 3, 2, 6, 24),
              make_block(kMbconv, 3, 3, 2, 6, 32), make_block(kMbconv, 4, 3, 2, 6, 64),
              make_block(kMbconv, 3, 3, 1, 6, 96), make_block(kMbconv, 3, 3, 2, 6, 160),
              make_block(kMbconv, 1, 3, 1, 6, 320)};
  return a;
}

struct ZooEntry {
  const char* name;
  Architecture (*make)();
  double base_multiplier;
  bool scales_head;  // MobileNetV2 widens its head above 1.0; MnasNet keeps 1280
};

const ZooEntry kZoo[] = {
    {"mnasnet-a1", mnasnet_a1, 1.0, false},       {"mnasnet-b1", mnasnet_b1, 1.0, false},
    {"mnasnet-small", mnasnet_small, 1.0, false}, {"mobilenetv2", mobilenet_v2, 1.0, true},
    {"mobilenetv2-1.4", mobilenet_v2, 1.4, true},
};

const ZooEntry* find(std::string_view name) {
  if (name == "mobilenetv2-1.0") name = "mobilenetv2";
  for (const ZooEntry& e : kZoo) {
    if (name == e.name) return &e;
  }
  return nullptr;
}

}  // namespace

std::vector<std::string> zoo_names() {
  std::vector<std::string> names;
  for (const ZooEntry& e : kZoo) names.emplace_back(e.name);
  return names;
}

bool is_zoo_name(std::string_view name) { return find(name) != nullptr; }

Architecture zoo_model(std::string_view name, const ZooOptions& options) {
  const ZooEntry* entry = find(name);
  if (entry == nullptr) {
    std::string known;
    for (const std::string& n : zoo_names()) known += (known.empty() ? "" : ", ") + n;
    throw Error("unknown zoo model '" + std::string(name) + "'; known: " + known);
  }
  validate_multiplier(options.multiplier);
  Architecture arch = entry->make();
  arch.input = options.input;
  SearchSpace presets;  // the skeleton presets are data of the default space
  presets.set_input(options.input);
  arch.stem_stride = presets.skeleton().stem_stride;
  arch.classes = options.classes;
  const double multiplier = entry->base_multiplier * options.multiplier;
  if (multiplier != 1.0) arch = scale_depth(arch, multiplier, entry->scales_head);
  validate(arch);
  return arch;
}

Architecture zoo_model_from_spec(const std::string& spec, ZooOptions options) {
  std::string name = spec;
  const size_t at = spec.find('@');
  if (at != std::string::npos) {
    name = spec.substr(0, at);
    const double multiplier = parse_double(
        spec.substr(at + 1),
        "'" + spec + "': the multiplier after @ is not a number (e.g. mobilenetv2@0.35)");
    if (!(multiplier > 0 && multiplier <= 4)) {
      throw Error("'" + spec + "': the multiplier must be in (0, 4]");
    }
    options.multiplier *= multiplier;
  }
  if (!is_zoo_name(name)) {
    throw Error("'" + name + "' is not a zoo model (`mnas describe zoo` lists them)");
  }
  return zoo_model(name, options);
}

}  // namespace mnas
