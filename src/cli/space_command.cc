// `mnas space`: the search space, its choices per block and its size.
#include <cmath>
#include <cstdint>
#include <iostream>
#include <memory>
#include <optional>

#include <nlohmann/json.hpp>

#include "base/number_format.h"
#include "cli/commands.h"
#include "cli/table.h"
#include "space/scaling.h"
#include "space/search_space.h"

namespace mnas::cli {
namespace {

// The paper's illustration: B = 5 blocks of N = 3 layers each.
constexpr int kPaperBlocks = 5;
constexpr int kPaperLayers = 3;

struct SpaceOptions {
  std::string space_file;
  std::string input;
  std::optional<int> classes;
  std::optional<double> multiplier;
  bool json = false;
};

template <typename T, typename F>
std::string join(const std::vector<T>& values, F format) {
  std::string s;
  for (const T& v : values) s += (s.empty() ? "" : " ") + format(v);
  return s;
}

void run_space(const SpaceOptions& o) {
  SearchSpace space = o.space_file.empty() ? SearchSpace() : SearchSpace::from_file(o.space_file);
  if (!o.input.empty()) space.set_input(parse_input_shape(o.input, "--input"));
  if (o.classes) space.set_classes(*o.classes);
  if (o.multiplier) space.scale_width(*o.multiplier, "--multiplier");

  const std::vector<uint64_t> sizes = space.per_block_sizes();
  const uint64_t s = sizes.front();
  const double log_s = std::log10(static_cast<double>(s));
  const std::string factorized = product_exact(std::vector<uint64_t>(kPaperBlocks, s));
  const std::vector<Decision> decisions = space.decisions();

  if (o.json) {
    nlohmann::json d = nlohmann::json::array();
    for (const Decision& x : decisions) d.push_back({{"name", x.name}, {"vocab", x.vocab}});
    nlohmann::json j{{"blocks", space.num_blocks()},
                     {"searchable_blocks", space.searchable_blocks()},
                     {"per_block_choices", sizes},
                     {"size", space.size_exact()},
                     {"log10_size", space.log10_size()},
                     {"skeleton", space.skeleton().name},
                     {"input", to_string(space.input())},
                     {"classes", space.classes()},
                     {"decisions", d},
                     {"paper_example",
                      {{"S", s},
                       {"B", kPaperBlocks},
                       {"N", kPaperLayers},
                       {"factorized_size", factorized},
                       {"factorized_log10", kPaperBlocks * log_s},
                       {"per_layer_log10", kPaperBlocks * kPaperLayers * log_s}}},
                     {"space", nlohmann::json::parse(space.to_json())}};
    std::cout << j.dump(2) << "\n";
    return;
  }

  const Skeleton& sk = space.skeleton();
  std::cout << "Search space: " << space.num_blocks() << " blocks, " << sizes.size()
            << " searchable; input " << to_string(space.input()) << " -> skeleton '" << sk.name
            << "' (stem " << sk.stem_filters << "/" << sk.stem_stride << ", head "
            << sk.head_filters << "), " << space.classes() << " classes\n\n";
  Table table(
      {"block", "skeleton t,c,n,s", "ops", "kernels", "se", "skips", "filters", "layers", "S"},
      {false, false, false, false, false, false, false, false, true});
  for (int b = 0; b < space.num_blocks(); ++b) {
    const SkeletonBlock& k = sk.blocks[b];
    const std::string skel = std::to_string(k.expansion) + "," + std::to_string(k.filters) + "," +
                             std::to_string(k.layers) + "," + std::to_string(k.stride);
    if (!space.is_searchable(b)) {
      table.add_row({std::to_string(b + 1), skel, "(fixed: skeleton)", "", "", "", "", "", "1"});
      continue;
    }
    const BlockChoices& c = space.choices(b);
    table.add_row(
        {std::to_string(b + 1), skel, join(c.ops, [](const OpChoice& x) { return to_string(x); }),
         join(c.kernels, [](int x) { return std::to_string(x); }), join(c.se_ratios, format_double),
         join(c.skips, [](SkipOp x) { return std::string(to_string(x)); }),
         join(c.filter_ratios,
              [&](double r) { return std::to_string(round_filters(k.filters * r)); }),
         join(c.layer_deltas, [&](int d) { return std::to_string(std::max(1, k.layers + d)); }),
         std::to_string(c.size())});
  }
  std::cout << table.render() << "\n";
  std::cout << "Size: " << space.size_exact() << " architectures (token sequences) ~ "
            << format_power_of_ten(space.log10_size()) << "\n";
  std::cout << "Tokens: " << decisions.size()
            << " decisions, 6 per searchable block in the order op, kernel, se_ratio, skip, "
               "filters, layers\n";
  std::cout << "Paper's example (S = " << s << ", B = " << kPaperBlocks
            << " blocks, N = " << kPaperLayers << " layers each): factorized S^" << kPaperBlocks
            << " = " << factorized << " ~ " << format_power_of_ten(kPaperBlocks * log_s)
            << "; per-layer S^" << kPaperBlocks * kPaperLayers << " ~ "
            << format_power_of_ten(kPaperBlocks * kPaperLayers * log_s) << "\n";
}

}  // namespace

void add_space_command(CLI::App& app) {
  const auto [options, cmd] = add_subcommand<SpaceOptions>(
      app, "space", "Show the search space: choices per block, S per block, total size and tokens",
      run_space);
  cmd->add_option("--space", options->space_file,
                  "Search-space JSON file (default: the paper's space; see docs/search-space.md)");
  cmd->add_option("--input", options->input,
                  "Input shape HxWxC; picks the skeleton (default 224x224x3)");
  cmd->add_option("--classes", options->classes, "Number of classes (default 1000)");
  cmd->add_option("--multiplier", options->multiplier,
                  "Width multiplier of the skeletons' stem and block filters (default 1.0)");
  cmd->add_flag("--json", options->json, "Machine-readable output");
}

}  // namespace mnas::cli
