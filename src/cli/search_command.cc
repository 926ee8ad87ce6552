// `mnas search`: the search end to end — its flags made a SearchConfig (search_configure.cc) or
// the store's read to resume, the library's SearchRun built and run, what happens printed.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "base/machine.h"
#include "cli/app.h"
#include "cli/commands.h"
#include "cli/device_options.h"
#include "cli/interrupt.h"
#include "cli/results_print.h"
#include "cli/search_options.h"
#if MNAS_WITH_MPI
#include "mpi/mpi_trial_runner.h"
#include "mpi/mpi_world.h"
#endif
#include "base/error.h"
#include "base/file_io.h"
#include "base/number_format.h"
#include "base/printable.h"
#include "latency/measurement.h"
#include "latency/remote_device.h"
#include "report/report.h"
#include "search/new_search.h"
#include "search/search_config.h"
#include "search/search_loop.h"
#include "search/search_run.h"
#include "search/search_session.h"
#include "search/strategy_factory.h"
#include "train/train_device.h"

namespace mnas::cli {
namespace {

// What `mnas search --help` says the command does.
constexpr const char* kAbout =
    "Search architectures as accurate as possible at a latency target measured on the target "
    "device(s)";

int run_search_command(const SearchCommandOptions& o) {
  // Zoo names checked before anything else (a table space's are checked once it is known).
  if (o.text("--space") != kTableSpace) search_references_of(o, false);
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
    opened.emplace(SearchSession::open(
        o.store, o.resume, [&o](const SearchConfig& base) { return configure_search(o, base); }));
  } catch (const ConfigurationChanged& e) {
    throw Error(search_flag_of(e.field()) + ": changes " + e.field() +
                " of the search in the store; a resumed search keeps its configuration "
                "(give only --trials, --time-budget, --threads, --train-device, --references, "
                "--report and "
                "device addresses and tokens)");
  }
  SearchSession& session = *opened;
  const SearchConfig& config = session.config();
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
  std::vector<std::string> names = search_references_of(o, table);
  if (!session.is_new() && !o.given("--references")) {
    if (auto stored = session.store().reference_names()) names = *stored;
  }

  // The evaluator (accuracy) and the latency objective (every device): the library's assembly.
  SearchRunOptions run_options;
  run_options.runtime.data_dir = o.data_dir;
  run_options.runtime.threads = o.threads;
  run_options.runtime.train_device = o.train_device;
  run_options.runtime.surrogate_cost_ms = o.surrogate_cost_ms;
  run_options.runtime.work_dir = o.work_dir;
  run_options.warn = [](const std::string& warning) {
    std::fprintf(stderr, "mnas: warning: %s\n", warning.c_str());
  };
#if MNAS_WITH_MPI
  MpiWorld* world = MpiWorld::current();  // started by mpirun with several ranks
  if (world && table) {
    throw Error(
        "--space nb201: a table space looks everything up in one process; run it "
        "without mpirun");
  }
  if (world) {
    check_distributable(config);
    const double heartbeat_seconds = mpi_heartbeat_seconds_from_environment();
    run_options.make_runner = [world, &config, &run_options,
                               heartbeat_seconds](LatencyObjective* objective) {
      return std::make_unique<MpiTrialRunner>(*world, config, run_options.runtime, objective,
                                              heartbeat_seconds);
    };
  }
#else
  const int* world = nullptr;  // a build without MPI (-DMNAS_WITH_MPI=OFF): always one process
#endif
  // Where the proxy trains: here, or on each MPI worker (which resolves "cuda" to its own GPU).
  std::string train_device;
  if (config.evaluator == "proxy") {
    train_device =
        world ? "mpi workers: " + o.train_device
              : describe_train_device(resolve_train_device(o.train_device, "--train-device"));
  }
  if (!table) {
    run_options.devices = search_device_access(o.token_files, o.device_retries, o.device_timeout);
  }
  SearchRun run(session, run_options);
  std::vector<std::string> identity_notes;
  std::vector<std::pair<std::string, DeviceInfo>> devices;
  try {
    devices = run.check_devices(session, &identity_notes);
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
                 e.what(), o.store.c_str(), static_cast<long long>(session.store().trial_count()),
                 o.store.c_str());
    return kExitPaused;
  }
  for (const auto& [name, info] : devices) {
    // What a device says of itself is printed escaped: it cannot move the cursor or add lines.
    std::cerr << "mnas: device " << name << ": " << printable(info.cpu_model) << " ("
              << printable(info.machine) << ", " << info.logical_cpus << " CPUs, "
              << printable(info.engine) << " " << printable(info.engine_version) << ", id "
              << printable(info.id) << ")\n";
  }
  for (const std::string& note : identity_notes) std::cerr << "mnas: " << note << "\n";

  // A new store only now, after every check passed: a refused command leaves no file behind.
  // The length: --trials, or on a resume without it the search's own.
  const int64_t trials = session.begin(
      o.given("--trials") || session.is_new() ? std::optional<int64_t>(o.trials) : std::nullopt);
  Store* store = &session.store();
  store->set_reference_names(names);
  if (!train_device.empty()) store->add_train_device(train_device);
  run.prepare(session, trials, search_time_budget(choices_of(o), o.time_budget, table));
  const SearchOptions& so = run.options();
  char lr[32];
  std::snprintf(lr, sizeof lr, "%.3g", config.controller_lr);  // 0.00175, not 0.0017500000000000003
  std::cerr << "mnas: search " << o.store << ": " << so.trials << " trials, strategy "
            << run.strategy().name()
            << (is_controller(config.strategy) ? " (learning rate " + std::string(lr) + ")"
                                               : std::string())
            << ", evaluator " << run.evaluator_name()
            << (train_device.empty() ? "" : " (training on " + train_device + ")")
#if MNAS_WITH_MPI
            << (world ? " on " + std::to_string(world->size() - 1) + " MPI worker rank(s)" : "")
#endif
            << ", " << describe_devices(config) << ", " << config.reward << " reward"
            << (store->trial_count() > 0
                    ? ", resuming at trial " + std::to_string(store->trial_count() + 1)
                    : "")
            << "\n";
  // Ctrl-C or SIGTERM: the trial in progress finishes and is stored, then the search stops.
  InterruptGuard interrupt;
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
    const char* score = config.task == "detection" ? "mAP" : "acc";
    run.search(
        session, [score](const SearchProgress& p) { print_progress(p, score); },
        &InterruptGuard::requested());
    const SearchTimes& times = run.times();
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
    run.references(
        session, names,
        [table](const StoredReference& r, int i, int n) {
          if (table) {
            std::fprintf(stderr,
                         "mnas: reference table-optimum (every cell of the table, enumerated) "
                         "acc %.2f%% lat %.3f ms reward %.4f %s\n",
                         100 * r.accuracy, r.latency_ms, r.reward, r.canonical.c_str());
            return;
          }
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
  const auto [o, cmd] =
      add_subcommand<SearchCommandOptions>(app, "search", kAbout, run_search_command);
  declare_search_flags(cmd, *o);
  cmd->footer(
      "Exit codes: 0 done, 1 failure, 2 bad command line or input, 75 paused because a device "
      "could not be reached, 130/143 stopped by Ctrl-C/SIGTERM after the trial in progress (the "
      "store keeps every finished trial; --resume continues). A second Ctrl-C stops at once.");
}

}  // namespace mnas::cli
