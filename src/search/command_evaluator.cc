#include "search/command_evaluator.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "latency/measurement.h"
#include "search/trial_latencies.h"
#include "space/architecture_codec.h"
#include "space/error.h"
#include "space/file_io.h"
#include "space/json_fields.h"
#include "space/number_format.h"

namespace mnas {
namespace {

constexpr size_t kKeepStdout = 64 * 1024;  // the result line is near the end
constexpr size_t kKeepStderr = 4 * 1024;

// The last `n` bytes of what a stream said, starting at a line when possible.
std::string tail(const std::string& text, size_t n) {
  if (text.size() <= n) return text;
  std::string t = text.substr(text.size() - n);
  const size_t newline = t.find('\n');
  return newline != std::string::npos && newline + 1 < t.size() ? t.substr(newline + 1) : t;
}

void append_bounded(std::string& buffer, const char* data, size_t n, size_t keep) {
  buffer.append(data, n);
  if (buffer.size() > 2 * keep) buffer.erase(0, buffer.size() - keep);
}

std::string trimmed_end(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\r'))
    text.pop_back();
  return text;
}

Evaluation failed(const std::string& why) {
  Evaluation e;
  e.ok = false;
  e.failure = why;
  return e;
}

// A fresh folder for one trial under `root`.
std::string make_trial_folder(const std::string& root) {
  std::string base = root;
  if (base.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    base = tmp && *tmp ? tmp : "/tmp";
  }
  std::string pattern = base + "/mnas-trial-XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (::mkdtemp(buf.data()) == nullptr) {
    throw Error("work folder '" + base + "': cannot make a trial folder there (" +
                    std::strerror(errno) + ")",
                Error::Kind::kIo);
  }
  return buf.data();
}

void remove_folder(const std::string& path) {
  // The command may have written anything there; nftw would do, a shell is simpler and the
  // path is ours (mkdtemp), quoted.
  const std::string command = "rm -rf -- '" + path + "'";
  [[maybe_unused]] const int rc = std::system(command.c_str());
}

}  // namespace

Evaluation parse_command_output(const std::string& output) {
  size_t end = output.size();
  while (end > 0) {
    size_t start = output.rfind('\n', end - 1);
    start = start == std::string::npos ? 0 : start + 1;
    const std::string line = trimmed_end(output.substr(start, end - start));
    end = start == 0 ? 0 : start - 1;
    if (line.empty() || line.find('{') == std::string::npos) continue;
    nlohmann::json j;
    try {
      j = json_fields::parse(line.substr(line.find('{')), "result line");
    } catch (const Error&) {
      continue;  // not JSON: progress output
    }
    if (!j.is_object()) continue;
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
      return failed(std::string(err.what()) + ": " + line.substr(0, 200));
    }
  }
  return failed("no result line: the command printed no JSON object with \"accuracy\"" +
                (output.empty() ? std::string(" (no output at all)")
                                : "; its output ended with: " + tail(trimmed_end(output), 300)));
}

CommandEvaluator::CommandEvaluator(CommandEvaluatorOptions options) : options_(std::move(options)) {
  if (options_.command.empty()) throw Error("evaluator: cmd: needs a command, e.g. cmd:python3 train.py");
  if (!(options_.timeout_seconds > 0) || options_.timeout_seconds > 7 * 86400) {
    throw Error("command timeout: must be in (0, 604800] seconds");
  }
}

Evaluation CommandEvaluator::evaluate(const Architecture& arch) {
  const std::string folder = make_trial_folder(options_.work_root);
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

  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0) {
    throw Error(std::string("cmd evaluator: cannot make pipes (") + std::strerror(errno) + ")",
                Error::Kind::kIo);
  }
  const pid_t pid = ::fork();
  if (pid < 0) {
    throw Error(std::string("cmd evaluator: cannot start a process (") + std::strerror(errno) + ")",
                Error::Kind::kIo);
  }
  if (pid == 0) {
    // The child: its own process group (killed whole on timeout), the trial on stdin.
    ::setpgid(0, 0);
    const int in = ::open(trial_file.c_str(), O_RDONLY);
    if (in < 0 || ::dup2(in, 0) < 0 || ::dup2(out_pipe[1], 1) < 0 || ::dup2(err_pipe[1], 2) < 0 ||
        ::chdir(folder.c_str()) != 0) {
      _exit(127);
    }
    ::setenv("MNAS_TRIAL_FILE", trial_file.c_str(), 1);
    ::setenv("MNAS_WORKDIR", folder.c_str(), 1);
    ::signal(SIGPIPE, SIG_DFL);
    ::execl("/bin/sh", "sh", "-c", options_.command.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  ::setpgid(pid, pid);  // also here, so that it holds before the parent may kill the group
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);

  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + std::chrono::duration<double>(options_.timeout_seconds);
  std::string out, err;
  bool timed_out = false;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  int open_streams = 2;
  char buf[65536];
  while (open_streams > 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          deadline - std::chrono::steady_clock::now())
                          .count();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    const int ready = ::poll(fds, 2, static_cast<int>(std::min<long long>(left, 1000)));
    if (ready < 0 && errno != EINTR) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        append_bounded(i == 0 ? out : err, buf, static_cast<size_t>(n),
                       i == 0 ? kKeepStdout : kKeepStderr);
      } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_streams;
      }
    }
  }
  // The command's process group: politely on a timeout, then for sure; also whatever it left
  // running in the background after it exited.
  int status = 0;
  bool reaped = false;
  if (timed_out) {
    ::kill(-pid, SIGTERM);
    for (int i = 0; i < 40 && !reaped; ++i) {  // up to 2 s to stop on its own
      reaped = ::waitpid(pid, &status, WNOHANG) == pid;
      if (!reaped) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  ::kill(-pid, SIGKILL);
  for (pollfd& f : fds) {
    if (f.fd >= 0) ::close(f.fd);
  }
  while (!reaped && ::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  const std::string said = tail(trimmed_end(err.empty() ? out : err), 500);
  const std::string kept = " (its folder " + folder + " is kept)";
  Evaluation e;
  if (timed_out) {
    e = failed("the command ran past its timeout of " + format_double(options_.timeout_seconds) +
               " s and was killed" + kept + (said.empty() ? "" : "; it said: " + said));
  } else if (WIFSIGNALED(status)) {
    e = failed("the command was killed by signal " + std::to_string(WTERMSIG(status)) + " (" +
               strsignal(WTERMSIG(status)) + ")" + kept + (said.empty() ? "" : "; it said: " + said));
  } else if (WEXITSTATUS(status) != 0) {
    e = failed("the command exited with status " + std::to_string(WEXITSTATUS(status)) +
               (WEXITSTATUS(status) == 127 ? " (command not found?)" : "") + kept +
               (said.empty() ? "" : "; it said: " + said));
  } else {
    e = parse_command_output(out);
    if (!e.ok) e.failure += kept;
  }
  e.seconds = seconds;
  if (e.ok) remove_folder(folder);
  return e;
}

}  // namespace mnas
