#ifndef MNAS_CLI_SEARCH_OPTIONS_H_
#define MNAS_CLI_SEARCH_OPTIONS_H_

// The internals of `mnas search` (cli/): its flags as given, and the files that use them —
// search_flags.cc declares them, search_configure.cc makes a SearchConfig of them (the library's
// new_search_config deciding what they leave open), search_print.cc prints a search's progress,
// search_command.cc runs it (the library's SearchRun).

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/field_flags.h"
#include "latency/remote_device.h"
#include "search/new_search.h"
#include "search/search_config.h"
#include "search/search_config_fields.h"
#include "search/search_loop.h"
#include "store/store.h"

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
  std::string work_dir;
  int threads = 0;
  std::string train_device = "auto";
  std::string data_dir;
  bool json = false;
  // The configuration flags (search/search_config_fields.h), by field key, and --device.
  FieldFlags config;
  std::map<std::string, std::vector<std::string>> per_device;  // NAME=VALUE or VALUE, repeatable
  std::vector<std::string> devices;
  // How to reach the devices (not stored).
  std::vector<std::string> token_files;
  int device_retries = RemoteOptions{}.retries;
  double device_timeout = RemoteOptions{}.read_timeout_seconds;
  CLI::App* cmd = nullptr;

  bool given(const std::string& flag) const { return cmd->count(flag) > 0; }
  // A text configuration flag's value ("--space"), "" unless given.
  std::string text(const std::string& flag) const;
};

// Declares every flag of `mnas search` on `cmd`, into `o` (which must outlive `cmd`).
void declare_search_flags(CLI::App* cmd, SearchCommandOptions& o);

// The search's configuration: `base` (the defaults for a new search, the stored configuration
// on a resume) with the given flags applied, a new search completed by the library's policies.
// Throws mnas::Error naming the flag.
SearchConfig configure_search(const SearchCommandOptions& o, SearchConfig base);
// Which settings the flags chose.
SearchChoices choices_of(const SearchCommandOptions& o);
// The references --references names, checked: zoo models (a name at a width multiplier too), or
// in a table space the table's optimum ("all") or none.
std::vector<std::string> search_references_of(const SearchCommandOptions& o, bool table);

// "devices local (this machine, T = ..., median, one thread)" for the banner.
std::string describe_devices(const SearchConfig& c);
// One line per trial (and per rung of a multi-fidelity step) as the search stores it.
void print_progress(const SearchProgress& p, const char* score = "acc");

}  // namespace mnas::cli

#endif  // MNAS_CLI_SEARCH_OPTIONS_H_
