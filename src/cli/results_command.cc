// `mnas results`: what a search's store holds (printed by results_print.cc).
#include <memory>
#include <string>

#include "base/error.h"
#include "base/file_io.h"
#include "cli/commands.h"
#include "cli/results_print.h"
#include "store/store.h"

namespace mnas::cli {

namespace {

struct ResultsOptions {
  std::string store;
  int top = 5;
  bool json = false;
};

void run_results(const ResultsOptions& o) {
  refuse_special_file(o.store, "STORE", "a store file");  // a pipe would hang the open
  if (!path_exists(o.store))
    throw Error("STORE: '" + o.store + "' does not exist", Error::Kind::kIo);
  const Store store(o.store, Store::Mode::kReadOnly);  // results never write the store
  print_results(store, o.json, o.top);
}

}  // namespace

void add_results_command(CLI::App& app) {
  const auto [o, cmd] = add_subcommand<ResultsOptions>(
      app, "results", "Show a search's best trials, its Pareto front (per device) and references",
      run_results);
  cmd->add_option("STORE", o->store, "The search's SQLite file")->required();
  cmd->add_option("--top", o->top, "Best trials to list (default 5)");
  cmd->add_flag("--json", o->json,
                "Machine-readable output: trials, failed, target_ms, devices, targets_ms, top, "
                "pareto, pareto_by_device, references, train_devices, latency_check (predicted "
                "latency against its measurements), config");
}

}  // namespace mnas::cli
