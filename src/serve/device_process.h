#ifndef MNAS_SERVE_DEVICE_PROCESS_H_
#define MNAS_SERVE_DEVICE_PROCESS_H_

// Test helper: runs the real mnas-device program on a free loopback port, with a token file, and
// stops it with SIGTERM (or SIGKILL) when asked or when the helper goes out of scope.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <regex>
#include <stdexcept>
#include <string>
#include <thread>

namespace mnas::testing {

class DeviceProcess {
 public:
  // `binary`: mnas-device (or a wrapper such as qemu plus the binary, given as `prefix`).
  DeviceProcess(const std::string& binary, const std::string& token, const std::string& name,
                const std::vector<std::string>& extra_args = {}, const std::string& port = "0")
      : base_("/tmp/mnas_device_" + std::to_string(::getpid()) + "_" + name) {
    token_file_ = base_ + ".token";
    std::ofstream(token_file_) << token << "\n";
    start(binary, extra_args, port);
  }
  ~DeviceProcess() {
    stop(SIGKILL);
    for (const std::string& f : {token_file_, base_ + ".out", base_ + ".err"}) {
      std::remove(f.c_str());
    }
  }
  DeviceProcess(const DeviceProcess&) = delete;
  DeviceProcess& operator=(const DeviceProcess&) = delete;

  const std::string& url() const { return url_; }
  const std::string& token_file() const { return token_file_; }
  int port() const { return std::stoi(url_.substr(url_.rfind(':') + 1)); }
  std::string out() const { return slurp(base_ + ".out"); }
  std::string err() const { return slurp(base_ + ".err"); }

  // Sends `signal` and waits; returns the exit status as waitpid gives it (-1 if not running).
  int stop(int signal = SIGTERM) {
    if (pid_ <= 0) return -1;
    kill(pid_, signal);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }

  // Starts it again on the same port (after stop()).
  void restart(const std::string& binary, const std::vector<std::string>& extra_args = {}) {
    start(binary, extra_args, std::to_string(port()));
  }

 private:
  static std::string slurp(const std::string& path) {
    std::ifstream in(path);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }

  void start(const std::string& binary, const std::vector<std::string>& extra_args,
             const std::string& port) {
    std::remove((base_ + ".out").c_str());
    std::vector<std::string> args;
    // "qemu-aarch64-static -L SYSROOT path/mnas-device": a command with its arguments.
    size_t start = 0;
    while (start < binary.size()) {
      const size_t space = binary.find(' ', start);
      const size_t end = space == std::string::npos ? binary.size() : space;
      if (end > start) args.push_back(binary.substr(start, end - start));
      start = end + 1;
    }
    for (const std::string& a :
         {std::string("--bind"), "127.0.0.1:" + port, std::string("--token-file"), token_file_}) {
      args.push_back(a);
    }
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      std::freopen((base_ + ".out").c_str(), "w", stdout);
      std::freopen((base_ + ".err").c_str(), "a", stderr);
      std::vector<char*> argv;
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execvp(argv[0], argv.data());
      _exit(127);
    }
    // Wait (up to 60 s: under qemu the start is slow) for the address line.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    url_.clear();
    while (url_.empty() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      std::smatch m;
      const std::string text = out();
      if (std::regex_search(text, m, std::regex("listening on (http://127\\.0\\.0\\.1:[0-9]+)"))) {
        url_ = m[1];
      }
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        throw std::runtime_error("mnas-device exited at start: " + err());
      }
    }
    if (url_.empty()) throw std::runtime_error("mnas-device printed no address: " + err());
  }

  std::string base_, token_file_, url_;
  pid_t pid_ = -1;
};

}  // namespace mnas::testing

#endif  // MNAS_SERVE_DEVICE_PROCESS_H_
