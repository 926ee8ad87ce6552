#ifndef MNAS_BASE_SUBPROCESS_H_
#define MNAS_BASE_SUBPROCESS_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace mnas {

// Running a user's command (`/bin/sh -c COMMAND`) the way every external hook of mnas does it —
// the cmd: evaluator (search/command_evaluator.h) and the cmd: device (export/command_device.h):
// in a folder of its own, in its own process group, with a timeout, its output kept bounded.
struct CommandRun {
  std::string command;    // run with /bin/sh -c
  std::string directory;  // its working folder (must exist)
  std::string stdin_file;  // what it reads on stdin; "" = /dev/null
  std::vector<std::pair<std::string, std::string>> environment;  // set on top of ours
  double timeout_seconds = 3600;
};

struct CommandOutcome {
  bool timed_out = false;  // ran past the timeout: its process group was killed
  int signal = 0;          // killed by this signal (0: it exited)
  int exit_code = 0;
  std::string out;  // the last 64 KiB of stdout
  bool out_cut = false;  // stdout was longer: its start was dropped
  std::string err;  // the last 4 KiB of stderr
  double seconds = 0;
  double timeout_seconds = 0;  // the run's, for failure()

  bool ok() const { return !timed_out && signal == 0 && exit_code == 0; }
  // Why it is not ok ("ran past its timeout of 5 s and was killed", "exited with status 3
  // (command not found?)", "was killed by signal 11 (Segmentation fault)"), "" when ok.
  std::string failure() const;
  // The end of what it said, for messages: stderr's, else stdout's (≤ 500 bytes, whole lines).
  std::string said() const;
  // For a missing result line: why it may be missing when stdout was cut (a result line longer
  // than what is kept), "" otherwise.
  std::string cut_note() const;
};

// Runs `run` to its end or its timeout (SIGTERM to the group, SIGKILL 2 s later). Whatever the
// command leaves running in the background is killed when it exits: its process group, and
// processes that left the group (setsid, a daemon) but still carry the run's mark in their
// environment (MNAS_COMMAND_RUN). Throws mnas::Error (kIo) only when no process could be started
// (pipes, fork).
CommandOutcome run_command(const CommandRun& run);

// The last line of a command's `output` that holds a JSON object (parsed from the line's first
// '{'), with the line itself; lines that are not one (progress, warnings) are skipped. nullopt
// when there is none. How the cmd: evaluator and the cmd: device read a command's result.
struct JsonLine {
  nlohmann::json value;
  std::string line;
};
std::optional<JsonLine> last_json_object_line(const std::string& output);

// A new folder "<root>/<prefix>XXXXXX" (root "" = $TMPDIR or /tmp). Throws mnas::Error (kIo).
std::string make_temp_folder(const std::string& root, const std::string& prefix);

// Removes `path` and everything under it (symbolic links are removed, never followed); errors
// are ignored: for folders of ours that a command wrote into.
void remove_tree(const std::string& path);

// The last `n` bytes of `text`, starting at a line when possible; trailing blank space dropped.
std::string text_tail(const std::string& text, size_t n);

}  // namespace mnas

#endif  // MNAS_BASE_SUBPROCESS_H_
