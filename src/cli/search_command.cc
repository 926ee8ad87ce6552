// `mnas search`: the search end to end. Parses flags into the library's SearchConfig (or reads it
// from the store to resume), builds the evaluator and the latency objective, runs, prints.
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>

#include <nlohmann/json.hpp>

#include "cli/app.h"
#include "cli/commands.h"
#include "cli/device_options.h"
#include "cli/interrupt.h"
#include "cli/results_print.h"
#include "data/dataset.h"
#if MNAS_WITH_MPI
#include "mpi/mpi_trial_runner.h"
#include "mpi/mpi_world.h"
#endif
#include "latency/measurement.h"
#include "latency/remote_device.h"
#include "report/report.h"
#include "search/device_identity.h"
#include "search/latency_objective.h"
#include "search/new_search.h"
#include "search/references.h"
#include "search/search_config.h"
#include "search/search_loop.h"
#include "search/search_session.h"
#include "search/search_setup.h"
#include "search/strategy_factory.h"
#include "search/table_trials.h"
#include "space/error.h"
#include "space/file_io.h"
#include "space/number_format.h"
#include "space/printable.h"
#include "space/zoo.h"
#include "train/train_device.h"

namespace mnas::cli {
namespace {

// The flags as given; a flag's value is used only when it was given (cmd->count), on top of the
// defaults or, when resuming, of the stored configuration.
struct SearchCommandOptions {
  std::string store;
  bool resume = false;
  int trials = kDefaultTrials;
  std::string references = "all";
  std::string report;
  double time_budget = 0;
  double surrogate_cost_ms = 0;
  double command_timeout = 3600;
  std::string work_dir;
  int threads = 0;
  std::string train_device = "auto";
  std::string data_dir;
  bool json = false;
  // Configuration flags.
  std::string strategy, evaluator, space, input, dataset, reward, latency;
  int64_t seed = 1;
  int classes = 10, epochs = 1, batch = kDefaultBatch;
  int64_t train_images = 5000, holdout = 2000;
  double alpha = 0, beta = 0, failed_reward = 0, multiplier = 1.0;
  double confirm_share = 0.05, drift_threshold = 0.05, controller_lr = kDefaultControllerLr;
  std::string fidelity;
  int fidelity_keep = 3;
  bool fidelity_continue = false;
  std::vector<std::string> devices, targets, target_ms, latency_stats;
  // How to reach the devices (not stored).
  std::vector<std::string> token_files;
  int device_retries = RemoteOptions{}.retries;
  double device_timeout = RemoteOptions{}.read_timeout_seconds;
  CLI::App* cmd = nullptr;

  bool given(const char* flag) const { return cmd->count(flag) > 0; }
};

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

std::string flag_of(const std::string& field);

// `--space nb201`: NAS-Bench-201's cells looked up in the built-in table (search/table_trials.h).
constexpr const char* kTableSpace = "nb201";
constexpr const char* kTableOptimum = "table-optimum";  // a table space's reference

std::vector<std::string> reference_names(const std::string& spec);

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

SearchConfig configure(const SearchCommandOptions& o, SearchConfig c) {
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
    const std::string flag = flag_of(m.substr(0, m.find(':')));
    if (flag.rfind("--", 0) != 0 || flag == "--resume" || flag.find(' ') != std::string::npos) {
      throw;
    }
    throw Error(flag + ": " + m, e.kind());
  }
  return c;
}

// The flag that sets a configuration field (search_config.h), for messages.
std::string flag_of(const std::string& field) {
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
std::vector<std::string> references_of(const SearchCommandOptions& o, bool table) {
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

std::vector<std::string> reference_names(const std::string& spec) {
  if (spec == "none") return {};
  if (spec == "all") return default_reference_names();
  return comma_list(spec, "--references");
}

std::string describe_devices(const SearchConfig& c) {
  if (c.latency == "surrogate") return "latency synthetic (surrogate)";
  std::string out;
  for (const DeviceObjective& d : c.devices) {
    out += out.empty() ? "" : "; ";
    out += d.name + (d.url == "local" ? " (this machine" : " (" + d.url);
    out += d.target_ms > 0 ? ", T = " + format_double(d.target_ms) + " ms"
                           : ", T = " + d.target + " timed alongside";
    out += ", " + d.latency_stat + ", one thread)";  // the paper's protocol: one core
  }
  if (c.latency.rfind("lut:", 0) == 0) {
    const std::string& where = c.devices.front().url;
    out += ", predicted by " + c.latency.substr(4) + " (checked on " +
           (where == "local" ? std::string("this machine") : where) + ": every Pareto entry and " +
           format_double(100 * c.latency_check.confirm_share) + "% of the rest)";
  }
  return "devices " + out;
}

std::string trial_latencies(const StoredTrial& t) {
  if (t.latencies.empty()) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "lat %.3f ms", t.latency_ms);
    return buf;
  }
  std::string out;
  for (const DeviceLatency& d : t.latencies) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "%s%s %.3f ms (%.2f T)", out.empty() ? "" : ", ",
                  t.latencies.size() > 1 ? d.device.c_str() : "lat", d.latency_ms, d.ratio);
    out += buf;
    if (d.measured_ms > 0) {  // a prediction, confirmed on the device
      std::snprintf(buf, sizeof buf, " [measured %.3f ms]", d.measured_ms);
      out += buf;
    }
  }
  return out;
}

