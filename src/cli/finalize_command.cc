// `mnas finalize`: after a search, its best candidates and the zoo models trained fully, scaled and
// measured on the search's devices (search/finalize.h); a table, --json, and the report's chart.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/file_io.h"
#include "base/machine.h"
#include "base/number_format.h"
#include "cli/app.h"
#include "cli/commands.h"
#include "cli/device_options.h"
#include "cli/field_flags.h"
#include "cli/interrupt.h"
#include "cli/table.h"
#include "report/report.h"
#include "search/finalize.h"
#include "search/search_config.h"
#include "space/zoo.h"

namespace mnas::cli {
namespace {

// What `mnas finalize --help` says the command does.
constexpr const char* kAbout =
    "Train a search's best candidates and the zoo models fully, scaled, and compare them at "
    "measured latency";

struct FinalizeCommandOptions {
  std::string store;
  FieldFlags flags;  // finalize's options as given (search/finalize.h's table)
  std::string report;
  std::vector<std::string> token_files;
  int device_retries = RemoteOptions{}.retries;
  double device_timeout = RemoteOptions{}.read_timeout_seconds;
  bool json = false;
  const CLI::App* cmd = nullptr;
};

// FinalizeOptions' defaults with the given flags on top, checked; errors name the flag.
FinalizeOptions finalize_options(const FinalizeCommandOptions& o) {
  FinalizeOptions f;
  try {
    apply_given_flags(*o.cmd, finalize_option_fields(), o.flags, f);
    validate_finalize_options(f);
  } catch (const Error& e) {
    rethrow_naming_flag(e, finalize_option_fields());
  }
  if (f.threads > usable_cpus()) {
    throw Error("--threads: " + std::to_string(f.threads) + "; must be in [0, " +
                std::to_string(usable_cpus()) + "] (0 = all)");
  }
  return f;
}

std::string variant_label(const FinalVariant& v) {
  return v.model + " x" + format_double(v.multiplier) + " @" + std::to_string(v.input);
}

void print_table(const std::vector<FinalVariant>& plan, const std::string& device,
                 Precision precision) {
  const bool int8 = precision == Precision::kInt8;
  std::vector<std::string> headers = {"model",  "mult", "input",
                                      "params", "MACs", int8 ? "int8 acc" : "test acc"};
  std::vector<bool> right = {false, true, true, true, true, true};
  if (int8) {
    headers.push_back("fp32 acc");
    right.push_back(true);
  }
  headers.insert(headers.end(), {"latency ms", "vs MobileNetV2", "status"});
  right.insert(right.end(), {true, true, false});
  Table table(headers, right);
  for (const FinalVariant& v : plan) {
    const bool done = v.status == "done";
    const double peer = accuracy_at_latency(plan, "mobilenetv2", v.latency_ms);
    char acc[32] = "", fp32[32] = "", lat[32] = "", gain[32] = "";
    if (done) {
      std::snprintf(acc, sizeof acc, "%.2f%%", 100 * v.test_top1);
      std::snprintf(fp32, sizeof fp32, "%.2f%%", 100 * v.fp32_top1);
      std::snprintf(lat, sizeof lat, "%.3f", v.latency_ms);
      if (std::isfinite(peer) && v.model != "mobilenetv2")
        std::snprintf(gain, sizeof gain, "%+.2f pt", 100 * (v.test_top1 - peer));
    }
    std::vector<std::string> row = {v.model,
                                    format_double(v.multiplier),
                                    std::to_string(v.input),
                                    group_thousands(v.params),
                                    group_thousands(v.macs),
                                    acc};
    if (int8) row.push_back(fp32);
    row.insert(row.end(),
               {lat, gain, v.status == "failed" ? "failed: " + v.failure.substr(0, 60) : v.status});
    table.add_row(row);
  }
  std::cout
      << "Finalists ("
      << (int8 ? "int8: the quantized network's test accuracy; int8 latency"
               : "test accuracy; latency")
      << " on " << device << "):\n\n"
      << table.render()
      << "\n\"vs MobileNetV2\": test accuracy minus MobileNetV2's at the same latency, read off "
         "its curve over the multipliers (blank outside that curve's latency range).\n";
}

// A device that stopped answering pauses finalize (exit 75): the same command goes on later.
int paused(const DeviceUnreachable& e, const char* when, const char* kept) {
  std::fprintf(stderr,
               "mnas: finalize paused%s: %s\nmnas: %srun the same command again once the device "
               "answers\n",
               when, e.what(), kept);
  return kExitPaused;
}

int run_finalize_command(const FinalizeCommandOptions& o) {
  const FinalizeOptions options = finalize_options(o);
  const std::string report = o.report.empty() ? sibling_path(o.store, ".html") : o.report;
  refuse_output_over_input(report, "--report",
                           {{"STORE", o.store},
                            {"the store's journal", o.store + "-wal"},
                            {"the store's shared memory", o.store + "-shm"}});
  Store store(o.store, Store::Mode::kWrite);
  if (store.config().empty()) {
    throw Error("store '" + o.store + "': holds no search configuration", Error::Kind::kIo);
  }
  const SearchConfig config =
      search_config_from_text(store.config(), "store '" + o.store + "': config");
  if (!config.table_space.empty()) {
    throw Error("store '" + o.store + "' is a search on a table space (" + config.table_space +
                "): its candidates are cells looked up in the table; there is no network to "
                "train, scale or export (finalize is for searches of MnasNet's space)");
  }
  if (config.evaluator.rfind("cmd:", 0) == 0) {
    std::cerr << "mnas: note: the search trained with its own command (" << config.evaluator
              << "); finalize trains with mnas's " << options.recipe << " recipe on "
              << config.proxy.dataset << "\n";
  }
  std::vector<FinalVariant> plan;
  const Precision precision = finalize_precision(config, options);
  SearchConfig measured;  // the search's devices at the precision finalists are compared in
  try {
    plan = plan_finalists(store, config, options);
    measured = finalize_measurement_config(config, precision);
  } catch (const Error& e) {
    rethrow_naming_flag(e, finalize_option_fields());  // library errors name the option
  }
  if (measured.latency != config.latency) {
    std::cerr << "mnas: note: the search's lookup table predicts " << config.devices[0].precision
              << " latency; finalize measures " << measured.devices[0].precision << " latency on "
              << measured.devices[0].name << "\n";
  }
  std::unique_ptr<LatencyObjective> objective = make_latency_objective(
      measured, search_device_access(o.token_files, o.device_retries, o.device_timeout));
  int pending = 0;
  for (const FinalVariant& v : plan) pending += v.status == "pending";
  // A wrong token or address shows now, not after the first network's training.
  if (objective && (pending > 0 || options.remeasure)) {
    try {
      objective->check_devices();
    } catch (const DeviceUnreachable& e) {
      return paused(e, " before training", "");
    }
  }
  std::cerr << "mnas: finalize " << o.store << ": " << plan.size() << " networks ("
            << plan.size() - pending << " done before) at "
            << to_string(precision) << ", "
            << (plan.empty() ? "" : plan[0].recipe) << "; checkpoints in "
            << (plan.empty() ? "" : plan[0].checkpoint.substr(0, plan[0].checkpoint.rfind('/')))
            << "\n";

  InterruptGuard interrupt;
  bool finished = false;
  try {
    finished = run_finalize(
        store, config, options, objective.get(), plan,
        [](const FinalizeProgress& p) {
          if (p.remeasured) {
            std::fprintf(stderr, "mnas: finalist %s measured again (%d/%d done before): %.3f ms\n",
                         variant_label(*p.variant).c_str(), p.done, p.total, p.variant->latency_ms);
          } else if (p.training) {
            const TrainProgress& t = *p.training;
            if (t.step != t.steps) return;  // one line per epoch
            std::fprintf(stderr,
                         "mnas: finalist %d/%d %s: epoch %d/%d loss %.4f train acc %.2f%% "
                         "(%.0f img/s, epoch ETA %.0fs) | ETA %s\n",
                         p.done + 1, p.total, variant_label(*p.variant).c_str(), t.epoch, t.epochs,
                         t.loss, 100 * t.accuracy, t.images_per_second, t.eta_seconds,
                         p.eta_seconds > 0
                             ? (format_double(std::round(p.eta_seconds)) + "s").c_str()
                             : "after the first");
          } else if (p.variant->status != "pending") {
            std::fprintf(stderr, "mnas: finalist %d/%d %s %s: test %.2f%% at %.3f ms%s%s\n", p.done,
                         p.total, variant_label(*p.variant).c_str(), p.variant->status.c_str(),
                         100 * p.variant->test_top1, p.variant->latency_ms,
                         p.variant->failure.empty() ? "" : ": ", p.variant->failure.c_str());
          }
        },
        &InterruptGuard::requested());
  } catch (const DeviceUnreachable& e) {
    return paused(e, "", "the store keeps every finished network; ");
  }
  if (!finished) {
    std::fprintf(stderr,
                 "mnas: finalize stopped by %s; the store keeps every finished network and the "
                 "one in training its checkpoint: the same command continues\n",
                 InterruptGuard::signal_name());
    return interrupted_exit_code(InterruptGuard::signal_number());
  }
  write_report(store, report);
  if (o.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const FinalVariant& v : plan) {
      const double peer = accuracy_at_latency(plan, "mobilenetv2", v.latency_ms);
      nlohmann::json j = nlohmann::json::parse(finalists_json({v}))["variants"][0];
      j["precision"] = v.precision;
      j["vs_mobilenetv2"] =
          std::isfinite(peer) && v.status == "done" ? nlohmann::json(v.test_top1 - peer) : nullptr;
      list.push_back(j);
    }
    std::cout << nlohmann::json{{"store", o.store}, {"report", report}, {"finalists", list}}.dump(2)
              << "\n";
    return kExitOk;
  }
  print_table(plan, config.devices.front().name, precision);
  std::cout
      << "\nThe report (with the accuracy-vs-latency chart) is " << report
      << "; each finalist's checkpoint is in `mnas finalize --json` (mnas export takes it).\n";
  return kExitOk;
}

}  // namespace

void add_finalize_command(CLI::App& app) {
  const auto [o, cmd] =
      add_subcommand<FinalizeCommandOptions>(app, "finalize", kAbout, run_finalize_command);
  cmd->add_option("STORE", o->store, "The search's store (mnas search --store)")->required();
  add_field_flags(cmd, finalize_option_fields(), o->flags);
  cmd->add_option("--report", o->report,
                  "HTML report rewritten at the end (default: the store's name with .html)");
  add_search_device_access_options(cmd, o->token_files, o->device_retries, o->device_timeout);
  cmd->add_flag("--json", o->json, "Print every finalist as JSON at the end");
  cmd->footer(
      "Resumable: every finished network is in the store, a network in training has its "
      "checkpoint; run the same command again after Ctrl-C or a kill. Networks already trained "
      "the same way are not trained again. Exit codes as for mnas search.");
}

}  // namespace mnas::cli
