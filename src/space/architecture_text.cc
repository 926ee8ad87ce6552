// The canonical text form of an Architecture (grammar in architecture_codec.h).
#include <array>
#include <vector>

#include "base/error.h"
#include "base/number_format.h"
#include "base/split.h"
#include "space/architecture_codec.h"

namespace mnas {
namespace {

constexpr std::array<const char*, 6> kSections = {"input", "stem",    "blocks",
                                                  "head",  "classes", "dropout"};

// Reads `prefix` followed by a decimal integer that must fill the whole field.
int prefixed_int(std::string_view field, std::string_view prefix, const std::string& where,
                 const std::string& expected) {
  const std::string message =
      where + ": expected " + expected + ", got '" + std::string(field) + "'";
  if (field.substr(0, prefix.size()) != prefix) throw Error(message);
  field.remove_prefix(prefix.size());
  if (field.empty() || !((field[0] >= '0' && field[0] <= '9') || field[0] == '-')) {
    throw Error(message);
  }
  const int value = parse_int(field, message);
  if (!field.empty()) throw Error(message);
  return value;
}

// "s22" → 2; both digits must be the same single-digit stride.
int parse_stride(std::string_view field, const std::string& where) {
  const std::string message = where +
                              ": expected s11 or s22 (the stride in both directions), got '" +
                              std::string(field) + "'";
  if (field.size() != 3 || field[0] != 's' || field[1] < '0' || field[1] > '9' || field[2] < '0' ||
      field[2] > '9') {
    throw Error(message);
  }
  if (field[1] != field[2]) {
    throw Error(where + ": '" + std::string(field) +
                "' has different strides per direction; only square strides (s11, s22) exist");
  }
  return field[1] - '0';
}

BlockSpec parse_block(std::string_view text, const std::string& where, int expected_in) {
  const std::vector<std::string_view> f = split(text, '_');
  if (f.size() != 9) {
    throw Error(where + ": expected 9 fields op_rN_kN_sNN_eN_iN_oN_seR_skip, got '" +
                std::string(text) + "'");
  }
  BlockSpec b;
  b.op = parse_conv_op(f[0], where + ".op");
  b.layers = prefixed_int(f[1], "r", where + ".layers", "r<layers> such as r2");
  b.kernel = prefixed_int(f[2], "k", where + ".kernel", "k<kernel> such as k3");
  b.stride = parse_stride(f[3], where + ".stride");
  b.expansion = prefixed_int(f[4], "e", where + ".expansion", "e<expansion> such as e6");
  const int in = prefixed_int(f[5], "i", where + ".in", "i<input filters> such as i16");
  b.filters = prefixed_int(f[6], "o", where + ".filters", "o<output filters> such as o24");
  const std::string se_where = where + ".se_ratio";
  if (f[7].substr(0, 2) != "se") {
    throw Error(se_where + ": expected se<ratio> such as se0.25, got '" + std::string(f[7]) + "'");
  }
  b.se_ratio =
      parse_double(f[7].substr(2), se_where + ": expected se<ratio> such as se0.25, got '" +
                                       std::string(f[7]) + "'");
  b.skip = parse_skip_op(f[8], where + ".skip");
  validate(b, where);
  if (in != expected_in) {
    throw Error(where + ".in: i" + std::to_string(in) + " does not match the " +
                (where == "blocks[0]" ? "stem's" : "previous block's") + " output filters (" +
                std::to_string(expected_in) + ")");
  }
  return b;
}

std::string block_string(const BlockSpec& b, int in) {
  return std::string(to_string(b.op)) + "_r" + std::to_string(b.layers) + "_k" +
         std::to_string(b.kernel) + "_s" + std::to_string(b.stride) + std::to_string(b.stride) +
         "_e" + std::to_string(b.expansion) + "_i" + std::to_string(in) + "_o" +
         std::to_string(b.filters) + "_se" + format_double(b.se_ratio) + "_" + to_string(b.skip);
}

}  // namespace

std::string to_canonical_string(const Architecture& arch) {
  validate(arch);
  std::string s = "input=" + to_string(arch.input) + ":stem=s" + std::to_string(arch.stem_stride) +
                  std::to_string(arch.stem_stride) + "_o" + std::to_string(arch.stem_filters) +
                  ":blocks=";
  int in = arch.stem_filters;
  for (size_t i = 0; i < arch.blocks.size(); ++i) {
    if (i > 0) s += ',';
    s += block_string(arch.blocks[i], in);
    in = arch.blocks[i].filters;
  }
  s += ":head=o" + std::to_string(arch.head_filters) + ":classes=" + std::to_string(arch.classes) +
       ":dropout=" + format_double(arch.dropout);
  return s;
}

Architecture parse_architecture_string(std::string_view text) {
  if (text.empty()) throw Error("architecture string is empty");
  std::array<std::string_view, kSections.size()> values;
  std::array<bool, kSections.size()> seen{};
  for (std::string_view part : split(text, ':')) {
    const size_t eq = part.find('=');
    if (eq == std::string_view::npos) {
      throw Error("architecture string: section '" + std::string(part) +
                  "' is not key=value; expected input=, stem=, blocks=, head=, classes=, dropout=");
    }
    const std::string_view key = part.substr(0, eq);
    size_t index = kSections.size();
    for (size_t i = 0; i < kSections.size(); ++i) {
      if (key == kSections[i]) index = i;
    }
    if (index == kSections.size()) {
      throw Error("architecture string: unknown section '" + std::string(key) +
                  "'; expected input, stem, blocks, head, classes, dropout");
    }
    if (seen[index])
      throw Error("architecture string: section '" + std::string(key) + "' repeated");
    seen[index] = true;
    values[index] = part.substr(eq + 1);
  }
  for (size_t i = 0; i < kSections.size(); ++i) {
    if (!seen[i])
      throw Error("architecture string: section '" + std::string(kSections[i]) + "' missing");
  }

  Architecture arch;
  arch.input = parse_input_shape(values[0], "input");
  {
    const std::vector<std::string_view> f = split(values[1], '_');
    if (f.size() != 2) {
      throw Error("stem: expected s<stride><stride>_o<filters> such as s22_o32, got '" +
                  std::string(values[1]) + "'");
    }
    arch.stem_stride = parse_stride(f[0], "stem.stride");
    arch.stem_filters = prefixed_int(f[1], "o", "stem.filters", "o<filters> such as o32");
  }
  if (values[2].empty()) throw Error("blocks: an architecture needs at least one block");
  const std::vector<std::string_view> blocks = split(values[2], ',');
  int in = arch.stem_filters;
  for (size_t i = 0; i < blocks.size(); ++i) {
    arch.blocks.push_back(parse_block(blocks[i], "blocks[" + std::to_string(i) + "]", in));
    in = arch.blocks.back().filters;
  }
  arch.head_filters = prefixed_int(values[3], "o", "head.filters", "o<filters> such as o1280");
  arch.classes = prefixed_int(values[4], "", "classes", "a number of classes such as 1000");
  arch.dropout = parse_double(values[5], "dropout: expected a number in [0, 1) such as 0.2, got '" +
                                             std::string(values[5]) + "'");
  validate(arch);
  return arch;
}

}  // namespace mnas
