#ifndef MNAS_CLI_CLI_TEST_UTIL_H_
#define MNAS_CLI_CLI_TEST_UTIL_H_

// Test helper: runs the real `mnas` binary (MNAS_BINARY) through the shell and captures its
// output and exit code.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

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
  const std::string out = temp_path("out"), err = temp_path("err");
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

[[maybe_unused]] nlohmann::json run_json(const std::string& args) {
  const Result r = run_mnas(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return nlohmann::json::parse(r.out);
}

}  // namespace

#endif  // MNAS_CLI_CLI_TEST_UTIL_H_