int run_search_command(const SearchCommandOptions& o) {
  // Zoo names checked before anything else (a table space's are checked once it is known).
  if (!(o.given("--space") && o.space == kTableSpace)) references_of(o, false);
  if (o.trials < 1) throw Error("--trials: must be ≥ 1");
  if (o.store.empty()) throw Error("--store: empty; name the search's file");
  check_train_device_spec(o.train_device, "--train-device");
  if (o.threads < 0 || o.threads > usable_cpus()) {
    throw Error("--threads: " + std::to_string(o.threads) + "; must be in [0, " +
                std::to_string(usable_cpus()) + "] (the CPUs this process may use; 0 = all)");
  }
  if (o.given("--time-budget") && !(o.time_budget > 0 && std::isfinite(o.time_budget))) {
    throw Error("--time-budget: must be a number of seconds > 0");
  }
  // The flags' own words for what SearchSession::open refuses too.
  // The report is written at the end: never over the store (or its journal) it reports on.
  const std::string report_path = o.report.empty() ? sibling_path(o.store, ".html") : o.report;
  refuse_output_over_input(report_path, "--report",
                           {{"--store", o.store},
                            {"the store's journal", o.store + "-wal"},
                            {"the store's shared memory", o.store + "-shm"}});
  refuse_special_file(o.store, "--store", "a store file");  // a pipe would hang the open
  const bool exists = path_exists(o.store);
  if (exists && !o.resume) {
    throw Error("--store: '" + o.store +
                "' exists; add --resume to continue that search, or choose another file");
  }
  if (!exists && o.resume)
    throw Error("--resume: '" + o.store + "' does not exist", Error::Kind::kIo);
  // The configuration: the stored one when resuming (flags may only repeat it), else the flags.
  std::optional<SearchSession> opened;
  try {
    opened.emplace(SearchSession::open(o.store, o.resume, [&o](const SearchConfig& base) {
      return configure(o, base);
    }));
  } catch (const ConfigurationChanged& e) {
    throw Error(flag_of(e.field()) + ": changes " + e.field() +
                " of the search in the store; a resumed search keeps its configuration "
                "(give only --trials, --time-budget, --threads, --train-device, --references, "
                "--report and "
                "device addresses and tokens)");
  }
  SearchSession& session = *opened;
  const SearchConfig& config = session.config();
  const SearchSpace& space = config.space;
  const bool table = !config.table_space.empty();
  if (table) {
    for (const char* flag : {"--threads", "--train-device", "--data-dir", "--device-token-file"}) {
      if (o.given(flag)) {
        throw Error(std::string(flag) + ": the search in " + o.store +
                    " is on a table space: nothing is trained or timed; leave it out");
      }
    }
  }
  // --references when given; on a resume without it, what the search started with.
  std::vector<std::string> names = references_of(o, table);
  if (!session.is_new() && !o.given("--references")) {
    if (auto stored = session.store().reference_names()) names = *stored;
  }

  // The evaluator (accuracy) and the latency objective (every device).
  EvaluatorRuntime runtime;
  runtime.data_dir = o.data_dir;
  runtime.threads = o.threads;
  runtime.train_device = o.train_device;
  runtime.surrogate_cost_ms = o.surrogate_cost_ms;
  runtime.work_dir = o.work_dir;
  std::unique_ptr<Evaluator> evaluator = table ? nullptr : make_evaluator(config, runtime);
#if MNAS_WITH_MPI
  MpiWorld* world = MpiWorld::current();  // started by mpirun with several ranks
  if (world && table) {
    throw Error("--space nb201: a table space looks everything up in one process; run it "
                "without mpirun");
  }
  if (world) check_distributable(config);
  const double heartbeat_seconds = world ? mpi_heartbeat_seconds_from_environment() : 0;
#else
  const int* world = nullptr;  // a build without MPI (-DMNAS_WITH_MPI=OFF): always one process
#endif
  // Where the proxy trains: here, or on each MPI worker (which resolves "cuda" to its own GPU).
  std::string train_device;
  if (config.evaluator == "proxy") {
    train_device = world ? "mpi workers: " + o.train_device
                         : describe_train_device(
                               resolve_train_device(o.train_device, "--train-device"));
  }
  std::unique_ptr<LatencyObjective> objective =
      table ? nullptr
            : make_latency_objective(config, search_device_access(o.token_files, o.device_retries,
                                                                  o.device_timeout));
  if (objective) {
    std::vector<std::pair<std::string, DeviceInfo>> devices;
    try {
      devices = objective->check_devices();
    } catch (const DeviceUnreachable& e) {
      // A new search has nothing to continue: nothing is created. A resumed one pauses as a
      // search does when a device goes away mid-way (docs/devices.md).
      if (session.is_new()) {
        throw Error(std::string(e.what()) + "; the search did not start and no store was " +
                        "created: run the command again once the device answers",
                    Error::Kind::kIo);
      }
      std::fprintf(stderr,
                   "mnas: search paused: %s\nmnas: the store %s keeps its %lld trials; once the "
                   "device answers again, `mnas search --store %s --resume` continues\n",
                   e.what(), o.store.c_str(),
                   static_cast<long long>(session.store().trial_count()), o.store.c_str());
      return kExitPaused;
    }
    for (const auto& [name, info] : devices) {
      // What a device says of itself is printed escaped: it cannot move the cursor or add lines.
      std::cerr << "mnas: device " << name << ": " << printable(info.cpu_model) << " ("
                << printable(info.machine) << ", " << info.logical_cpus << " CPUs, "
                << printable(info.engine) << " " << printable(info.engine_version) << ", id "
                << printable(info.id) << ")\n";
    }
    // A resumed search times on the kind of device its trials were timed on (nothing is
    // written when it does not).
    if (!session.is_new()) {
      for (const std::string& note : check_device_identity(session.store().trials(), devices)) {
        std::cerr << "mnas: " << note << "\n";
      }
    }
  }

  const RewardOptions& reward = session.reward();
  // A new store only now, after every check passed: a refused command leaves no file behind.
  // The length: --trials, or on a resume without it the search's own.
  const int64_t trials =
      session.begin(o.given("--trials") || session.is_new() ? std::optional<int64_t>(o.trials)
                                                              : std::nullopt);
  Store* store = &session.store();
  store->set_reference_names(names);
  if (!train_device.empty()) store->add_train_device(train_device);
  std::unique_ptr<TrialRunner> runner;
  if (table) {
    runner = std::make_unique<TableTrialRunner>(config);
  } else
#if MNAS_WITH_MPI
  if (world) {
    runner = std::make_unique<MpiTrialRunner>(*world, config, runtime, objective.get(),
                                              heartbeat_seconds);
  } else
#endif
  {
    runner = std::make_unique<LocalTrialRunner>(*evaluator, objective.get());
  }
  StrategyOptions strategy_options;
  strategy_options.controller.learning_rate = config.controller_lr;
  model_reward_parts(strategy_options.predictor, reward);  // accuracy and latency apart
  auto strategy = table ? make_table_strategy(config, strategy_options)
                        : make_strategy(config.strategy, space, config.seed, strategy_options);
  SearchOptions so;
  so.trials = static_cast<int>(trials);
  so.batch = config.batch;
  so.time_budget_seconds = search_time_budget(choices_of(o), o.time_budget, table);
  so.reward = reward;
  so.failed_reward = config.failed_reward;
  so.fidelity = config.fidelity;
  so.proxy_holdout = config.proxy.holdout;
  SearchTimes times;
  so.times = &times;
  std::unique_ptr<LatencyCheck> latency_check;
  if (objective && objective->predicts()) {
    latency_check =
        std::make_unique<LatencyCheck>(*objective, config.latency_check, config.seed);
    so.latency_check = latency_check.get();
    so.warn = [](const std::string& warning) {
      std::fprintf(stderr, "mnas: warning: %s\n", warning.c_str());
    };
  }
  char lr[32];
  std::snprintf(lr, sizeof lr, "%.3g", config.controller_lr);  // 0.00175, not 0.0017500000000000003
  std::cerr << "mnas: search " << o.store << ": " << so.trials << " trials, strategy "
            << strategy->name()
            << (is_controller(config.strategy) ? " (learning rate " + std::string(lr) + ")"
                                               : std::string())
            << ", evaluator "
            << (table ? config.evaluator + " (NAS-Bench-201 looked up)"
                : config.evaluator.rfind("cmd:", 0) == 0
                    ? "cmd: " + printable(config.evaluator.substr(4), 200)  // the stored command
                    : evaluator->name())
            << (train_device.empty() ? "" : " (training on " + train_device + ")")
#if MNAS_WITH_MPI
            << (world ? " on " + std::to_string(world->size() - 1) + " MPI worker rank(s)" : "")
#endif
            << ", "
            << describe_devices(config) << ", " << config.reward << " reward"
            << (store->trial_count() > 0
                    ? ", resuming at trial " + std::to_string(store->trial_count() + 1)
                    : "")
            << "\n";
  // Ctrl-C or SIGTERM: the trial in progress finishes and is stored, then the search stops.
  InterruptGuard interrupt;
  so.stop = &InterruptGuard::requested();
  const auto interrupted = [&] {
    if (!InterruptGuard::requested()) return false;
    std::fprintf(stderr,
                 "mnas: search stopped by %s; the store %s keeps its %lld trials; `mnas search "
                 "--store %s --resume` continues where this stopped\n",
                 InterruptGuard::signal_name(), o.store.c_str(),
                 static_cast<long long>(store->trial_count()), o.store.c_str());
    return true;
  };
  try {
    run_search(
        *store, *strategy, *runner, so,
        [](const SearchProgress& p) {
          if (p.rung) {  // one rung of a multi-fidelity step
            const StoredRung& r = *p.rung;
            std::fprintf(stderr,
                         "mnas: step %d proposal %d rung %d/%d (%lld images) %s acc %.2f%% lat "
                         "%.3f ms reward %.4f%s%s\n",
                         r.step + 1, r.index + 1, r.rung + 1, p.rungs,
                         static_cast<long long>(r.images), r.status.c_str(), 100 * r.accuracy,
                         r.latency_ms, r.reward, r.failure.empty() ? "" : ": ",
                         printable(r.failure, 2000).c_str());
            return;
          }
          const StoredTrial& t = *p.trial;
          const std::string rung =
              t.partial ? " (rung " + std::to_string(t.rung + 1) + ", reward comparable)" : "";
          std::fprintf(
              stderr,
              "mnas: trial %lld/%lld %s%s acc %.2f%% %s reward %.4f%s%s%s | best %.4f | ETA %.0fs\n",
              static_cast<long long>(p.done), static_cast<long long>(p.total), t.status.c_str(),
              rung.c_str(), 100 * t.accuracy, trial_latencies(t).c_str(), t.reward,
              t.cached ? " (seen before)" : "", t.failure.empty() ? "" : ": ",
              printable(t.failure, 2000).c_str(),
              p.best_reward, p.eta_seconds);
        },
        objective != nullptr || table);
    std::fprintf(stderr,
                 "mnas: search time: training %.0f s, latency %.0f s, latency checks %.0f s, "
                 "strategy %.1f s, store %.1f s\n",
                 times.training, times.latency, times.latency_check, times.strategy, times.store);
    if (interrupted()) return interrupted_exit_code(InterruptGuard::signal_number());
    if (so.time_budget_seconds > 0 && store->trial_count() < trials) {
      std::fprintf(stderr,
                   "mnas: the time budget (%g s%s) ended the search at %lld of %lld trials; "
                   "`mnas search --store %s --resume --trials N` adds more\n",
                   so.time_budget_seconds, o.given("--time-budget") ? "" : ", the default",
                   static_cast<long long>(store->trial_count()), static_cast<long long>(trials),
                   o.store.c_str());
    }
    if (table && !names.empty()) {
      const StoredReference best = table_optimum(config, reward);
      store->add_reference(best);
      std::fprintf(stderr,
                   "mnas: reference table-optimum (every cell of the table, enumerated) acc "
                   "%.2f%% lat %.3f ms reward %.4f %s\n",
                   100 * best.accuracy, best.latency_ms, best.reward, best.canonical.c_str());
    }
    if (!table) evaluate_references(
        *store, *runner, space, reward, names,
        [](const StoredReference& r, int i, int n) {
          std::fprintf(stderr,
                       "mnas: reference %d/%d %s %s acc %.2f%% lat %.3f ms reward %.4f%s%s\n", i, n,
                       r.name.c_str(), r.status.c_str(), 100 * r.accuracy, r.latency_ms, r.reward,
                       r.failure.empty() ? "" : ": ", printable(r.failure, 2000).c_str());
        },
        &InterruptGuard::requested());
  } catch (const DeviceUnreachable& e) {
    std::fprintf(stderr,
                 "mnas: search paused: %s\nmnas: the store %s keeps its %lld trials; once the "
                 "device answers again, `mnas search --store %s --resume --trials %d` continues "
                 "where this stopped\n",
                 e.what(), o.store.c_str(), static_cast<long long>(store->trial_count()),
                 o.store.c_str(), static_cast<int>(trials));
    return kExitPaused;
  }
  if (interrupted()) return interrupted_exit_code(InterruptGuard::signal_number());
  const std::string& report = report_path;
  write_report(*store, report);
  print_results(*store, o.json, 5);
  if (!o.json) {
    std::printf("\nThe store is %s; `mnas results %s` shows this again.\nThe report is %s.\n",
                o.store.c_str(), o.store.c_str(), report.c_str());
  }
  return kExitOk;
}

}  // namespace

