// `mnas report`: a search's store as one self-contained HTML page.
#include <fstream>
#include <iostream>
#include <memory>

#include "base/error.h"
#include "base/file_io.h"
#include "cli/commands.h"
#include "report/report.h"

namespace mnas::cli {
namespace {

// What `mnas report --help` says the command does.
constexpr const char* kAbout =
    "Write a search's HTML report: reward over trials, accuracy vs latency with the Pareto "
    "front, T and the zoo references, the latency histogram, the best architectures";

struct ReportCommandOptions {
  std::string store, out;
  ReportOptions report;
};

void run_report(const ReportCommandOptions& o) {
  refuse_special_file(o.store, "STORE", "a store file");
  refuse_special_file(o.out, "--out", "a file to write the report to");
  if (!path_exists(o.store))
    throw Error("STORE: '" + o.store + "' does not exist", Error::Kind::kIo);
  if (o.report.top < 0) throw Error("--top: must be ≥ 0");
  if (o.report.moving_average < 1) throw Error("--window: must be ≥ 1");
  if (o.report.histogram_bins < 1 || o.report.histogram_bins > 1000)
    throw Error("--bins: must be in [1, 1000]");
  refuse_output_over_input(o.out, "--out",
                           {{"STORE", o.store},
                            {"STORE's journal", o.store + "-wal"},
                            {"STORE's shared memory", o.store + "-shm"}});
  const Store store(o.store, Store::Mode::kReadOnly);  // a report never writes the store
  write_report(store, o.out, o.report);
  std::cout << "mnas: wrote " << o.out << " (" << store.trial_count() << " trials)\n";
}

}  // namespace

void add_report_command(CLI::App& app) {
  const auto [o, cmd] = add_subcommand<ReportCommandOptions>(app, "report", kAbout, run_report);
  cmd->add_option("STORE", o->store, "The search's SQLite file (a running search is fine)")
      ->required();
  cmd->add_option("--out", o->out, "The HTML file to write")->required();
  cmd->add_option("--top", o->report.top, "Best trials listed (default 10)");
  cmd->add_option("--window", o->report.moving_average,
                  "Trials in the reward's moving average (default 10)");
  cmd->add_option("--bins", o->report.histogram_bins, "Bins of the latency histogram (default 20)");
}

}  // namespace mnas::cli
