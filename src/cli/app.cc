#include "cli/app.h"

#include <iostream>
#include <string>

#include "base/error.h"
#include "base/number_format.h"
#include "cli/commands.h"

namespace mnas::cli {
namespace {

// Every integer option of `app` and its subcommands takes exact decimal text only (see
// integer_text_problem: CLI11 would saturate, wrap or read hex silently).
void strict_integers(CLI::App& app) {
  for (CLI::Option* opt : app.get_options()) {
    const std::string type = opt->get_type_name();
    if (type != "INT" && type != "UINT") continue;
    opt->check(CLI::Validator(
        [is_signed = type == "INT"](std::string& text) {
          return integer_text_problem(text, is_signed);
        },
        "", "decimal integer"));
  }
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) strict_integers(*sub);
}

}  // namespace

int run(int argc, char** argv) {
  CLI::App app{
      "mnas: platform-aware neural architecture search (MnasNet-style).\n"
      "Finds CNN architectures that are as accurate as possible at a latency target measured on "
      "this device."};
  app.name("mnas");
  app.set_version_flag("--version", "mnas " MNAS_VERSION);  // CMake's project version
  app.require_subcommand(1);
  app.footer(
      "Run `mnas COMMAND --help` for the options of a command.\n"
      "Exit codes: 0 success, 1 failure, 2 bad command line or bad input, 75 a search paused "
      "(a device did not answer; --resume continues), 130/143 stopped by Ctrl-C/SIGTERM (what "
      "finished is kept; the same command or --resume continues).");
  add_space_command(app);
  add_describe_command(app);
  add_latency_command(app);
  add_lut_command(app);
  add_train_command(app);
  add_search_command(app);
  add_results_command(app);
  add_report_command(app);
  add_export_command(app);
  add_finalize_command(app);
  add_data_command(app);
  strict_integers(app);

  if (argc <= 1) {
    std::cerr << app.help() << "\nmnas: error: a command is required\n";
    return kExitUsage;
  }
  if (argv[1][0] != '-') {
    std::string known;
    bool found = false;
    for (const CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
      found = found || sub->get_name() == argv[1];
      known += (known.empty() ? "" : ", ") + sub->get_name();
    }
    if (!found) {
      std::cerr << "mnas: error: unknown command '" << argv[1] << "'; commands: " << known
                << "\nRun `mnas --help` for usage.\n";
      return kExitUsage;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const ExitWith& e) {
    return e.code;
  } catch (const CLI::Success& e) {
    return app.exit(e);  // --help, --version
  } catch (const CLI::ParseError& e) {
    std::cerr << "mnas: error: " << e.what() << "\n"
              << "Run `mnas --help` or `mnas COMMAND --help` for usage.\n";
    return kExitUsage;
  } catch (const Error& e) {
    std::cerr << "mnas: error: " << e.what() << "\n";
    return e.kind() == Error::Kind::kIo ? kExitFailure : kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "mnas: failed: " << e.what() << "\n";
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace mnas::cli
