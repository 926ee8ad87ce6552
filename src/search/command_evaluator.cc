#include "search/command_evaluator.h"

#include <cstdlib>
#include <cstring>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/file_io.h"
#include "base/json_fields.h"
#include "base/machine.h"
#include "base/number_format.h"
#include "base/subprocess.h"
#include "latency/measurement.h"
#include "space/architecture_codec.h"
#include "store/trial_latencies.h"

namespace mnas {
namespace {

Evaluation failed(const std::string& why) {
  Evaluation e;
  e.ok = false;
  e.failure = why;
  return e;
}

}  // namespace

Evaluation parse_command_output(const std::string& output) {
  if (std::optional<JsonLine> result = last_json_object_line(output)) {
    nlohmann::json& j = result->value;
    try {
      if (!j.contains("accuracy")) throw Error("result line: no \"accuracy\"");
      Evaluation e;
      e.accuracy = json_fields::as_double(j["accuracy"], "result line: accuracy");
      if (!(e.accuracy >= 0 && e.accuracy <= 1)) {
        throw Error("result line: accuracy " + j["accuracy"].dump() +
                    " is not in [0, 1] (a fraction, not a percentage)");
      }
      j.erase("accuracy");
      e.metrics_json = checked_metrics(j, "result line");
      return e;
    } catch (const Error& err) {
      return failed(std::string(err.what()) + ": " + result->line.substr(0, 200));
    }
  }
  return failed("no result line: the command printed no JSON object with \"accuracy\"" +
                (output.empty() ? std::string(" (no output at all)")
                                : "; its output ended with: " + text_tail(output, 300)));
}

CommandEvaluator::CommandEvaluator(CommandEvaluatorOptions options) : options_(std::move(options)) {
  if (options_.command.empty())
    throw Error("evaluator: cmd: needs a command, e.g. cmd:python3 train.py");
  if (!(options_.timeout_seconds > 0) || options_.timeout_seconds > 7 * 86400) {
    throw Error("command timeout: must be in (0, 604800] seconds");
  }
}

Evaluation CommandEvaluator::evaluate(const Architecture& arch) {
  const std::string folder = make_temp_folder(options_.work_root, "mnas-trial-");
  const std::string trial_file = folder + "/trial.json";
  const int threads = options_.threads > 0 ? options_.threads : usable_cpus();
  const std::string trial =
      nlohmann::json{{"format", "mnas-trial/1"},
                     {"canonical", to_canonical_string(arch)},
                     {"architecture", nlohmann::json::parse(to_json_string(arch))},
                     {"input",
                      {{"height", arch.input.height},
                       {"width", arch.input.width},
                       {"channels", arch.input.channels}}},
                     {"classes", arch.classes},
                     {"workdir", folder},
                     {"threads", threads}}
          .dump(2) +
      "\n";
  write_file_atomically(trial_file, trial, "trial file");

  CommandRun run;
  run.command = options_.command;
  run.directory = folder;
  run.stdin_file = trial_file;
  run.environment = {{"MNAS_TRIAL_FILE", trial_file}, {"MNAS_WORKDIR", folder}};
  run.timeout_seconds = options_.timeout_seconds;
  CommandOutcome outcome;
  try {
    outcome = run_command(run);
  } catch (const Error& e) {
    throw Error(std::string("cmd evaluator: ") + e.what(), e.kind());
  }

  const std::string said = outcome.said();
  const std::string kept = " (its folder " + folder + " is kept)";
  Evaluation e;
  if (!outcome.ok()) {
    e = failed("the command " + outcome.failure() + kept +
               (said.empty() ? "" : "; it said: " + said));
  } else {
    e = parse_command_output(outcome.out);
    if (!e.ok && e.failure.rfind("no result line", 0) == 0) e.failure += outcome.cut_note();
    if (!e.ok) e.failure += kept;
  }
  e.seconds = outcome.seconds;
  if (e.ok) remove_tree(folder);
  return e;
}

}  // namespace mnas
