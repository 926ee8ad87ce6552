#ifndef MNAS_CLI_SEARCH_OPTIONS_H_
#define MNAS_CLI_SEARCH_OPTIONS_H_

// The internals of `mnas search` (cli/): its flags as given, and the files that use them —
// search_flags.cc declares them, search_configure.cc makes a SearchConfig of them (the library's
// new_search_config deciding what they leave open), search_print.cc prints a search's progress,
// search_command.cc runs it (the library's SearchRun).

#include <cstdint>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "latency/remote_device.h"
#include "search/new_search.h"
#include "search/search_config.h"
#include "search/search_loop.h"
#include "search/store.h"

namespace mnas::cli {

// `--space nb201`: NAS-Bench-201's cells looked up in the built-in table (search/table_trials.h).
constexpr const char* kTableSpace = "nb201";
constexpr const char* kTableOptimum = "table-optimum";  // a table space's reference

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

// Declares every flag of `mnas search` on `cmd`, into `o` (which must outlive `cmd`).
void declare_search_flags(CLI::App* cmd, SearchCommandOptions& o);

// The search's configuration: `base` (the defaults for a new search, the stored configuration
// on a resume) with the given flags applied, a new search completed by the library's policies.
// Throws mnas::Error naming the flag.
SearchConfig configure_search(const SearchCommandOptions& o, SearchConfig base);
// Which settings the flags chose.
SearchChoices choices_of(const SearchCommandOptions& o);
// The flag that sets a configuration field ("proxy.epochs" → "--epochs"), for messages.
std::string search_flag_of(const std::string& field);
// The references --references names, checked: zoo models (a name at a width multiplier too), or
// in a table space the table's optimum ("all") or none.
std::vector<std::string> search_references_of(const SearchCommandOptions& o, bool table);

// "devices local (this machine, T = ..., median, one thread)" for the banner.
std::string describe_devices(const SearchConfig& c);
// One line per trial (and per rung of a multi-fidelity step) as the search stores it.
void print_progress(const SearchProgress& p);

}  // namespace mnas::cli

#endif  // MNAS_CLI_SEARCH_OPTIONS_H_
