// The JSON form of an Architecture (schema in architecture_codec.h).
#include "base/error.h"
#include "base/json_fields.h"
#include "space/architecture_codec.h"

namespace mnas {

using json_fields::Json;

namespace {

Json block_json(const BlockSpec& b) {
  return Json{{"op", to_string(b.op)},  {"expansion", b.expansion},  {"kernel", b.kernel},
              {"se_ratio", b.se_ratio}, {"skip", to_string(b.skip)}, {"filters", b.filters},
              {"layers", b.layers},     {"stride", b.stride}};
}

// Range checks happen in validate(), which names the field with its real rule; here the types.
BlockSpec read_block(const Json& j, const std::string& path) {
  using namespace json_fields;
  require_object(j, path);
  reject_unknown_keys(
      j, {"op", "expansion", "kernel", "se_ratio", "skip", "filters", "layers", "stride"}, path);
  BlockSpec b;
  b.op = parse_conv_op(as_string(required(j, "op", path), child(path, "op")), child(path, "op"));
  if (j.contains("expansion")) {
    b.expansion = as_int(j["expansion"], child(path, "expansion"));
  } else if (b.op == ConvOp::kMbconv) {
    throw Error(child(path, "expansion") + ": missing (required for mbconv)");
  } else {
    b.expansion = 1;
  }
  b.kernel = as_int(required(j, "kernel", path), child(path, "kernel"));
  b.se_ratio = j.contains("se_ratio") ? as_double(j["se_ratio"], child(path, "se_ratio")) : 0.0;
  b.skip = j.contains("skip")
               ? parse_skip_op(as_string(j["skip"], child(path, "skip")), child(path, "skip"))
               : SkipOp::kIdentity;
  b.filters = as_int(required(j, "filters", path), child(path, "filters"));
  b.layers = as_int(required(j, "layers", path), child(path, "layers"));
  b.stride = as_int(required(j, "stride", path), child(path, "stride"));
  validate(b, path);
  return b;
}

InputShape read_input(const Json& j) {
  using namespace json_fields;
  if (j.is_string()) return parse_input_shape(j.get<std::string>(), "input");
  if (!j.is_object()) {
    throw Error(
        "input: expected an object {height, width, channels} or a string such as "
        "\"224x224x3\", got " +
        type_name(j));
  }
  reject_unknown_keys(j, {"height", "width", "channels"}, "input");
  InputShape s;
  s.height = as_int(required(j, "height", "input"), "input.height", 1, limits::kMaxInputSide);
  s.width = as_int(required(j, "width", "input"), "input.width", 1, limits::kMaxInputSide);
  s.channels =
      as_int(required(j, "channels", "input"), "input.channels", 1, limits::kMaxInputChannels);
  return s;
}

}  // namespace

std::string to_json_string(const Architecture& arch, int indent) {
  validate(arch);
  Json blocks = Json::array();
  for (const BlockSpec& b : arch.blocks) blocks.push_back(block_json(b));
  Json j{{"input",
          {{"height", arch.input.height},
           {"width", arch.input.width},
           {"channels", arch.input.channels}}},
         {"stem", {{"filters", arch.stem_filters}, {"stride", arch.stem_stride}}},
         {"blocks", blocks},
         {"head", {{"filters", arch.head_filters}}},
         {"classes", arch.classes},
         {"dropout", arch.dropout}};
  return j.dump(indent);
}

Architecture parse_architecture_json(std::string_view text) {
  using namespace json_fields;
  const Json j = parse(text, "architecture JSON");
  require_object(j, "");
  reject_unknown_keys(j, {"input", "stem", "blocks", "head", "classes", "dropout"}, "");
  Architecture arch;
  arch.input = read_input(required(j, "input", ""));

  const Json& stem = required(j, "stem", "");
  require_object(stem, "stem");
  reject_unknown_keys(stem, {"filters", "stride"}, "stem");
  arch.stem_filters = as_int(required(stem, "filters", "stem"), "stem.filters");
  arch.stem_stride = as_int(required(stem, "stride", "stem"), "stem.stride");

  const Json& blocks = required(j, "blocks", "");
  require_array(blocks, "blocks");
  if (blocks.size() > static_cast<size_t>(limits::kMaxBlocks)) {
    throw Error("blocks: " + std::to_string(blocks.size()) + " blocks; at most " +
                std::to_string(limits::kMaxBlocks) + " are allowed");
  }
  for (size_t i = 0; i < blocks.size(); ++i) {
    arch.blocks.push_back(read_block(blocks[i], element("blocks", i)));
  }

  const Json& head = required(j, "head", "");
  require_object(head, "head");
  reject_unknown_keys(head, {"filters"}, "head");
  arch.head_filters = as_int(required(head, "filters", "head"), "head.filters");
  arch.classes = as_int(required(j, "classes", ""), "classes");
  arch.dropout = as_double(required(j, "dropout", ""), "dropout");
  validate(arch);
  return arch;
}

}  // namespace mnas