void add_search_command(CLI::App& app) {
  auto o = std::make_shared<SearchCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "search",
      "Search architectures as accurate as possible at a latency target measured on the target "
      "device(s)");
  o->cmd = cmd;
  cmd->add_option("--store", o->store,
                  "SQLite file of the search (created; with --resume, continued)")
      ->required();
  cmd->add_flag("--resume", o->resume,
                "Continue the search in --store with its stored configuration");
  cmd->add_option("--trials", o->trials,
                  "Trials in the store when the search ends (default 200, or fewer if the default "
                  "time budget ends the search first; a resume keeps the search's own unless "
                  "given)");
  cmd->add_option("--references", o->references,
                  "Zoo models evaluated the same way at the end, for comparison: all (default), "
                  "none, or a comma-separated list (e.g. mobilenetv2,mnasnet-a1), a name at a "
                  "width multiplier too (mobilenetv2@0.35)");
  cmd->add_option("--report", o->report,
                  "HTML report written at the end (default: the store's name with .html)");
  cmd->add_option("--time-budget", o->time_budget,
                  "Stop starting trials after this many seconds (default: 1140, the main job's 19 "
                  "minutes, when --trials is not given either; none when it is)");
  cmd->add_option("--threads", o->threads, "Training threads (default: every core)");
  cmd->add_option("--train-device", o->train_device,
                  "Where the proxy trains: auto (default: the first GPU when this LibTorch has "
                  "CUDA and sees one, else the CPU), cpu, cuda or cuda:K; under mpirun cuda "
                  "gives each worker rank its own GPU (its rank on its machine modulo the GPUs)");
  cmd->add_option("--data-dir", o->data_dir, "Directory of the data set files");
  cmd->add_option("--surrogate-cost-ms", o->surrogate_cost_ms,
                  "With --evaluator surrogate: sleep this long per trial, a stand-in for training "
                  "(throughput benchmarks, e.g. bench/mpi_scaling.sh; default 0)");
  cmd->add_option("--strategy", o->strategy,
                  "ppo (default: MnasNet's controller), predictor (boosted-tree models of "
                  "accuracy and latency propose what to try), reinforce, evolution or random");
  cmd->add_option("--seed", o->seed, "Seed of the strategy (default 1)");
  cmd->add_option(
      "--evaluator", o->evaluator,
      "proxy (default: proxy training), surrogate (synthetic accuracy, and synthetic latency "
      "unless --device is given: for trying strategies), cmd:COMMAND (your own trainer, run "
      "once per trial with the architecture on stdin; it prints {\"accuracy\": ...}: "
      "docs/evaluators.md) or, with --space nb201, table:DATASET (cifar10 (default), cifar100, "
      "imagenet16_120)");
  cmd->add_option("--command-timeout", o->command_timeout,
                  "Seconds a cmd: evaluator may take per trial before it is killed and the trial "
                  "failed (default 3600)");
  cmd->add_option("--work-dir", o->work_dir,
                  "Where a cmd: evaluator's trial folders are made (default: $TMPDIR or /tmp)");
  cmd->add_option("--space", o->space,
                  "Search-space JSON file (default: the paper's space), or nb201: NAS-Bench-201's "
                  "15,625 cells with their accuracy and real devices' latency looked up in the "
                  "built-in table (a 200-trial search takes about a second; its exact optimum is "
                  "the reference; docs/benchmarks.md)");
  cmd->add_option("--input", o->input,
                  "Input shape (default 28x28x1, or the --dataset's own: an image folder's first "
                  "image, 224x224 at most)");
  cmd->add_option("--multiplier", o->multiplier,
                  "Width multiplier of the space's skeleton (stem and block filters, rounded to "
                  "multiples of 8; default 1.0): below 1 for latency targets as small as "
                  "MnasNet-small's");
  cmd->add_option("--classes", o->classes, "Classes (default 10, or the --dataset's)");
  cmd->add_option(
      "--dataset", o->dataset,
      "Proxy data set: fashion-mnist (default), mnist, cifar10, cifar100 or folder:PATH "
      "(PATH/train/<class>/ and PATH/test/<class>/ images, or PATH/<class>/ for training only; "
      "PNG, JPEG, BMP or GIF, resized to the input)");
  cmd->add_option("--reward", o->reward,
                  "soft (default: alpha = beta = -0.07) or hard (alpha = 0, beta = -1)");
  cmd->add_option("--alpha", o->alpha, "Exponent at or under the target (overrides the preset)");
  cmd->add_option("--beta", o->beta, "Exponent over the target (overrides the preset)");
  cmd->add_option("--device", o->devices,
                  "A target device, NAME=URL (repeatable): an mnas-device server "
                  "(http://HOST:PORT), local (this machine), cmd:COMMAND (any runtime: the "
                  "command times the exported ONNX file {model} and prints {\"median_ms\": ...}; "
                  "docs/devices.md) or, with --space nb201, table:DEVICE (pixel3 (default), "
                  "raspi4, pixel2, samsung_a50, samsung_s7, essential_ph_1, gold_6226, "
                  "titan_rtx_1, eyeriss, fpga; T: the device's median unless --target-ms). "
                  "Default: local. The reward multiplies one latency term per "
                  "device")
      ->take_all();
  add_search_device_access_options(cmd, o->token_files, o->device_retries, o->device_timeout);
  cmd->add_option(
      "--target", o->targets,
      "T as a zoo model timed on the device alongside each candidate (the reward uses the "
      "ratio of the two, which a drifting machine does not bias): mobilenetv2 (default, the "
      "paper's choice) or e.g. 0.8x:mnasnet-a1; NAME=SPEC for one device");
  cmd->add_option("--target-ms", o->target_ms,
                  "T fixed in milliseconds instead of --target; NAME=MS for one device");
  cmd->add_option("--latency-stat", o->latency_stats,
                  "The statistic LAT and T are: median (default) or p90; NAME=STAT for one device "
                  "(the store keeps every statistic either way)");
  cmd->add_option("--latency", o->latency,
                  "measured (default: on the devices) or lut:FILE (a lookup table predicts the "
                  "latency of the one device it was built on: this machine, or a board's "
                  "mnas-device with --device NAME=URL; docs/latency.md)");
  cmd->add_option("--confirm-share", o->confirm_share,
                  "With --latency lut:FILE: the share of trials (besides every one entering the "
                  "Pareto front) also measured on the device to check the table (default 0.05)")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--drift-threshold", o->drift_threshold,
                  "With --latency lut:FILE: the median bias of predictions over measurements "
                  "beyond which the table's calibration is refit from the search's own "
                  "measurements (default 0.05)")
      ->check(CLI::Range(0.001, 1.0));
  cmd->add_option("--fidelity", o->fidelity,
                  "Multi-fidelity proxy: training images per rung, e.g. 1000,5000 (the last is the "
                  "full proxy and sets --train-images): every proposal of a step trains on the "
                  "first, the best 1/--fidelity-keep of each rung go on to the next (default for a new "
                  "proxy search: a tenth of --train-images, then all, from 1,000 images up; "
                  "none: one rung)");
  cmd->add_option("--fidelity-keep", o->fidelity_keep,
                  "With --fidelity: the reduction factor between rungs (default 3: the best third "
                  "goes on)")
      ->check(CLI::Range(2, 100));
  cmd->add_flag("--fidelity-continue,!--no-fidelity-continue", o->fidelity_continue,
                "With --fidelity (the default for a new search): a proposal is one proxy "
                "training, scored at each rung it reaches (after the rung's first images, on the "
                "full run's schedule), and one that goes on continues it (a promoted proposal "
                "costs the full proxy, not the full proxy plus the rungs below). "
                "--no-fidelity-continue trains each rung from scratch; a resume keeps what the "
                "search ran with");
  cmd->add_option("--epochs", o->epochs, "Proxy training epochs (default 1)");
  cmd->add_option("--train-images", o->train_images, "Proxy training images (default 5000)");
  cmd->add_option("--holdout", o->holdout,
                  "Held-out images the accuracy is measured on (default 2000)");
  cmd->add_option("--batch", o->batch, "Proposals per strategy step (default 6)");
  cmd->add_option("--failed-reward", o->failed_reward, "Reward of a failed trial (default 0)");
  cmd->add_option("--controller-lr", o->controller_lr,
                  "The controller's Adam learning rate, ppo and reinforce (default: 3.5e-3 up "
                  "to 200 --trials, falling as 1/trials to NASNet's 3.5e-4 at 2,000; kept by "
                  "the store)");
  cmd->add_flag("--json", o->json, "Print the results as JSON at the end");
  cmd->footer(
      "Exit codes: 0 done, 1 failure, 2 bad command line or input, 75 paused because a device "
      "could not be reached, 130/143 stopped by Ctrl-C/SIGTERM after the trial in progress (the "
      "store keeps every finished trial; --resume continues). A second Ctrl-C stops at once.");
  cmd->callback([o] {
    const int code = run_search_command(*o);
    if (code != kExitOk) throw ExitWith{code};
  });
}

}  // namespace mnas::cli
