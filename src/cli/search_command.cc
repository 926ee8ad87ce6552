// `mnas search` and `mnas results`: the search end to end, and what a store holds.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "data/dataset.h"
#include "latency/latency_model.h"
#include "latency/lookup_table.h"
#include "latency/measure_presets.h"
#include "report/report.h"
#include "search/proxy_evaluator.h"
#include "search/references.h"
#include "search/search_loop.h"
#include "search/strategy_factory.h"
#include "search/synthetic_surrogate.h"
#include "space/architecture_codec.h"
#include "space/error.h"
#include "space/number_format.h"
#include "space/zoo.h"

namespace mnas::cli {
namespace {

// Flags that define a search: stored with it, and checked when it is resumed.
const char* const kConfigFlags[] = {
    "--strategy", "--seed",   "--evaluator",    "--space",   "--input",     "--classes",
    "--dataset",  "--reward", "--alpha",        "--beta",    "--target-ms", "--target",
    "--latency",  "--epochs", "--train-images", "--holdout", "--batch",     "--failed-reward"};

struct SearchCommandOptions {
  std::string store;
  bool resume = false;
  int trials = 72;
  std::string references = "all";
  std::string report;
  double time_budget = 0;
  int threads = 0;
  std::string data_dir;
  std::map<std::string, std::string> flags = {{"--strategy", "ppo"},
                                              {"--seed", "1"},
                                              {"--evaluator", "proxy"},
                                              {"--space", ""},
                                              {"--input", kSearchDefaultInput},
                                              {"--classes", std::to_string(kSearchDefaultClasses)},
                                              {"--dataset", "fashion-mnist"},
                                              {"--reward", "soft"},
                                              {"--alpha", ""},
                                              {"--beta", ""},
                                              {"--target-ms", ""},
                                              {"--target", "mobilenetv2"},
                                              {"--latency", "xnnpack"},
                                              {"--epochs", "1"},
                                              {"--train-images", "5000"},
                                              {"--holdout", "2000"},
                                              {"--batch", "6"},
                                              {"--failed-reward", "0"}};
  bool json = false;
  CLI::App* cmd = nullptr;
};

double number(const std::map<std::string, std::string>& f, const std::string& flag) {
  return parse_double(f.at(flag), flag + ": '" + f.at(flag) + "' is not a number");
}

int integer(const std::map<std::string, std::string>& f, const std::string& flag) {
  std::string_view v = f.at(flag);
  const std::string message = flag + ": '" + f.at(flag) + "' is not an integer";
  const int i = parse_int(v, message);
  if (!v.empty()) throw Error(message);
  return i;
}

std::unique_ptr<LatencyModel> make_latency(const std::string& spec, const SearchSpace& space) {
  if (spec == "xnnpack") {
    return std::make_unique<DeviceLatency>(std::make_shared<LocalDevice>(),
                                           TimingRequest{1, search_trial_protocol()});
  }
  if (spec.rfind("lut:", 0) == 0) {
    LookupTable table = LookupTable::load(spec.substr(4));
    table.require_space(space);
    return std::make_unique<LookupTableLatency>(std::move(table));
  }
  throw Error("--latency: use xnnpack or lut:FILE");
}

// "mobilenetv2", "0.8x:mnasnet-a1": a zoo model at the space's input, measured the same way.
double resolve_target(const std::string& spec, LatencyModel& latency, Evaluator* surrogate,
                      const SearchSpace& space) {
  double factor = 1.0;
  std::string name = spec;
  const size_t colon = spec.find("x:");
  if (colon != std::string::npos) {
    factor = parse_double(spec.substr(0, colon),
                          "--target: '" + spec + "' should read like 0.8x:mnasnet-a1");
    name = spec.substr(colon + 2);
    if (!(factor > 0)) throw Error("--target: the factor must be > 0");
  }
  ZooOptions o;
  o.input = space.input();
  o.classes = space.classes();
  const Architecture ref = zoo_model(name, o);
  const double ms =
      surrogate ? surrogate->evaluate(ref).latency_ms : latency.latency(ref).median_ms;
  return factor * ms;
}

nlohmann::json trial_json(const StoredTrial& t) {
  return {{"id", t.id},
          {"step", t.step},
          {"accuracy", t.accuracy},
          {"latency_ms", t.latency_ms},
          {"reward", t.reward},
          {"status", t.status},
          {"failure", t.failure},
          {"canonical", t.canonical}};
}

void print_results(const Store& store, bool json, int top) {
  const std::vector<StoredTrial> trials = store.trials();
  const nlohmann::json config =
      store.config().empty() ? nlohmann::json::object() : nlohmann::json::parse(store.config());
  std::vector<StoredTrial> best;
  for (const StoredTrial& t : trials) {
    if (t.status == "done" && !t.cached) best.push_back(t);
  }
  std::sort(best.begin(), best.end(),
            [](const StoredTrial& a, const StoredTrial& b) { return a.reward > b.reward; });
  if (best.size() > static_cast<size_t>(top)) best.resize(top);
  const std::vector<StoredTrial> front = pareto_front(trials);
  const std::vector<StoredReference> references = store.references();
  int failed = 0;
  for (const StoredTrial& t : trials) failed += t.status == "failed";
  if (json) {
    nlohmann::json top_json = nlohmann::json::array(), front_json = nlohmann::json::array(),
                   references_json = nlohmann::json::array();
    for (const StoredTrial& t : best) top_json.push_back(trial_json(t));
    for (const StoredTrial& t : front) front_json.push_back(trial_json(t));
    for (const StoredReference& r : references) {
      references_json.push_back({{"name", r.name},
                                 {"accuracy", r.accuracy},
                                 {"latency_ms", r.latency_ms},
                                 {"reward", r.reward},
                                 {"status", r.status},
                                 {"failure", r.failure},
                                 {"canonical", r.canonical}});
    }
    std::cout << nlohmann::json{{"store", store.path()},
                                {"trials", trials.size()},
                                {"failed", failed},
                                {"target_ms", config.value("target_ms", 0.0)},
                                {"top", top_json},
                                {"pareto", front_json},
                                {"references", references_json},
                                {"config", config}}
                     .dump(2)
              << "\n";
    return;
  }
  std::printf("%s: %zu trials (%d failed), target %.3f ms, strategy %s, evaluator %s\n",
              store.path().c_str(), trials.size(), failed, config.value("target_ms", 0.0),
              config.contains("flags") ? config["flags"].value("--strategy", "?").c_str() : "?",
              config.contains("flags") ? config["flags"].value("--evaluator", "?").c_str() : "?");
  const auto table = [](const char* title, const std::vector<StoredTrial>& rows) {
    std::printf("\n%s\n%6s %9s %11s %8s  %s\n", title, "trial", "accuracy", "latency ms", "reward",
                "architecture");
    for (const StoredTrial& t : rows) {
      std::printf("%6lld %8.2f%% %11.3f %8.4f  %s\n", static_cast<long long>(t.id),
                  100 * t.accuracy, t.latency_ms, t.reward, t.canonical.c_str());
    }
  };
  table("Best by reward:", best);
  table("Pareto front (held-out accuracy vs latency):", front);
  if (!references.empty()) {
    std::printf("\nZoo references, evaluated the same way:\n%-16s %9s %11s %8s\n", "model",
                "accuracy", "latency ms", "reward");
    for (const StoredReference& r : references) {
      if (r.status == "done") {
        std::printf("%-16s %8.2f%% %11.3f %8.4f\n", r.name.c_str(), 100 * r.accuracy, r.latency_ms,
                    r.reward);
      } else {
        std::printf("%-16s failed: %s\n", r.name.c_str(), r.failure.c_str());
      }
    }
  }
}

// "search.db" -> "search.html"; "runs/a" -> "runs/a.html".
std::string default_report_path(const std::string& store) {
  const size_t slash = store.find_last_of('/');
  const size_t dot = store.find_last_of('.');
  const bool has_extension =
      dot != std::string::npos && (slash == std::string::npos || dot > slash + 1);
  return (has_extension ? store.substr(0, dot) : store) + ".html";
}

std::vector<std::string> reference_names(const std::string& spec) {
  if (spec == "none") return {};
  if (spec == "all") return default_reference_names();
  std::vector<std::string> names;
  size_t start = 0;
  while (start <= spec.size()) {
    const size_t comma = std::min(spec.find(',', start), spec.size());
    const std::string name = spec.substr(start, comma - start);
    if (name.empty()) throw Error("--references: '" + spec + "' has an empty name");
    names.push_back(name);
    start = comma + 1;
  }
  return names;
}

void run_search_command(SearchCommandOptions& o) {
  const std::vector<std::string> names = reference_names(o.references);
  for (const std::string& name : names) {
    if (!is_zoo_name(name)) {
      throw Error("--references: '" + name +
                  "' is not a zoo model; use all, none or names that `mnas describe zoo` lists");
    }
  }
  const bool exists = std::ifstream(o.store).good();
  if (exists && !o.resume) {
    throw Error("--store: '" + o.store +
                "' exists; add --resume to continue that search, or choose another file");
  }
  if (!exists && o.resume)
    throw Error("--resume: '" + o.store + "' does not exist", Error::Kind::kIo);
  Store store(o.store);
  nlohmann::json config =
      store.config().empty() ? nlohmann::json() : nlohmann::json::parse(store.config());
  if (o.resume && config.is_object()) {
    const nlohmann::json& stored = config.at("flags");
    for (const char* flag : kConfigFlags) {
      if (o.cmd->count(flag) > 0 && stored.value(flag, "") != o.flags[flag]) {
        throw Error(std::string(flag) + ": '" + o.flags[flag] +
                    "' differs from the search in the store ('" + stored.value(flag, "") +
                    "'); a resumed search keeps its configuration");
      }
      o.flags[flag] = stored.value(flag, o.flags[flag]);
    }
  }
  auto& f = o.flags;
  SearchSpace space = f["--space"].empty() ? SearchSpace() : SearchSpace::from_file(f["--space"]);
  space.set_input(parse_input_shape(f["--input"], "--input"));
  space.set_classes(integer(f, "--classes"));
  const uint64_t seed = static_cast<uint64_t>(integer(f, "--seed"));

  std::unique_ptr<Evaluator> evaluator;
  std::unique_ptr<LatencyModel> latency = make_latency(f["--latency"], space);
  SyntheticSurrogate* surrogate = nullptr;
  if (f["--evaluator"] == "surrogate") {
    auto s = std::make_unique<SyntheticSurrogate>(space, seed);
    surrogate = s.get();
    evaluator = std::move(s);
  } else if (f["--evaluator"] == "proxy") {
    TrainOptions t = proxy_options();
    t.dataset = f["--dataset"];
    t.data_dir = o.data_dir;
    t.epochs = integer(f, "--epochs");
    t.train_images = integer(f, "--train-images");
    t.holdout = integer(f, "--holdout");
    t.threads = o.threads;
    const DatasetInfo info = dataset_info(t.dataset);
    const bool folder = t.dataset.rfind("folder:", 0) == 0;  // converted to the input's channels
    if ((!folder && info.channels != space.input().channels) || info.classes != space.classes()) {
      throw Error("--input/--classes: " + t.dataset + " has " + std::to_string(info.channels) +
                  " channels and " + std::to_string(info.classes) + " classes");
    }
    evaluator = std::make_unique<ProxyEvaluator>(t, make_latency(f["--latency"], space));
  } else {
    throw Error("--evaluator: use proxy or surrogate (synthetic, for trying strategies)");
  }

  RewardOptions reward = RewardOptions::preset(f["--reward"], 1.0);
  if (!f["--alpha"].empty()) reward.alpha = number(f, "--alpha");
  if (!f["--beta"].empty()) reward.beta = number(f, "--beta");
  if (config.is_object() && config.contains("target_ms")) {
    reward.target_ms = config["target_ms"].get<double>();
  } else if (!f["--target-ms"].empty()) {
    reward.target_ms = number(f, "--target-ms");
  } else {
    std::cerr << "mnas: measuring the target: " << f["--target"] << " at "
              << to_string(space.input()) << "...\n";
    reward.target_ms = resolve_target(f["--target"], *latency, surrogate, space);
  }
  validate(reward);
  if (!config.is_object()) {
    config = {{"flags", f},
              {"target_ms", reward.target_ms},
              {"space", nlohmann::json::parse(space.to_json())},
              {"created_by", "mnas 0.1.0"}};
    store.set_config(config.dump());
  }

  auto strategy = make_strategy(f["--strategy"], space, seed);
  SearchOptions so;
  so.trials = o.trials;
  so.batch = integer(f, "--batch");
  so.time_budget_seconds = o.time_budget;
  so.reward = reward;
  so.failed_reward = number(f, "--failed-reward");
  std::cerr << "mnas: search " << o.store << ": " << so.trials << " trials, strategy "
            << strategy->name() << ", evaluator " << evaluator->name() << ", latency "
            << f["--latency"] << ", " << f["--reward"]
            << " reward, T = " << format_double(reward.target_ms) << " ms"
            << (store.trial_count() > 0
                    ? ", resuming at trial " + std::to_string(store.trial_count() + 1)
                    : "")
            << "\n";
  run_search(store, *strategy, *evaluator, space, so, [](const SearchProgress& p) {
    const StoredTrial& t = *p.trial;
    std::fprintf(
        stderr,
        "mnas: trial %lld/%lld %s acc %.2f%% lat %.3f ms reward %.4f%s | best %.4f | ETA %.0fs\n",
        static_cast<long long>(p.done), static_cast<long long>(p.total), t.status.c_str(),
        100 * t.accuracy, t.latency_ms, t.reward, t.cached ? " (seen before)" : "", p.best_reward,
        p.eta_seconds);
  });
  evaluate_references(
      store, *evaluator, space, reward, names, [](const StoredReference& r, int i, int n) {
        std::fprintf(stderr,
                     "mnas: reference %d/%d %s %s acc %.2f%% lat %.3f ms reward "
                     "%.4f%s%s\n",
                     i, n, r.name.c_str(), r.status.c_str(), 100 * r.accuracy, r.latency_ms,
                     r.reward, r.failure.empty() ? "" : ": ", r.failure.c_str());
      });
  const std::string report = o.report.empty() ? default_report_path(o.store) : o.report;
  write_report(store, report);
  print_results(store, o.json, 5);
  if (!o.json) {
    std::printf("\nThe store is %s; `mnas results %s` shows this again.\nThe report is %s.\n",
                o.store.c_str(), o.store.c_str(), report.c_str());
  }
}

}  // namespace

void add_search_command(CLI::App& app) {
  auto o = std::make_shared<SearchCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "search",
      "Search architectures as accurate as possible at a latency target measured on this machine");
  o->cmd = cmd;
  cmd->add_option("--store", o->store,
                  "SQLite file of the search (created; with --resume, continued)")
      ->required();
  cmd->add_flag("--resume", o->resume,
                "Continue the search in --store with its stored configuration");
  cmd->add_option("--trials", o->trials, "Trials in the store when the search ends (default 72)");
  cmd->add_option("--references", o->references,
                  "Zoo models evaluated the same way at the end, for comparison: all (default), "
                  "none, or a comma-separated list (e.g. mobilenetv2,mnasnet-a1)");
  cmd->add_option("--report", o->report,
                  "HTML report written at the end (default: the store's name with .html)");
  cmd->add_option("--time-budget", o->time_budget,
                  "Stop starting trials after this many seconds (default: none)");
  cmd->add_option("--threads", o->threads, "Training threads (default: every core)");
  cmd->add_option("--data-dir", o->data_dir, "Directory of the data set files");
  auto& f = o->flags;
  cmd->add_option("--strategy", f["--strategy"], "ppo (default), reinforce, evolution or random");
  cmd->add_option("--seed", f["--seed"], "Seed of the strategy (default 1)");
  cmd->add_option(
      "--evaluator", f["--evaluator"],
      "proxy (default: proxy training + latency) or surrogate (synthetic, for trying strategies)");
  cmd->add_option("--space", f["--space"], "Search-space JSON file (default: the paper's space)");
  cmd->add_option("--input", f["--input"], "Input shape (default 28x28x1: the small-input preset)");
  cmd->add_option("--classes", f["--classes"], "Classes (default 10)");
  cmd->add_option(
      "--dataset", f["--dataset"],
      "Proxy data set: fashion-mnist (default), mnist, cifar10, cifar100 or folder:PATH (one "
      "sub-folder of images per class, resized to --input)");
  cmd->add_option("--reward", f["--reward"],
                  "soft (default: alpha = beta = -0.07) or hard (alpha = 0, beta = -1)");
  cmd->add_option("--alpha", f["--alpha"],
                  "Exponent at or under the target (overrides the preset)");
  cmd->add_option("--beta", f["--beta"], "Exponent over the target (overrides the preset)");
  cmd->add_option("--target-ms", f["--target-ms"],
                  "Target latency T in ms (default: see --target)");
  cmd->add_option(
      "--target", f["--target"],
      "T relative to a zoo model measured here at the search's input: mobilenetv2 (default, "
      "the paper's choice) or e.g. 0.8x:mnasnet-a1");
  cmd->add_option("--latency", f["--latency"],
                  "xnnpack (default: measured) or lut:FILE (a lookup table)");
  cmd->add_option("--epochs", f["--epochs"], "Proxy training epochs (default 1)");
  cmd->add_option("--train-images", f["--train-images"], "Proxy training images (default 5000)");
  cmd->add_option("--holdout", f["--holdout"],
                  "Held-out images the accuracy is measured on (default 2000)");
  cmd->add_option("--batch", f["--batch"], "Proposals per strategy step (default 6)");
  cmd->add_option("--failed-reward", f["--failed-reward"], "Reward of a failed trial (default 0)");
  cmd->add_flag("--json", o->json, "Print the results as JSON at the end");
  cmd->callback([o] { run_search_command(*o); });

  auto r = std::make_shared<std::pair<std::string, bool>>();
  auto top = std::make_shared<int>(5);
  CLI::App* results = app.add_subcommand("results", "Show a search's best trials and Pareto front");
  results->add_option("STORE", r->first, "The search's SQLite file")->required();
  results->add_option("--top", *top, "Best trials to list (default 5)");
  results->add_flag("--json", r->second,
                    "Machine-readable output: trials, failed, target_ms, top, pareto");
  results->callback([r, top] {
    if (!std::ifstream(r->first).good())
      throw Error("STORE: '" + r->first + "' does not exist", Error::Kind::kIo);
    Store store(r->first);
    print_results(store, r->second, *top);
  });
}

}  // namespace mnas::cli
