#ifndef MNAS_SEARCH_COMMAND_EVALUATOR_H_
#define MNAS_SEARCH_COMMAND_EVALUATOR_H_

#include <string>

#include "store/trial.h"

namespace mnas {

// Bring your own trainer: runs the user's command once per trial (`/bin/sh -c COMMAND`, in a new
// folder of its own, in its own process group) and reads the accuracy it prints.
//
// The command gets the trial as JSON on stdin and in the file $MNAS_TRIAL_FILE (also
// `trial.json` in its working folder, $MNAS_WORKDIR):
//   {"format": "mnas-trial/1", "canonical": "<architecture string>",
//    "architecture": {<the architecture's JSON, docs/architecture-format.md>},
//    "input": {"height", "width", "channels"}, "classes": N, "workdir": "...", "threads": T}
// and must print, as the last line of its output that is a JSON object,
//   {"accuracy": 0.0..1.0, "<metric>": number, ...}
// (other output is fine: progress, warnings). The extra numbers are stored with the trial.
// A command that exits non-zero, is killed, runs past the timeout (then its whole process group
// is killed), or prints no such line is a failed trial whose reason quotes the end of its
// stderr (or stdout). Whatever the command leaves running when it exits is killed too. The
// working folder is removed after a trial that succeeded and kept after one that failed (the
// reason names it).
struct CommandEvaluatorOptions {
  std::string command;            // run with /bin/sh -c
  double timeout_seconds = 3600;  // per trial; Default: 1 hour
  std::string work_root;          // where trial folders are made; "" = $TMPDIR or /tmp
  int threads = 0;                // passed on as "threads" (0: the CPUs this process may use)
};

class CommandEvaluator : public Evaluator {
 public:
  explicit CommandEvaluator(CommandEvaluatorOptions options);
  std::string name() const override { return "cmd"; }
  Evaluation evaluate(const Architecture& arch) override;

 private:
  CommandEvaluatorOptions options_;
};

// The result line of an external evaluator's output (exposed for tests): the last line of
// `output` that parses as a JSON object, checked — "accuracy" a number in [0, 1], every other
// field a finite number (metrics) —, as an Evaluation; failed (with the reason) when there is none
// or it does not check.
Evaluation parse_command_output(const std::string& output);

}  // namespace mnas

#endif  // MNAS_SEARCH_COMMAND_EVALUATOR_H_
