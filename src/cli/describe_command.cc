// `mnas describe`: one architecture layer by layer with its parameters and multiply-adds, or a
// summary of the whole zoo.
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/file_io.h"
#include "base/number_format.h"
#include "cli/arch_argument.h"
#include "cli/commands.h"
#include "cli/table.h"
#include "report/architecture_svg.h"
#include "space/architecture_codec.h"
#include "space/cost_model.h"
#include "space/scaling.h"
#include "space/zoo.h"

namespace mnas::cli {
namespace {

struct DescribeOptions {
  ArchOptions arch;
  bool json = false;
  std::string svg;  // draw the architecture to this file instead
};

std::string millions(int64_t value) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2fM", static_cast<double>(value) / 1e6);
  return buf;
}

std::string shape(const TensorShape& s) {
  return std::to_string(s.height) + "x" + std::to_string(s.width) + "x" +
         std::to_string(s.channels);
}

nlohmann::json shape_json(const TensorShape& s) { return {s.height, s.width, s.channels}; }

void describe_zoo(const DescribeOptions& o) {
  const ArchAdjustments adjust = adjustments(o.arch);
  nlohmann::json models = nlohmann::json::array();
  Table table({"model", "input", "params", "multiply-adds"}, {false, false, true, true});
  for (const std::string& name : zoo_names()) {
    const ResolvedArch r = resolve_arch(name, adjust);
    const CostReport cost = estimate_cost(r.arch);
    models.push_back({{"name", name},
                      {"params", cost.params},
                      {"macs", cost.macs},
                      {"canonical", to_canonical_string(r.arch)}});
    table.add_row(
        {name, to_string(r.arch.input), group_thousands(cost.params), group_thousands(cost.macs)});
  }
  if (o.json) {
    std::cout << nlohmann::json{{"models", models}}.dump(2) << "\n";
    return;
  }
  std::cout << "The model zoo (multiplier " << format_double(o.arch.multiplier) << ")\n\n"
            << table.render() << "\nDescribe one layer by layer with `mnas describe NAME`.\n";
}

// The architecture drawn block by block (report/architecture_svg.h) to the file --svg names.
void draw(const DescribeOptions& o) {
  if (o.arch.arch == "zoo") throw Error("--svg: draws one architecture; name a zoo model");
  if (o.json) throw Error("--svg: writes a drawing, --json prints a description; use one");
  std::vector<std::pair<std::string, std::string>> inputs;
  if (!o.arch.arch.empty() && o.arch.arch.front() == '@') {
    inputs.emplace_back("ARCH", o.arch.arch.substr(1));
  }
  refuse_output_over_input(o.svg, "--svg", inputs);
  const ResolvedArch r = resolve_arch(o.arch.arch, adjustments(o.arch));
  write_file_atomically(o.svg, architecture_svg(r.arch, r.label), "--svg");
  std::cout << "mnas: drew " << r.label << " block by block to " << o.svg << "\n";
}

void describe_one(const DescribeOptions& o) {
  const ResolvedArch r = resolve_arch(o.arch.arch, adjustments(o.arch));
  const CostReport cost = estimate_cost(r.arch);
  if (o.json) {
    nlohmann::json layers = nlohmann::json::array();
    for (const LayerCost& l : cost.layers) {
      layers.push_back({{"name", l.name},
                        {"op", l.description},
                        {"input", shape_json(l.in)},
                        {"output", shape_json(l.out)},
                        {"params", l.params},
                        {"macs", l.macs}});
    }
    nlohmann::json j{{"arch", r.label},
                     {"canonical", to_canonical_string(r.arch)},
                     {"architecture", nlohmann::json::parse(to_json_string(r.arch))},
                     {"params", cost.params},
                     {"macs", cost.macs},
                     {"layers", layers}};
    std::cout << j.dump(2) << "\n";
    return;
  }
  Table table({"layer", "op", "input -> output", "params", "multiply-adds"},
              {false, false, false, true, true});
  for (const LayerCost& l : cost.layers) {
    table.add_row({l.name, l.description, shape(l.in) + " -> " + shape(l.out),
                   group_thousands(l.params), group_thousands(l.macs)});
  }
  table.add_rule();
  table.add_row({"total", "", "", group_thousands(cost.params), group_thousands(cost.macs)});
  std::cout << r.label << ": input " << to_string(r.arch.input) << ", " << r.arch.classes
            << " classes\n"
            << "canonical: " << to_canonical_string(r.arch) << "\n\n"
            << table.render() << "\n"
            << "params " << millions(cost.params) << ", multiply-adds " << millions(cost.macs)
            << "\n";
}

}  // namespace

void add_describe_command(CLI::App& app) {
  const auto [options, cmd] = add_subcommand<DescribeOptions>(
      app, "describe", "Describe an architecture layer by layer: shapes, parameters, multiply-adds",
      [](const DescribeOptions& o) {
        if (!o.svg.empty()) {
          draw(o);
        } else if (o.arch.arch == "zoo") {
          describe_zoo(o);
        } else {
          describe_one(o);
        }
      });
  add_arch_options(cmd, options->arch);
  cmd->get_option("ARCH")->description(cmd->get_option("ARCH")->get_description() +
                                       "; `zoo` summarises every zoo model");
  cmd->add_flag(
      "--json", options->json,
      "Machine-readable output: params, macs, layers[] (name, op, input, output, params, macs)");
  cmd->add_option("--svg", options->svg,
                  "Draw the architecture block by block (op, kernel, SE, stride, shortcut, "
                  "repeats, feature maps; as the MnasNet paper's Figure 7) to this SVG file");
}

}  // namespace mnas::cli
