#include "space/search_space.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <sstream>

#include "base/error.h"
#include "base/file_io.h"
#include "base/json_fields.h"
#include "base/number_format.h"
#include "space/scaling.h"

namespace mnas {

using json_fields::Json;

namespace {

constexpr int kDecisionsPerBlock = 6;
constexpr const char* kDecisionNames[kDecisionsPerBlock] = {"op",   "kernel",  "se_ratio",
                                                            "skip", "filters", "layers"};
constexpr const char* kFormat = "mnas-search-space/1";
constexpr size_t kMaxVocab = 64;

Skeleton make_skeleton(const char* name, int max_input_px, int stem_stride) {
  Skeleton s;
  s.name = name;
  s.max_input_px = max_input_px;
  s.stem_filters = 32;
  s.stem_stride = stem_stride;
  s.blocks = {{1, 16, 1, 1}, {6, 24, 2, 2},  {6, 32, 3, 2}, {6, 64, 4, 2},
              {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
  s.head_filters = 1280;
  return s;
}

template <typename T>
int index_of(const std::vector<T>& values, const T& value) {
  const auto it = std::find(values.begin(), values.end(), value);
  return it == values.end() ? -1 : static_cast<int>(it - values.begin());
}

template <typename T, typename Format>
std::string list(const std::vector<T>& values, Format format) {
  std::string s;
  for (const T& v : values) s += (s.empty() ? "" : ", ") + format(v);
  return s;
}
std::string int_list(const std::vector<int>& v) {
  return list(v, [](int x) { return std::to_string(x); });
}
std::string double_list(const std::vector<double>& v) { return list(v, format_double); }

// ---- JSON reading ----------------------------------------------------------------------------

template <typename T, typename Read>
std::vector<T> read_list(const Json& j, const std::string& path, Read read) {
  json_fields::require_array(j, path);
  if (j.empty()) throw Error(path + ": must list at least one choice");
  if (j.size() > kMaxVocab) {
    throw Error(path + ": " + std::to_string(j.size()) + " choices; at most " +
                std::to_string(kMaxVocab) + " are allowed");
  }
  std::vector<T> values;
  for (size_t i = 0; i < j.size(); ++i) {
    T value = read(j[i], json_fields::element(path, i));
    if (index_of(values, value) >= 0) {
      throw Error(json_fields::element(path, i) + ": duplicate choice " + j[i].dump());
    }
    values.push_back(value);
  }
  return values;
}

// `key`'s list of choices read into `out` when `j` has it (else `out` is kept: the default).
template <typename T, typename Read>
void read_list_if_given(const Json& j, const char* key, const std::string& path,
                        std::vector<T>& out, Read read) {
  if (j.contains(key)) out = read_list<T>(j[key], json_fields::child(path, key), read);
}

BlockChoices read_choices(const Json& j, const std::string& path, const BlockChoices& defaults) {
  using namespace json_fields;
  require_object(j, path);
  reject_unknown_keys(j, {"ops", "kernels", "se_ratios", "skips", "filter_ratios", "layer_deltas"},
                      path);
  BlockChoices c = defaults;
  read_list_if_given(j, "ops", path, c.ops, [](const Json& v, const std::string& p) {
    return parse_op_choice(as_string(v, p), p);
  });
  read_list_if_given(j, "kernels", path, c.kernels, [](const Json& v, const std::string& p) {
    const int k = as_int(v, p);
    if (k != 3 && k != 5 && k != 7) {
      throw Error(p + ": " + std::to_string(k) + " is not allowed; use 3, 5 or 7");
    }
    return k;
  });
  read_list_if_given(j, "se_ratios", path, c.se_ratios, [](const Json& v, const std::string& p) {
    const double r = as_double(v, p);
    if (!is_valid_se_ratio(r)) {
      throw Error(p + ": " + format_double(r) +
                  " is not allowed; use 0, 0.0625, 0.125, 0.25 or 0.5");
    }
    return r;
  });
  read_list_if_given(j, "skips", path, c.skips, [](const Json& v, const std::string& p) {
    return parse_skip_op(as_string(v, p), p);
  });
  read_list_if_given(
      j, "filter_ratios", path, c.filter_ratios, [](const Json& v, const std::string& p) {
        const double r = as_double(v, p);
        if (r <= 0.0 || r > 4.0) {
          throw Error(p + ": " + format_double(r) + " is out of range; must be in (0, 4]");
        }
        return r;
      });
  read_list_if_given(j, "layer_deltas", path, c.layer_deltas,
                     [](const Json& v, const std::string& p) {
                       return as_int(v, p, -limits::kMaxLayers, limits::kMaxLayers);
                     });
  return c;
}

Skeleton read_skeleton(const Json& j, const std::string& path) {
  using namespace json_fields;
  require_object(j, path);
  reject_unknown_keys(j, {"name", "max_input_px", "stem", "blocks", "head"}, path);
  Skeleton s;
  s.name = as_string(required(j, "name", path), child(path, "name"));
  if (s.name.empty()) throw Error(child(path, "name") + ": must not be empty");
  s.max_input_px =
      j.contains("max_input_px")
          ? as_int(j["max_input_px"], child(path, "max_input_px"), 0, limits::kMaxInputSide)
          : 0;
  const std::string stem_path = child(path, "stem");
  const Json& stem = required(j, "stem", path);
  require_object(stem, stem_path);
  reject_unknown_keys(stem, {"filters", "stride"}, stem_path);
  s.stem_filters = as_int(required(stem, "filters", stem_path), child(stem_path, "filters"), 1,
                          limits::kMaxFilters);
  s.stem_stride = as_int(required(stem, "stride", stem_path), child(stem_path, "stride"), 1, 2);
  const std::string blocks_path = child(path, "blocks");
  const Json& blocks = required(j, "blocks", path);
  require_array(blocks, blocks_path);
  if (blocks.empty() || blocks.size() > static_cast<size_t>(limits::kMaxBlocks)) {
    throw Error(blocks_path + ": needs 1 to " + std::to_string(limits::kMaxBlocks) + " blocks");
  }
  for (size_t i = 0; i < blocks.size(); ++i) {
    const std::string p = element(blocks_path, i);
    require_object(blocks[i], p);
    reject_unknown_keys(blocks[i], {"expansion", "filters", "layers", "stride"}, p);
    SkeletonBlock b;
    b.expansion = as_int(required(blocks[i], "expansion", p), child(p, "expansion"), 1,
                         limits::kMaxExpansion);
    b.filters =
        as_int(required(blocks[i], "filters", p), child(p, "filters"), 1, limits::kMaxFilters);
    b.layers = as_int(required(blocks[i], "layers", p), child(p, "layers"), 1, limits::kMaxLayers);
    b.stride = as_int(required(blocks[i], "stride", p), child(p, "stride"), 1, 2);
    s.blocks.push_back(b);
  }
  const std::string head_path = child(path, "head");
  const Json& head = required(j, "head", path);
  require_object(head, head_path);
  reject_unknown_keys(head, {"filters"}, head_path);
  s.head_filters = as_int(required(head, "filters", head_path), child(head_path, "filters"), 1,
                          limits::kMaxFilters);
  return s;
}

// ---- JSON writing ----------------------------------------------------------------------------

Json choices_json(const BlockChoices& c) {
  Json ops = Json::array(), skips = Json::array();
  for (const OpChoice& op : c.ops) ops.push_back(to_string(op));
  for (SkipOp s : c.skips) skips.push_back(to_string(s));
  return Json{{"ops", ops},
              {"kernels", c.kernels},
              {"se_ratios", c.se_ratios},
              {"skips", skips},
              {"filter_ratios", c.filter_ratios},
              {"layer_deltas", c.layer_deltas}};
}

Json skeleton_json(const Skeleton& s) {
  Json blocks = Json::array();
  for (const SkeletonBlock& b : s.blocks) {
    blocks.push_back({{"expansion", b.expansion},
                      {"filters", b.filters},
                      {"layers", b.layers},
                      {"stride", b.stride}});
  }
  return Json{{"name", s.name},
              {"max_input_px", s.max_input_px},
              {"stem", {{"filters", s.stem_filters}, {"stride", s.stem_stride}}},
              {"blocks", blocks},
              {"head", {{"filters", s.head_filters}}}};
}

}  // namespace

// ---- OpChoice, BlockChoices ------------------------------------------------------------------

std::string to_string(const OpChoice& choice) {
  if (choice.op == ConvOp::kMbconv) return "mbconv_e" + std::to_string(choice.expansion);
  return to_string(choice.op);
}

OpChoice parse_op_choice(std::string_view text, const std::string& field) {
  if (text == "conv") return {ConvOp::kConv, 1};
  if (text == "dconv") return {ConvOp::kDconv, 1};
  const std::string message = field + ": unknown op choice '" + std::string(text) +
                              "'; use conv, dconv or mbconv_e<expansion> such as mbconv_e6";
  if (text.substr(0, 8) != "mbconv_e") throw Error(message);
  std::string_view digits = text.substr(8);
  if (digits.empty() || digits[0] < '0' || digits[0] > '9') throw Error(message);
  const int e = parse_int(digits, message);
  if (!digits.empty()) throw Error(message);
  if (e < 2 || e > limits::kMaxExpansion) {
    throw Error(field + ": mbconv expansion " + std::to_string(e) +
                " is out of range; must be in [2, " + std::to_string(limits::kMaxExpansion) + "]");
  }
  return {ConvOp::kMbconv, e};
}

uint64_t BlockChoices::size() const {
  return uint64_t{ops.size()} * kernels.size() * se_ratios.size() * skips.size() *
         filter_ratios.size() * layer_deltas.size();
}

bool BlockChoices::operator==(const BlockChoices& o) const {
  return ops == o.ops && kernels == o.kernels && se_ratios == o.se_ratios && skips == o.skips &&
         filter_ratios == o.filter_ratios && layer_deltas == o.layer_deltas;
}

Skeleton mobilenet_v2_skeleton() { return make_skeleton("mobilenetv2", 0, 2); }
Skeleton small_input_skeleton() { return make_skeleton("small-input", 64, 1); }


// ---- SearchSpace -----------------------------------------------------------------------------

SearchSpace::SearchSpace()
    : skeletons_{small_input_skeleton(), mobilenet_v2_skeleton()},
      choices_(skeletons_[0].blocks.size()),
      searchable_(skeletons_[0].blocks.size(), true) {
  set_input(input_);
}

void SearchSpace::set_input(const InputShape& input) {
  Architecture probe;
  probe.input = input;
  probe.blocks.resize(1);
  validate(probe);  // checks the input's ranges with the usual messages
  const int side = std::max(input.height, input.width);
  for (size_t i = 0; i < skeletons_.size(); ++i) {
    if (skeletons_[i].max_input_px == 0 || side <= skeletons_[i].max_input_px) {
      input_ = input;
      skeleton_index_ = i;
      return;
    }
  }
  throw Error("input: no skeleton of this search space takes a " + to_string(input) +
              " input (add one with max_input_px 0 or ≥ " + std::to_string(side) + ")");
}

void SearchSpace::set_classes(int classes) {
  if (classes < 1 || classes > limits::kMaxClasses) {
    throw Error("classes: " + std::to_string(classes) + " is out of range; must be in [1, " +
                std::to_string(limits::kMaxClasses) + "]");
  }
  classes_ = classes;
}

void SearchSpace::set_dropout(double dropout) {
  if (!std::isfinite(dropout) || dropout < 0.0 || dropout >= 1.0) {
    throw Error("dropout: " + format_double(dropout) + " is out of range; must be in [0, 1)");
  }
  dropout_ = dropout;
}

std::vector<int> SearchSpace::searchable_blocks() const {
  std::vector<int> blocks;
  for (int b = 0; b < num_blocks(); ++b) {
    if (searchable_[b]) blocks.push_back(b);
  }
  return blocks;
}

std::vector<uint64_t> SearchSpace::per_block_sizes() const {
  std::vector<uint64_t> sizes;
  for (int b : searchable_blocks()) sizes.push_back(choices_[b].size());
  return sizes;
}

std::string SearchSpace::size_exact() const { return product_exact(per_block_sizes()); }

double SearchSpace::log10_size() const {
  double total = 0;
  for (uint64_t s : per_block_sizes()) total += std::log10(static_cast<double>(s));
  return total;
}

std::vector<Decision> SearchSpace::decisions() const {
  std::vector<Decision> out;
  for (int b : searchable_blocks()) {
    const BlockChoices& c = choices_[b];
    const size_t vocab[kDecisionsPerBlock] = {c.ops.size(),           c.kernels.size(),
                                              c.se_ratios.size(),     c.skips.size(),
                                              c.filter_ratios.size(), c.layer_deltas.size()};
    std::vector<std::string> names[kDecisionsPerBlock];
    for (const OpChoice& o : c.ops) names[0].push_back(to_string(o));
    for (int k : c.kernels) names[1].push_back(std::to_string(k));
    for (double r : c.se_ratios) names[2].push_back(format_double(r));
    for (SkipOp k : c.skips) names[3].push_back(to_string(k));
    for (double r : c.filter_ratios) names[4].push_back(format_double(r));
    for (int d : c.layer_deltas) names[5].push_back((d > 0 ? "+" : "") + std::to_string(d));
    for (int d = 0; d < kDecisionsPerBlock; ++d) {
      out.push_back({"b" + std::to_string(b + 1) + "." + kDecisionNames[d], b,
                     static_cast<int>(vocab[d]), names[d]});
    }
  }
  return out;
}

BlockSpec SearchSpace::skeleton_block(int block) const {
  const SkeletonBlock& s = skeleton().blocks[block];
  BlockSpec b;
  b.op = s.expansion == 1 ? ConvOp::kDconv : ConvOp::kMbconv;
  b.expansion = s.expansion;
  b.kernel = 3;
  b.se_ratio = 0.0;
  b.skip = SkipOp::kIdentity;
  b.filters = s.filters;
  b.layers = s.layers;
  b.stride = s.stride;
  return b;
}

Architecture SearchSpace::skeleton_architecture() const {
  Architecture arch;
  arch.input = input_;
  arch.stem_filters = skeleton().stem_filters;
  arch.stem_stride = skeleton().stem_stride;
  arch.head_filters = skeleton().head_filters;
  arch.classes = classes_;
  arch.dropout = dropout_;
  for (int b = 0; b < num_blocks(); ++b) arch.blocks.push_back(skeleton_block(b));
  return arch;
}

Architecture SearchSpace::decode(const std::vector<int>& tokens) const {
  const std::vector<Decision> decisions = this->decisions();
  if (tokens.size() != decisions.size()) {
    throw Error("tokens: expected " + std::to_string(decisions.size()) + " tokens, got " +
                std::to_string(tokens.size()));
  }
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (tokens[i] < 0 || tokens[i] >= decisions[i].vocab) {
      throw Error("tokens[" + std::to_string(i) + "] (" + decisions[i].name +
                  "): " + std::to_string(tokens[i]) + " is out of range; must be in [0, " +
                  std::to_string(decisions[i].vocab - 1) + "]");
    }
  }
  Architecture arch = skeleton_architecture();
  size_t t = 0;
  for (int b : searchable_blocks()) {
    const BlockChoices& c = choices_[b];
    const SkeletonBlock& s = skeleton().blocks[b];
    BlockSpec& block = arch.blocks[b];
    const OpChoice op = c.ops[tokens[t++]];
    block.op = op.op;
    block.expansion = op.expansion;
    block.kernel = c.kernels[tokens[t++]];
    block.se_ratio = c.se_ratios[tokens[t++]];
    block.skip = c.skips[tokens[t++]];
    block.filters = round_filters(s.filters * c.filter_ratios[tokens[t++]]);
    block.layers = std::max(1, s.layers + c.layer_deltas[tokens[t++]]);
  }
  validate(arch);
  return arch;
}

std::vector<int> SearchSpace::encode(const Architecture& arch) const {
  validate(arch);
  const auto mismatch = [](const std::string& field, const std::string& got,
                           const std::string& want) {
    return Error(field + ": " + got + " is not in this search space (it has " + want + ")");
  };
  if (arch.input != input_) throw mismatch("input", to_string(arch.input), to_string(input_));
  if (arch.classes != classes_)
    throw mismatch("classes", std::to_string(arch.classes), std::to_string(classes_));
  if (arch.dropout != dropout_)
    throw mismatch("dropout", format_double(arch.dropout), format_double(dropout_));
  const Skeleton& sk = skeleton();
  if (arch.stem_filters != sk.stem_filters || arch.stem_stride != sk.stem_stride) {
    throw mismatch(
        "stem", "o" + std::to_string(arch.stem_filters) + "/s" + std::to_string(arch.stem_stride),
        "o" + std::to_string(sk.stem_filters) + "/s" + std::to_string(sk.stem_stride));
  }
  if (arch.head_filters != sk.head_filters) {
    throw mismatch("head.filters", std::to_string(arch.head_filters),
                   std::to_string(sk.head_filters));
  }
  if (arch.blocks.size() != sk.blocks.size()) {
    throw mismatch("blocks (count)", std::to_string(arch.blocks.size()),
                   std::to_string(sk.blocks.size()));
  }
  std::vector<int> tokens;
  for (int b = 0; b < num_blocks(); ++b) {
    const BlockSpec& block = arch.blocks[b];
    const std::string field = "blocks[" + std::to_string(b) + "]";
    if (!searchable_[b]) {
      if (block != skeleton_block(b)) {
        throw Error(field + ": this block is not searchable and must be the skeleton's own");
      }
      continue;
    }
    const BlockChoices& c = choices_[b];
    const SkeletonBlock& s = sk.blocks[b];
    if (block.stride != s.stride) {
      throw mismatch(field + ".stride", std::to_string(block.stride), std::to_string(s.stride));
    }
    const int op = index_of(c.ops, OpChoice{block.op, block.expansion});
    if (op < 0) {
      throw mismatch(field + ".op", to_string(OpChoice{block.op, block.expansion}),
                     list(c.ops, [](const OpChoice& o) { return to_string(o); }));
    }
    const int kernel = index_of(c.kernels, block.kernel);
    if (kernel < 0)
      throw mismatch(field + ".kernel", std::to_string(block.kernel), int_list(c.kernels));
    const int se = index_of(c.se_ratios, block.se_ratio);
    if (se < 0)
      throw mismatch(field + ".se_ratio", format_double(block.se_ratio), double_list(c.se_ratios));
    const int skip = index_of(c.skips, block.skip);
    if (skip < 0) {
      throw mismatch(field + ".skip", to_string(block.skip),
                     list(c.skips, [](SkipOp o) { return std::string(to_string(o)); }));
    }
    int filters = -1;
    std::vector<int> filter_values;
    for (size_t i = 0; i < c.filter_ratios.size(); ++i) {
      filter_values.push_back(round_filters(s.filters * c.filter_ratios[i]));
      if (filters < 0 && filter_values.back() == block.filters) filters = static_cast<int>(i);
    }
    if (filters < 0)
      throw mismatch(field + ".filters", std::to_string(block.filters), int_list(filter_values));
    int layers = -1;
    std::vector<int> layer_values;
    for (size_t i = 0; i < c.layer_deltas.size(); ++i) {
      layer_values.push_back(std::max(1, s.layers + c.layer_deltas[i]));
      if (layers < 0 && layer_values.back() == block.layers) layers = static_cast<int>(i);
    }
    if (layers < 0)
      throw mismatch(field + ".layers", std::to_string(block.layers), int_list(layer_values));
    tokens.insert(tokens.end(), {op, kernel, se, skip, filters, layers});
  }
  return tokens;
}

std::vector<int> SearchSpace::sample_tokens(std::mt19937_64& rng) const {
  return decision_space().sample(rng);
}

Architecture SearchSpace::sample(std::mt19937_64& rng) const { return decode(sample_tokens(rng)); }

bool SearchSpace::operator==(const SearchSpace& o) const {
  return skeletons_ == o.skeletons_ && choices_ == o.choices_ &&
         default_choices_ == o.default_choices_ && searchable_ == o.searchable_ &&
         input_ == o.input_ && classes_ == o.classes_ && dropout_ == o.dropout_ &&
         skeleton_index_ == o.skeleton_index_;
}

void SearchSpace::scale_width(double multiplier, const std::string& field) {
  validate_multiplier(multiplier, field.c_str());
  std::vector<Skeleton> scaled = skeletons_;
  for (Skeleton& sk : scaled) {
    sk.stem_filters = round_filters(sk.stem_filters * multiplier);
    for (SkeletonBlock& b : sk.blocks) b.filters = round_filters(b.filters * multiplier);
  }
  std::swap(skeletons_, scaled);
  try {
    check_consistent();
  } catch (const Error& e) {
    std::swap(skeletons_, scaled);  // unchanged when refused
    throw Error(field + " " + format_double(multiplier) + ": " + e.what());
  }
}

void SearchSpace::check_consistent() const {
  for (size_t i = 1; i < skeletons_.size(); ++i) {
    if (skeletons_[i].blocks.size() != skeletons_[0].blocks.size()) {
      throw Error("skeletons[" + std::to_string(i) + "].blocks: has " +
                  std::to_string(skeletons_[i].blocks.size()) + " blocks but skeletons[0] has " +
                  std::to_string(skeletons_[0].blocks.size()) +
                  "; all skeletons need the same count");
    }
    for (size_t j = 0; j < i; ++j) {
      if (skeletons_[i].name == skeletons_[j].name) {
        throw Error("skeletons[" + std::to_string(i) + "].name: '" + skeletons_[i].name +
                    "' repeated");
      }
    }
  }
  if (searchable_blocks().empty())
    throw Error("searchable_blocks: at least one block must be searchable");
  // The widest and deepest choice of every block must still be a valid architecture.
  for (const Skeleton& sk : skeletons_) {
    for (int b = 0; b < num_blocks(); ++b) {
      const BlockChoices& c = choices_[b];
      const std::string field = "skeletons '" + sk.name + "' block " + std::to_string(b);
      for (double r : c.filter_ratios) {
        if (round_filters(sk.blocks[b].filters * r) > limits::kMaxFilters) {
          throw Error(field + ": filter ratio " + format_double(r) + " gives more than " +
                      std::to_string(limits::kMaxFilters) + " filters");
        }
      }
      for (int d : c.layer_deltas) {
        if (sk.blocks[b].layers + d > limits::kMaxLayers) {
          throw Error(field + ": layer delta " + std::to_string(d) + " gives more than " +
                      std::to_string(limits::kMaxLayers) + " layers");
        }
      }
    }
  }
}

SearchSpace SearchSpace::from_json(std::string_view text) {
  using namespace json_fields;
  const Json j = parse(text, "search space");
  require_object(j, "");
  reject_unknown_keys(j,
                      {"format", "input", "classes", "dropout", "skeletons", "choices",
                       "block_choices", "searchable_blocks", "width_multiplier"},
                      "");
  SearchSpace space;
  if (j.contains("format") && as_string(j["format"], "format") != kFormat) {
    throw Error("format: '" + j["format"].get<std::string>() + "' is not supported; expected '" +
                kFormat + "'");
  }
  if (j.contains("skeletons")) {
    require_array(j["skeletons"], "skeletons");
    if (j["skeletons"].empty()) throw Error("skeletons: at least one skeleton is needed");
    space.skeletons_.clear();
    for (size_t i = 0; i < j["skeletons"].size(); ++i) {
      space.skeletons_.push_back(read_skeleton(j["skeletons"][i], element("skeletons", i)));
    }
  }
  const size_t blocks = space.skeletons_[0].blocks.size();
  if (j.contains("choices"))
    space.default_choices_ = read_choices(j["choices"], "choices", BlockChoices());
  space.choices_.assign(blocks, space.default_choices_);
  if (j.contains("block_choices")) {
    const Json& per_block = j["block_choices"];
    require_object(per_block, "block_choices");
    for (auto it = per_block.begin(); it != per_block.end(); ++it) {
      const std::string path = child("block_choices", it.key());
      std::string_view key = it.key();
      const std::string message =
          path + ": key must be a block index in [0, " + std::to_string(blocks - 1) + "]";
      if (key.empty() || key[0] < '0' || key[0] > '9') throw Error(message);
      const int b = parse_int(key, message);
      if (!key.empty() || b < 0 || static_cast<size_t>(b) >= blocks) throw Error(message);
      space.choices_[b] = read_choices(it.value(), path, space.default_choices_);
    }
  }
  space.searchable_.assign(blocks, j.contains("searchable_blocks") ? false : true);
  if (j.contains("searchable_blocks")) {
    const Json& list = j["searchable_blocks"];
    require_array(list, "searchable_blocks");
    for (size_t i = 0; i < list.size(); ++i) {
      const int b =
          as_int(list[i], element("searchable_blocks", i), 0, static_cast<long long>(blocks) - 1);
      if (space.searchable_[b])
        throw Error(element("searchable_blocks", i) + ": block " + std::to_string(b) + " repeated");
      space.searchable_[b] = true;
    }
  }
  if (j.contains("classes"))
    space.set_classes(as_int(j["classes"], "classes", 1, limits::kMaxClasses));
  if (j.contains("dropout")) space.set_dropout(as_double(j["dropout"], "dropout"));
  InputShape input = space.input_;
  if (j.contains("input")) {
    const Json& in = j["input"];
    if (in.is_string()) {
      input = parse_input_shape(in.get<std::string>(), "input");
    } else {
      require_object(in, "input");
      reject_unknown_keys(in, {"height", "width", "channels"}, "input");
      input.height =
          as_int(required(in, "height", "input"), "input.height", 1, limits::kMaxInputSide);
      input.width = as_int(required(in, "width", "input"), "input.width", 1, limits::kMaxInputSide);
      input.channels =
          as_int(required(in, "channels", "input"), "input.channels", 1, limits::kMaxInputChannels);
    }
  }
  space.check_consistent();
  if (j.contains("width_multiplier")) {
    space.scale_width(as_double(j["width_multiplier"], "width_multiplier"));
  }
  space.set_input(input);
  return space;
}

SearchSpace SearchSpace::from_file(const std::string& path) {
  const std::string text = read_whole_file(path, "search space file");
  try {
    return from_json(text);
  } catch (const Error& e) {
    throw Error("search space file '" + path + "': " + e.what(), e.kind());
  }
}

std::string SearchSpace::to_json(int indent) const {
  Json skeletons = Json::array();
  for (const Skeleton& s : skeletons_) skeletons.push_back(skeleton_json(s));
  Json per_block = Json::object();
  for (int b = 0; b < num_blocks(); ++b) {
    if (!(choices_[b] == default_choices_))
      per_block[std::to_string(b)] = choices_json(choices_[b]);
  }
  Json j{{"format", kFormat},
         {"input",
          {{"height", input_.height}, {"width", input_.width}, {"channels", input_.channels}}},
         {"classes", classes_},
         {"dropout", dropout_},
         {"skeletons", skeletons},
         {"choices", choices_json(default_choices_)},
         {"block_choices", per_block},
         {"searchable_blocks", searchable_blocks()}};
  return j.dump(indent);
}

}  // namespace mnas
