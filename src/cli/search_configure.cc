// `mnas search`'s flags → SearchConfig: each given flag applied over the defaults (or, on a
// resume, over the stored configuration), a new search completed by the library's policies
// (search/new_search.h), every error naming the flag.
#include <cmath>
#include <cstdio>

#include "cli/app.h"
#include "cli/search_options.h"
#include "search/references.h"
#include "search/strategy_factory.h"
#include "space/error.h"
#include "space/number_format.h"

namespace mnas::cli {
namespace {

// Applies "NAME=VALUE" (one device) or "VALUE" (every device) flags to the devices.
template <typename Apply>
void per_device(std::vector<DeviceObjective>& devices, const std::vector<std::string>& values,
                const std::string& flag, Apply apply) {
  for (const std::string& v : values) {
    const auto [name, value] = split_named(v, flag, "*");
    bool found = false;
    for (DeviceObjective& d : devices) {
      if (name == "*" || d.name == name) {
        apply(d, value);
        found = true;
      }
    }
    if (!found) throw Error(flag + ": no device is named '" + name + "' (see --device)");
  }
}

// What has no meaning in a table space (its defaults are the library's: new_search_config):
// nothing is trained, timed or read from disk.
void check_table_space_flags(const SearchCommandOptions& o) {
  for (const char* flag : {"--input", "--classes", "--multiplier", "--dataset", "--epochs",
                           "--train-images", "--holdout", "--fidelity", "--fidelity-keep",
                           "--fidelity-continue", "--confirm-share", "--drift-threshold",
                           "--command-timeout", "--data-dir", "--target", "--latency-stat",
                           "--surrogate-cost-ms", "--work-dir"}) {
    if (o.given(flag)) {
      throw Error(std::string(flag) +
                  ": a table space (--space nb201) trains and times nothing; its accuracy and "
                  "latency are looked up (--evaluator table:DATASET, --device NAME=table:DEVICE, "
                  "--target-ms)");
    }
  }
  if (o.given("--latency") && o.latency != "measured") {
    throw Error("--latency: a table space looks its latency up; leave --latency out");
  }
}

std::vector<std::string> reference_names(const std::string& spec) {
  if (spec == "none") return {};
  if (spec == "all") return default_reference_names();
  return comma_list(spec, "--references");
}

}  // namespace

// Which settings the flags chose (the library's policies decide the others).
SearchChoices choices_of(const SearchCommandOptions& o) {
  SearchChoices c;
  c.trials = o.given("--trials");
  c.time_budget = o.given("--time-budget");
  c.controller_lr = o.given("--controller-lr");
  c.fidelity = o.given("--fidelity");
  c.fidelity_continue = o.given("--fidelity-continue");
  c.train_images = o.given("--train-images");
  c.input = o.given("--input");
  c.classes = o.given("--classes");
  c.dataset = o.given("--dataset");
  c.evaluator = o.given("--evaluator");
  c.devices = o.given("--device");
  c.latency = o.given("--latency");
  return c;
}

SearchConfig configure_search(const SearchCommandOptions& o, SearchConfig c) {
  if (o.given("--strategy")) c.strategy = o.strategy;
  if (o.given("--seed")) {
    if (o.seed < 0) throw Error("--seed: " + std::to_string(o.seed) + "; must be ≥ 0");
    c.seed = static_cast<uint64_t>(o.seed);
  }
  if (o.given("--space") && o.space == kTableSpace) {
    c.table_space = kTableSpace;
  } else if (o.given("--space")) {
    c.table_space.clear();
    c.space_file = o.space;
    const InputShape input = c.space.input();
    const int classes = c.space.classes();
    c.space = SearchSpace::from_file(o.space);
    c.space.set_input(input);
    c.space.set_classes(classes);
  }
  if (o.given("--multiplier")) c.space.scale_width(o.multiplier, "--multiplier");
  if (o.given("--input")) c.space.set_input(parse_input_shape(o.input, "--input"));
  if (o.given("--classes")) c.space.set_classes(o.classes);
  if (o.given("--reward")) {
    const RewardOptions preset = RewardOptions::preset(o.reward, 1.0);
    c.reward = o.reward;
    c.alpha = preset.alpha;
    c.beta = preset.beta;
  }
  if (o.given("--alpha")) c.alpha = o.alpha;
  if (o.given("--beta")) c.beta = o.beta;
  if (o.given("--evaluator")) c.evaluator = o.evaluator;
  if (o.given("--dataset")) c.proxy.dataset = o.dataset;
  if (o.given("--epochs")) c.proxy.epochs = o.epochs;
  if (o.given("--train-images")) c.proxy.train_images = o.train_images;
  if (o.given("--holdout")) c.proxy.holdout = o.holdout;
  if (o.given("--batch")) c.batch = o.batch;
  if (o.given("--failed-reward")) c.failed_reward = o.failed_reward;
  if (o.given("--controller-lr")) {
    if (!is_controller(c.strategy)) {
      throw Error("--controller-lr: only for the controller (--strategy ppo or reinforce), not " +
                  c.strategy);
    }
    c.controller_lr = o.controller_lr;
  }
  if (o.given("--fidelity")) {
    c.fidelity.rungs.clear();
    if (o.fidelity != "none") {
      for (const std::string& part : comma_list(o.fidelity, "--fidelity")) {
        const double images = parse_double(part, "--fidelity: '" + part + "' is not a number of images");
        if (!(images >= 1 && images <= 1e9) || images != std::floor(images)) {
          throw Error("--fidelity: '" + part + "' is not a number of training images");
        }
        c.fidelity.rungs.push_back(static_cast<int64_t>(images));
      }
    }
  }
  if (o.given("--fidelity-keep")) c.fidelity.keep = o.fidelity_keep;
  if (o.given("--fidelity-continue")) c.fidelity.continue_runs = o.fidelity_continue;
  if (o.given("--confirm-share")) c.latency_check.confirm_share = o.confirm_share;
  if (o.given("--drift-threshold")) c.latency_check.drift = o.drift_threshold;
  if (o.given("--device")) {
    // Devices named as before keep their targets; new ones start from the defaults.
    std::vector<DeviceObjective> devices;
    for (const std::string& spec : o.devices) {
      const auto [name, url] = split_named(spec, "--device", "remote");
      DeviceObjective d;
      for (const DeviceObjective& old : c.devices) {
        if (old.name == name) d = old;
      }
      d.name = name == "remote" && url == "local" ? "local" : name;
      d.url = url;
      devices.push_back(d);
    }
    c.devices = devices;
  }
  if (!c.table_space.empty()) check_table_space_flags(o);
  per_device(c.devices, o.targets, "--target", [](DeviceObjective& d, const std::string& v) {
    d.target = v;
    d.target_ms = 0;
  });
  per_device(c.devices, o.target_ms, "--target-ms", [](DeviceObjective& d, const std::string& v) {
    d.target_ms = parse_double(v, "--target-ms: '" + v + "' is not a number of milliseconds");
    if (!(d.target_ms > 0)) throw Error("--target-ms: must be > 0");
  });
  per_device(c.devices, o.latency_stats, "--latency-stat",
             [](DeviceObjective& d, const std::string& v) { d.latency_stat = v; });
  if (c.evaluator == "surrogate" && (o.given("--dataset") || o.given("--data-dir"))) {
    throw Error(std::string(o.given("--dataset") ? "--dataset" : "--data-dir") +
                ": the surrogate evaluator trains nothing; leave it out");
  }
  const bool command = c.evaluator.rfind("cmd:", 0) == 0;
  if (command && (o.given("--dataset") || o.given("--data-dir"))) {
    throw Error(std::string(o.given("--dataset") ? "--dataset" : "--data-dir") +
                ": a cmd: evaluator trains on whatever data your command reads; leave it out");
  }
  if (o.given("--command-timeout")) {
    if (!command) throw Error("--command-timeout: only for --evaluator cmd:COMMAND");
    c.command_timeout = o.command_timeout;
  }
  if (o.given("--latency")) c.latency = o.latency == "xnnpack" ? "measured" : o.latency;
  if (!o.resume) {
    // What the flags left open, the library's policies decide (a resume keeps what it ran with).
    std::string note;
    c = new_search_config(c, choices_of(o), o.trials, &note);
    if (!note.empty()) {
      std::fprintf(stderr, "mnas: %s (--input, --classes to choose)\n", note.c_str());
    }
  }
  if ((o.given("--confirm-share") || o.given("--drift-threshold")) &&
      c.latency.rfind("lut:", 0) != 0) {
    throw Error(std::string(o.given("--confirm-share") ? "--confirm-share" : "--drift-threshold") +
                ": checks predicted latency; it goes with --latency lut:FILE");
  }
  try {
    validate(c);
  } catch (const Error& e) {  // name the flag that set the field ("--fidelity: fidelity.rungs: ...")
    const std::string m = e.what();
    const std::string flag = search_flag_of(m.substr(0, m.find(':')));
    if (flag.rfind("--", 0) != 0 || flag == "--resume" || flag.find(' ') != std::string::npos) {
      throw;
    }
    throw Error(flag + ": " + m, e.kind());
  }
  return c;
}

// The flag that sets a configuration field (search_config.h), for messages.
std::string search_flag_of(const std::string& field) {
  static const std::pair<const char*, const char*> kFlags[] = {
      {"strategy", "--strategy"},
      {"seed", "--seed"},
      {"table_space", "--space"},
      {"space.input", "--input"},
      {"space.classes", "--classes"},
      {"space", "--space or --multiplier"},
      {"reward.preset", "--reward"},
      {"reward.alpha", "--alpha"},
      {"reward.beta", "--beta"},
      {"latency_check.confirm_share", "--confirm-share"},
      {"fidelity.keep", "--fidelity-keep"},
      {"fidelity.continue", "--fidelity-continue"},
      {"fidelity", "--fidelity"},
      {"latency_check.drift", "--drift-threshold"},
      {"latency", "--latency"},
      {"evaluator", "--evaluator"},
      {"command_timeout", "--command-timeout"},
      {"proxy.dataset", "--dataset"},
      {"proxy.epochs", "--epochs"},
      {"proxy.train_images", "--train-images"},
      {"proxy.holdout", "--holdout"},
      {"batch", "--batch"},
      {"failed_reward", "--failed-reward"},
      {"controller.learning_rate", "--controller-lr"}};
  for (const auto& [prefix, flag] : kFlags) {
    if (field.rfind(prefix, 0) == 0) return flag;
  }
  if (field.find(".target_ms") != std::string::npos) return "--target-ms";
  if (field.find(".target") != std::string::npos) return "--target";
  if (field.find(".latency_stat") != std::string::npos) return "--latency-stat";
  return field.rfind("devices", 0) == 0 ? "--device" : "--resume";
}

// The references --references names, checked: zoo models (a name at a width multiplier too),
// or in a table space the table's optimum ("all") or none.
std::vector<std::string> search_references_of(const SearchCommandOptions& o, bool table) {
  if (table) {
    if (o.references != "all" && o.references != "none") {
      throw Error("--references: a table space has no zoo models; its reference is the "
                  "table's optimum (all, the default) or none");
    }
    return o.references == "all" ? std::vector<std::string>{kTableOptimum}
                                 : std::vector<std::string>{};
  }
  const std::vector<std::string> names = reference_names(o.references);
  for (const std::string& name : names) {
    try {
      reference_model(name, SearchConfig::default_space());
    } catch (const Error& e) {
      throw Error("--references: " + std::string(e.what()) +
                  "; use all, none or zoo names, each optionally at a width multiplier "
                  "(mobilenetv2@0.35)");
    }
  }
  return names;
}

}  // namespace mnas::cli
