#ifndef MNAS_CLI_CLI_TEST_UTIL_H_
#define MNAS_CLI_CLI_TEST_UTIL_H_

// Test helper: runs the real `mnas` binary (MNAS_BINARY) through the shell and captures its
// output and exit code.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

namespace {

struct Result {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string temp_path(const std::string& name) {
  const char* dir = std::getenv("TMPDIR");
  return std::string(dir ? dir : "/tmp") + "/mnas_cli_test_" + std::to_string(::getpid()) + "_" +
         name;
}

// `args` is passed to /bin/sh; quote accordingly.
Result run_mnas(const std::string& args) {
  static std::atomic<int> calls{0};  // own output files per call: calls may run in parallel
  const std::string n = std::to_string(calls++);
  const std::string out = temp_path("out" + n), err = temp_path("err" + n);
  const std::string command = std::string(MNAS_BINARY) + " " + args + " >" + out + " 2>" + err;
  const int status = std::system(command.c_str());
  Result r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  std::remove(out.c_str());
  std::remove(err.c_str());
  return r;
}

// Runs every command line, `parallel` at a time (each one is mostly LibTorch's start-up, so
// running them side by side saves most of a test's time); the results in the same order.
[[maybe_unused]] std::vector<Result> run_mnas_all(const std::vector<std::string>& args,
                                                  int parallel = 4) {
  std::vector<Result> results(args.size());
  std::atomic<size_t> next{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < parallel; ++w) {
    workers.emplace_back([&] {
      for (size_t i = next++; i < args.size(); i = next++) results[i] = run_mnas(args[i]);
    });
  }
  for (std::thread& t : workers) t.join();
  return results;
}

[[maybe_unused]] nlohmann::json run_json(const std::string& args) {
  const Result r = run_mnas(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return nlohmann::json::parse(r.out);
}

}  // namespace

#endif  // MNAS_CLI_CLI_TEST_UTIL_H_
