#ifndef MNAS_CLI_COMMANDS_H_
#define MNAS_CLI_COMMANDS_H_

#include <CLI/CLI.hpp>

namespace mnas::cli {

// The search's default input and classes (the small-input preset on Fashion-MNIST); `mnas lut
// build` defaults to them too, so that a table built without options serves a default search.
inline constexpr const char* kSearchDefaultInput = "28x28x1";
inline constexpr int kSearchDefaultClasses = 10;

// Each adds one subcommand to `app`; its callback runs the command and throws mnas::Error on
// bad input or failure (app.cc maps that to the exit code).
void add_space_command(CLI::App& app);
void add_describe_command(CLI::App& app);
void add_latency_command(CLI::App& app);
void add_lut_command(CLI::App& app);
void add_train_command(CLI::App& app);  // train and eval
void add_search_command(CLI::App& app);
void add_results_command(CLI::App& app);
void add_report_command(CLI::App& app);
void add_export_command(CLI::App& app);
void add_finalize_command(CLI::App& app);

}  // namespace mnas::cli

#endif  // MNAS_CLI_COMMANDS_H_
