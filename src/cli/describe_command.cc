// `mnas describe`: one architecture layer by layer with its parameters and multiply-adds, or a
// summary of the whole zoo.
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>

#include <nlohmann/json.hpp>

#include "cli/arch_argument.h"
#include "cli/commands.h"
#include "cli/table.h"
#include "space/architecture_codec.h"
#include "space/cost_model.h"
#include "space/number_format.h"
#include "space/scaling.h"
#include "space/zoo.h"

namespace mnas::cli {
namespace {

struct DescribeOptions {
  std::string arch;
  std::string input;
  std::optional<int> classes;
  double multiplier = 1.0;
  bool json = false;
};

std::string millions(int64_t value) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2fM", static_cast<double>(value) / 1e6);
  return buf;
}

std::string shape(const TensorShape& s) {
  return std::to_string(s.height) + "x" + std::to_string(s.width) + "x" + std::to_string(s.channels);
}

nlohmann::json shape_json(const TensorShape& s) { return {s.height, s.width, s.channels}; }

ArchAdjustments adjustments(const DescribeOptions& o) {
  ArchAdjustments a;
  if (!o.input.empty()) a.input = parse_input_shape(o.input, "--input");
  a.classes = o.classes;
  validate_multiplier(o.multiplier, "--multiplier");
  a.multiplier = o.multiplier;
  return a;
}

void describe_zoo(const DescribeOptions& o) {
  const ArchAdjustments adjust = adjustments(o);
  nlohmann::json models = nlohmann::json::array();
  Table table({"model", "input", "params", "multiply-adds"}, {false, false, true, true});
  for (const std::string& name : zoo_names()) {
    const ResolvedArch r = resolve_arch(name, adjust);
    const CostReport cost = estimate_cost(r.arch);
    models.push_back({{"name", name},
                      {"params", cost.params},
                      {"macs", cost.macs},
                      {"canonical", to_canonical_string(r.arch)}});
    table.add_row({name, to_string(r.arch.input), group_thousands(cost.params),
                   group_thousands(cost.macs)});
  }
  if (o.json) {
    std::cout << nlohmann::json{{"models", models}}.dump(2) << "\n";
    return;
  }
  std::cout << "The model zoo (multiplier " << format_double(o.multiplier) << ")\n\n"
            << table.render() << "\nDescribe one layer by layer with `mnas describe NAME`.\n";
}

void describe_one(const DescribeOptions& o) {
  const ResolvedArch r = resolve_arch(o.arch, adjustments(o));
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
  auto options = std::make_shared<DescribeOptions>();
  std::string zoo;
  for (const std::string& n : zoo_names()) zoo += (zoo.empty() ? "" : ", ") + n;
  CLI::App* cmd = app.add_subcommand(
      "describe", "Describe an architecture layer by layer: shapes, parameters, multiply-adds");
  cmd->add_option("ARCH", options->arch,
                  "A zoo model (" + zoo +
                      "), `zoo` for all of them, a canonical architecture string "
                      "(input=...:stem=...:blocks=...), or @FILE holding its JSON or string form")
      ->required();
  cmd->add_option("--input", options->input,
                  "Input shape HxWxC (default: the architecture's own; 224x224x3 for zoo models)");
  cmd->add_option("--classes", options->classes,
                  "Number of classes (default: the architecture's own; 1000 for zoo models)");
  cmd->add_option("--multiplier", options->multiplier,
                  "Depth multiplier for the stem and blocks, rounded to multiples of 8 (default 1.0)");
  cmd->add_flag("--json", options->json,
                "Machine-readable output: params, macs, layers[] (name, op, input, output, params, macs)");
  cmd->callback([options] {
    if (options->arch == "zoo") {
      describe_zoo(*options);
    } else {
      describe_one(*options);
    }
  });
}

}  // namespace mnas::cli
