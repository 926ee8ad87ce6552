// `mnas results`: what a search's store holds (printed by results_print.cc).
#include <memory>
#include <string>
#include <utility>

#include "cli/commands.h"
#include "cli/results_print.h"
#include "store/store.h"
#include "base/error.h"
#include "base/file_io.h"

namespace mnas::cli {

void add_results_command(CLI::App& app) {
  auto r = std::make_shared<std::pair<std::string, bool>>();
  auto top = std::make_shared<int>(5);
  CLI::App* results = app.add_subcommand(
      "results", "Show a search's best trials, its Pareto front (per device) and references");
  results->add_option("STORE", r->first, "The search's SQLite file")->required();
  results->add_option("--top", *top, "Best trials to list (default 5)");
  results->add_flag("--json", r->second,
                    "Machine-readable output: trials, failed, target_ms, devices, targets_ms, top, "
                    "pareto, pareto_by_device, references, train_devices, latency_check (predicted "
                    "latency against its measurements), config");
  results->callback([r, top] {
    refuse_special_file(r->first, "STORE", "a store file");  // a pipe would hang the open
    if (!path_exists(r->first))
      throw Error("STORE: '" + r->first + "' does not exist", Error::Kind::kIo);
    const Store store(r->first, Store::Mode::kReadOnly);  // results never write the store
    print_results(store, r->second, *top);
  });
}
}  // namespace mnas::cli
