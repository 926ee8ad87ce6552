#include "base/subprocess.h"

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "base/error.h"
#include "base/json_fields.h"
#include "base/number_format.h"

namespace mnas {
namespace {

constexpr size_t kKeepStdout = 64 * 1024;  // a result line is near the end
constexpr size_t kKeepStderr = 4 * 1024;

// Appends, and keeps the last `keep` bytes once twice that is held; true when bytes were dropped.
bool append_bounded(std::string& buffer, const char* data, size_t n, size_t keep) {
  buffer.append(data, n);
  if (buffer.size() <= 2 * keep) return false;
  buffer.erase(0, buffer.size() - keep);
  return true;
}

// A mark for one run's processes, unique in this machine's lifetime for practical purposes.
std::string new_run_mark() {
  static std::atomic<unsigned> runs{0};
  return std::to_string(::getpid()) + "-" + std::to_string(runs++) + "-" +
         std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
}

// SIGKILLs every process whose environment holds `assignment` ("MNAS_COMMAND_RUN=<mark>"): what a
// command left running outside its process group. A few rounds, for children forked meanwhile.
void kill_marked_processes(const std::string& assignment) {
  for (int round = 0; round < 3; ++round) {
    int killed = 0;
    DIR* proc = ::opendir("/proc");
    if (proc == nullptr) return;
    while (const dirent* entry = ::readdir(proc)) {
      const char* name = entry->d_name;
      if (*name < '1' || *name > '9') continue;
      const pid_t pid = static_cast<pid_t>(std::atoi(name));
      if (pid == ::getpid()) continue;
      const int fd = ::open(("/proc/" + std::string(name) + "/environ").c_str(), O_RDONLY);
      if (fd < 0) continue;  // gone, or not ours
      std::string environ;
      char chunk[8192];
      ssize_t n;
      while (environ.size() < (size_t{1} << 20) && (n = ::read(fd, chunk, sizeof chunk)) > 0) {
        environ.append(chunk, static_cast<size_t>(n));
      }
      ::close(fd);
      const size_t at = environ.find(assignment);
      const bool whole = at != std::string::npos && (at == 0 || environ[at - 1] == '\0') &&
                         (at + assignment.size() == environ.size() ||
                          environ[at + assignment.size()] == '\0');
      if (whole && ::kill(pid, SIGKILL) == 0) ++killed;
    }
    ::closedir(proc);
    if (killed == 0) return;
  }
}

std::string trimmed_end(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\r'))
    text.pop_back();
  return text;
}

}  // namespace

std::string text_tail(const std::string& text, size_t n) {
  const std::string trimmed = trimmed_end(text);
  if (trimmed.size() <= n) return trimmed;
  std::string t = trimmed.substr(trimmed.size() - n);
  const size_t newline = t.find('\n');
  return newline != std::string::npos && newline + 1 < t.size() ? t.substr(newline + 1) : t;
}

std::string CommandOutcome::failure() const {
  if (timed_out) {
    return "ran past its timeout of " + format_double(timeout_seconds) + " s and was killed";
  }
  if (signal != 0) {
    return "was killed by signal " + std::to_string(signal) + " (" + strsignal(signal) + ")";
  }
  if (exit_code != 0) {
    return "exited with status " + std::to_string(exit_code) +
           (exit_code == 127 ? " (command not found?)" : "");
  }
  return "";
}

std::string CommandOutcome::said() const { return text_tail(err.empty() ? out : err, 500); }

std::string CommandOutcome::cut_note() const {
  if (!out_cut) return "";
  return " (mnas keeps the last " + std::to_string(kKeepStdout / 1024) +
         " KiB of a command's output: a result line longer than that cannot be read; print a "
         "shorter one)";
}

CommandOutcome run_command(const CommandRun& run) {
  const std::string mark = "MNAS_COMMAND_RUN=" + new_run_mark();
  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
    throw Error(std::string("cannot make pipes (") + std::strerror(errno) + ")", Error::Kind::kIo);
  }
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    throw Error(std::string("cannot make pipes (") + std::strerror(errno) + ")", Error::Kind::kIo);
  }
  const pid_t pid = ::fork();
  if (pid < 0) {
    for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) ::close(fd);
    throw Error(std::string("cannot start a process (") + std::strerror(errno) + ")",
                Error::Kind::kIo);
  }
  if (pid == 0) {
    // The child: its own process group (killed whole on a timeout).
    ::setpgid(0, 0);
    const int in = ::open(run.stdin_file.empty() ? "/dev/null" : run.stdin_file.c_str(), O_RDONLY);
    if (in < 0 || ::dup2(in, 0) < 0 || ::dup2(out_pipe[1], 1) < 0 || ::dup2(err_pipe[1], 2) < 0 ||
        ::chdir(run.directory.c_str()) != 0) {
      _exit(127);
    }
    for (const auto& [name, value] : run.environment) ::setenv(name.c_str(), value.c_str(), 1);
    ::putenv(const_cast<char*>(mark.c_str()));  // the child's own copy of `mark`, until exec
    ::signal(SIGPIPE, SIG_DFL);
    ::execl("/bin/sh", "sh", "-c", run.command.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  ::setpgid(pid, pid);  // also here, so that it holds before the parent may kill the group
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);

  CommandOutcome r;
  r.timeout_seconds = run.timeout_seconds;
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + std::chrono::duration<double>(run.timeout_seconds);
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  int open_streams = 2;
  char buf[65536];
  int status = 0;
  bool reaped = false;
  // Once the command itself has exited, what it left in the background may hold its output
  // open for ever (`sleep 300 &`): its output is read for a grace period, not to the timeout.
  constexpr auto kGrace = std::chrono::seconds(2);
  auto exited_at = std::chrono::steady_clock::time_point{};
  while (open_streams > 0) {
    const auto now = std::chrono::steady_clock::now();
    if (!reaped && ::waitpid(pid, &status, WNOHANG) == pid) {
      reaped = true;
      exited_at = now;
    }
    if (reaped && now - exited_at > kGrace) break;
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
    if (left <= 0) {
      r.timed_out = true;
      break;
    }
    const int ready =
        ::poll(fds, 2, static_cast<int>(std::min<long long>(left, reaped ? 100 : 200)));
    if (ready < 0 && errno != EINTR) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        const bool cut = append_bounded(i == 0 ? r.out : r.err, buf, static_cast<size_t>(n),
                                        i == 0 ? kKeepStdout : kKeepStderr);
        if (i == 0) r.out_cut = r.out_cut || cut;
      } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_streams;
      }
    }
  }
  // The command's process group: politely on a timeout, then for sure; also whatever it left
  // running in the background after it exited.
  if (r.timed_out) {
    ::kill(-pid, SIGTERM);
    for (int i = 0; i < 40 && !reaped; ++i) {  // up to 2 s to stop on its own
      reaped = ::waitpid(pid, &status, WNOHANG) == pid;
      if (!reaped) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  ::kill(-pid, SIGKILL);
  kill_marked_processes(mark);
  for (pollfd& f : fds) {
    if (f.fd >= 0) ::close(f.fd);
  }
  while (!reaped && ::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!r.timed_out) {
    if (WIFSIGNALED(status)) {
      r.signal = WTERMSIG(status);
    } else {
      r.exit_code = WEXITSTATUS(status);
    }
  }
  return r;
}

std::optional<JsonLine> last_json_object_line(const std::string& output) {
  size_t end = output.size();
  while (end > 0) {
    size_t start = output.rfind('\n', end - 1);
    start = start == std::string::npos ? 0 : start + 1;
    const std::string line = trimmed_end(output.substr(start, end - start));
    end = start == 0 ? 0 : start - 1;
    const size_t brace = line.find('{');
    if (brace == std::string::npos) continue;
    try {
      nlohmann::json j = json_fields::parse(line.substr(brace), "result line");
      if (j.is_object()) return JsonLine{std::move(j), line};
    } catch (const Error&) {
      // not JSON: the command's own output
    }
  }
  return std::nullopt;
}

std::string make_temp_folder(const std::string& root, const std::string& prefix) {
  std::string base = root;
  if (base.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    base = tmp && *tmp ? tmp : "/tmp";
  }
  std::string pattern = base + "/" + prefix + "XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (::mkdtemp(buf.data()) == nullptr) {
    throw Error("work folder '" + base + "': cannot make a folder there (" +
                    std::strerror(errno) + ")",
                Error::Kind::kIo);
  }
  return buf.data();
}

void remove_tree(const std::string& path) {
  // Depth first, links not followed, staying on this file system: removes what is there and
  // nothing a link points at.
  ::nftw(
      path.c_str(),
      [](const char* p, const struct stat*, int, struct FTW*) {
        ::remove(p);
        return 0;
      },
      16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

}  // namespace mnas
