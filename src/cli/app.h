#ifndef MNAS_CLI_APP_H_
#define MNAS_CLI_APP_H_

#include <string>
#include <vector>

#include "base/comma_list.h"

namespace mnas::cli {

// Exit codes of every mnas command.
constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;  // the work failed: unreadable file, I/O error
constexpr int kExitUsage = 2;    // bad command line or bad input (the message names it)
constexpr int kExitPaused = 75;  // EX_TEMPFAIL: a search paused (a device did not answer);
                                 // everything finished is stored, --resume continues

// Thrown by a command that ends early after saying why (a paused or interrupted search): run()
// returns `code`.
struct ExitWith {
  int code;
};

using mnas::comma_list;  // a flag's comma-separated list (base/comma_list.h)

// Parses the command line, runs the subcommand and maps errors to exit codes; messages go to
// stderr, results to stdout.
int run(int argc, char** argv);

}  // namespace mnas::cli

#endif  // MNAS_CLI_APP_H_
