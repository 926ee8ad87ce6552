#include "space/architecture.h"

#include <charconv>
#include <cmath>

#include "base/enum_names.h"
#include "base/error.h"
#include "base/number_format.h"

namespace mnas {
namespace {

constexpr double kSeRatios[] = {0.0, 0.0625, 0.125, 0.25, 0.5};

void check_range(long long value, long long lo, long long hi, const std::string& field) {
  if (value < lo || value > hi) {
    throw Error(field + ": " + std::to_string(value) + " is out of range; must be in [" +
                std::to_string(lo) + ", " + std::to_string(hi) + "]");
  }
}

}  // namespace

namespace {

constexpr EnumName<ConvOp> kConvOpNames[] = {
    {ConvOp::kConv, "conv"}, {ConvOp::kDconv, "dconv"}, {ConvOp::kMbconv, "mbconv"}};
constexpr EnumName<SkipOp> kSkipOpNames[] = {
    {SkipOp::kPool, "pool"}, {SkipOp::kIdentity, "identity"}, {SkipOp::kNone, "none"}};

}  // namespace

const char* to_string(ConvOp op) { return enum_name(op, kConvOpNames); }
const char* to_string(SkipOp skip) { return enum_name(skip, kSkipOpNames); }

ConvOp parse_conv_op(std::string_view name, const std::string& field) {
  return parse_enum_name(name, kConvOpNames, field, "op");
}

SkipOp parse_skip_op(std::string_view name, const std::string& field) {
  return parse_enum_name(name, kSkipOpNames, field, "skip");
}

std::string to_string(const InputShape& shape) {
  return std::to_string(shape.height) + "x" + std::to_string(shape.width) + "x" +
         std::to_string(shape.channels);
}

InputShape parse_input_shape(std::string_view text, const std::string& field) {
  const std::string usage = field + ": '" + std::string(text) +
                            "' is not an input shape; write HxWxC, e.g. 224x224x3 or 28x28x1";
  int values[3];
  std::string_view rest = text;
  for (int i = 0; i < 3; ++i) {
    if (i > 0) {
      if (rest.empty() || rest.front() != 'x') throw Error(usage);
      rest.remove_prefix(1);
    }
    values[i] = parse_int(rest, usage);
  }
  if (!rest.empty()) throw Error(usage);
  InputShape shape{values[0], values[1], values[2]};
  check_range(shape.height, 1, limits::kMaxInputSide, field + ".height");
  check_range(shape.width, 1, limits::kMaxInputSide, field + ".width");
  check_range(shape.channels, 1, limits::kMaxInputChannels, field + ".channels");
  return shape;
}

BlockSpec make_block(ConvOp op, int layers, int kernel, int stride, int expansion, int filters,
                     double se_ratio, SkipOp skip) {
  BlockSpec b;
  b.op = op;
  b.layers = layers;
  b.kernel = kernel;
  b.stride = stride;
  b.expansion = expansion;
  b.filters = filters;
  b.se_ratio = se_ratio;
  b.skip = skip;
  return b;
}

bool BlockSpec::operator==(const BlockSpec& o) const {
  return op == o.op && expansion == o.expansion && kernel == o.kernel && se_ratio == o.se_ratio &&
         skip == o.skip && filters == o.filters && layers == o.layers && stride == o.stride;
}

bool Architecture::operator==(const Architecture& o) const {
  return input == o.input && stem_filters == o.stem_filters && stem_stride == o.stem_stride &&
         blocks == o.blocks && head_filters == o.head_filters && classes == o.classes &&
         dropout == o.dropout;
}

bool is_valid_se_ratio(double ratio) {
  for (double r : kSeRatios) {
    if (ratio == r) return true;
  }
  return false;
}

void validate(const BlockSpec& block, const std::string& field) {
  if (block.op == ConvOp::kMbconv) {
    if (block.expansion == 1) {
      throw Error(field + ".expansion: an mbconv with expansion 1 is a dconv; write dconv");
    }
    check_range(block.expansion, 2, limits::kMaxExpansion, field + ".expansion");
  } else if (block.expansion != 1) {
    throw Error(field + ".expansion: " + std::to_string(block.expansion) + " is not allowed for " +
                to_string(block.op) + "; only mbconv has an expansion (write 1)");
  }
  if (block.kernel != 3 && block.kernel != 5 && block.kernel != 7) {
    throw Error(field + ".kernel: " + std::to_string(block.kernel) +
                " is not allowed; use 3, 5 or 7");
  }
  if (!is_valid_se_ratio(block.se_ratio)) {
    throw Error(field + ".se_ratio: " + format_double(block.se_ratio) +
                " is not allowed; use 0, 0.0625, 0.125, 0.25 or 0.5");
  }
  check_range(block.filters, 1, limits::kMaxFilters, field + ".filters");
  check_range(block.layers, 1, limits::kMaxLayers, field + ".layers");
  if (block.stride != 1 && block.stride != 2) {
    throw Error(field + ".stride: " + std::to_string(block.stride) + " is not allowed; use 1 or 2");
  }
}

void validate(const Architecture& arch) {
  check_range(arch.input.height, 1, limits::kMaxInputSide, "input.height");
  check_range(arch.input.width, 1, limits::kMaxInputSide, "input.width");
  check_range(arch.input.channels, 1, limits::kMaxInputChannels, "input.channels");
  check_range(arch.stem_filters, 1, limits::kMaxFilters, "stem.filters");
  if (arch.stem_stride != 1 && arch.stem_stride != 2) {
    throw Error("stem.stride: " + std::to_string(arch.stem_stride) + " is not allowed; use 1 or 2");
  }
  if (arch.blocks.empty()) throw Error("blocks: an architecture needs at least one block");
  check_range(static_cast<long long>(arch.blocks.size()), 1, limits::kMaxBlocks, "blocks (count)");
  for (size_t i = 0; i < arch.blocks.size(); ++i) {
    validate(arch.blocks[i], "blocks[" + std::to_string(i) + "]");
  }
  check_range(arch.head_filters, 1, limits::kMaxFilters, "head.filters");
  check_range(arch.classes, 1, limits::kMaxClasses, "classes");
  if (!std::isfinite(arch.dropout) || arch.dropout < 0.0 || arch.dropout >= 1.0) {
    throw Error("dropout: " + format_double(arch.dropout) + " is out of range; must be in [0, 1)");
  }
}

}  // namespace mnas
