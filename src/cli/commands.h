#ifndef MNAS_CLI_COMMANDS_H_
#define MNAS_CLI_COMMANDS_H_

#include <CLI/CLI.hpp>

#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include "cli/app.h"

namespace mnas::cli {

// The search's default input and classes (the small-input preset on Fashion-MNIST); `mnas lut
// build` defaults to them too, so that a table built without options serves a default search.
inline constexpr const char* kSearchDefaultInput = "28x28x1";
inline constexpr int kSearchDefaultClasses = 10;

// One subcommand: the options its command line fills, and the CLI11 app that declares them.
template <typename Options>
struct Subcommand {
  std::shared_ptr<Options> options;
  CLI::App* app;
};

// Options with a member `cmd` (const CLI::App*) are told their app, to ask which flags were given.
template <typename Options, typename = void>
struct KnowsItsApp : std::false_type {};
template <typename Options>
struct KnowsItsApp<Options, std::void_t<decltype(std::declval<Options&>().cmd = nullptr)>>
    : std::true_type {};

// Adds subcommand `name` to `parent` with default-constructed Options (their `cmd` set to it,
// where they have one); when it is chosen, calls run(options) once the command line is parsed. A
// `run` that returns an exit code other than kExitOk ends mnas with it (ExitWith: it said why); one
// that returns nothing succeeds unless it throws.
template <typename Options, typename Run>
Subcommand<Options> add_subcommand(CLI::App& parent, const std::string& name,
                                   const std::string& description, Run run) {
  auto options = std::make_shared<Options>();
  CLI::App* app = parent.add_subcommand(name, description);
  if constexpr (KnowsItsApp<Options>::value) options->cmd = app;
  app->callback([options, run] {
    if constexpr (std::is_void_v<std::invoke_result_t<Run&, Options&>>) {
      run(*options);
    } else {
      const int code = run(*options);
      if (code != kExitOk) throw ExitWith{code};
    }
  });
  return {options, app};
}

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
void add_data_command(CLI::App& app);  // make-scenes and check

}  // namespace mnas::cli

#endif  // MNAS_CLI_COMMANDS_H_
