#include "search/command_evaluator.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>

#include "base/error.h"
#include "space/zoo.h"

namespace mnas {
namespace {

Architecture small() { return zoo_model("mnasnet-small", ZooOptions{{28, 28, 1}, 10, 1.0}); }

Evaluation run(const std::string& command, double timeout = 30) {
  CommandEvaluatorOptions o;
  o.command = command;
  o.timeout_seconds = timeout;
  CommandEvaluator evaluator(o);
  return evaluator.evaluate(small());
}

// run(), and how long it took in `seconds`.
Evaluation timed_run(const std::string& command, double timeout, double& seconds) {
  const auto start = std::chrono::steady_clock::now();
  Evaluation e = run(command, timeout);
  seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return e;
}

bool exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

// The folder a failure names: "... (its folder /tmp/mnas-trial-XXXXXX is kept)".
std::string kept_folder(const std::string& failure) {
  const size_t at = failure.find("its folder ");
  if (at == std::string::npos) return "";
  const size_t start = at + 11;
  return failure.substr(start, failure.find(' ', start) - start);
}

// Removes the folder a failure names as kept; whether there was one.
bool remove_kept_folder(const std::string& failure) {
  const std::string folder = kept_folder(failure);
  if (folder.empty() || !exists(folder)) return false;
  std::system(("rm -rf '" + folder + "'").c_str());
  return true;
}

TEST(CommandEvaluator, ReadsTheLastResultLineAndKeepsTheOtherNumbers) {
  const Evaluation e = run(
      "cat > /dev/null; echo 'epoch 1 loss 2.3'; echo '{\"accuracy\": 0.25}'; "
      "echo '{\"accuracy\": 0.5, \"loss\": 1.5, \"top5\": 0.9}'; echo done");
  ASSERT_TRUE(e.ok) << e.failure;
  EXPECT_DOUBLE_EQ(e.accuracy, 0.5);
  EXPECT_EQ(e.metrics_json, R"({"loss":1.5,"top5":0.9})");
  EXPECT_GT(e.seconds, 0);
}

TEST(CommandEvaluator, GivesTheTrialOnStdinAndInAFileInItsOwnFolder) {
  // The file and stdin hold the same JSON; the working folder is the trial's and goes after.
  const Evaluation e =
      run("test \"$PWD\" = \"$MNAS_WORKDIR\" && cmp -s - \"$MNAS_TRIAL_FILE\" && "
          "grep -q '\"format\": \"mnas-trial/1\"' trial.json && grep -q '\"classes\": 10' "
          "trial.json && "
          "grep -q '\"canonical\": \"input=28x28x1:' trial.json && echo \"{\\\"accuracy\\\": 0.75, "
          "\\\"folder_len\\\": ${#PWD}}\" && echo \"$PWD\" > /tmp/mnas_cmd_eval_test_folder");
  ASSERT_TRUE(e.ok) << e.failure;
  EXPECT_DOUBLE_EQ(e.accuracy, 0.75);
  std::string folder;
  {
    FILE* f = std::fopen("/tmp/mnas_cmd_eval_test_folder", "r");
    ASSERT_NE(f, nullptr);
    char buf[512] = {};
    ASSERT_NE(std::fgets(buf, sizeof buf, f), nullptr);
    std::fclose(f);
    folder = buf;
    folder.pop_back();
  }
  EXPECT_FALSE(exists(folder)) << folder << " should be removed after a trial that succeeded";
  std::remove("/tmp/mnas_cmd_eval_test_folder");
}

TEST(CommandEvaluator, EveryWayOfFailingIsAFailedTrialWithItsReason) {
  struct Case {
    const char* what;
    std::string command;
    std::string reason;
  };
  const Case cases[] = {
      {"non-zero exit", "echo 'CUDA out of memory' >&2; exit 3",
       "exited with status 3 (its folder"},
      {"non-zero exit, stderr quoted", "echo 'CUDA out of memory' >&2; exit 3",
       "it said: CUDA out of memory"},
      {"no such command", "nonexistent-trainer-xyz --epochs 1", "status 127 (command not found?)"},
      {"killed", "kill -9 $$", "killed by signal 9"},
      {"garbage", "echo hello; echo '{not json'", "no result line"},
      {"no output", "true",
       "no result line: the command printed no JSON object with "
       "\"accuracy\" (no output at all)"},
      {"a percentage", "echo '{\"accuracy\": 87.5}'",
       "not in [0, 1] (a fraction, not a percentage)"},
      {"no accuracy", "echo '{\"acc\": 0.5}'", "no \"accuracy\""},
      {"text metric", "echo '{\"accuracy\": 0.5, \"note\": \"fine\"}'", "note: expected a number"},
      {"NaN", "echo '{\"accuracy\": NaN}'", "no result line"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    const Evaluation e = run(c.command);
    EXPECT_FALSE(e.ok);
    EXPECT_NE(e.failure.find(c.reason), std::string::npos) << e.failure;
    EXPECT_TRUE(remove_kept_folder(e.failure)) << e.failure;
  }
}

TEST(CommandEvaluator, ACommandPastItsTimeoutIsKilledWithItsChildren) {
  double seconds = 0;
  const Evaluation e = timed_run("sleep 60 & sleep 60; echo '{\"accuracy\": 1}'", 0.5, seconds);
  EXPECT_FALSE(e.ok);
  EXPECT_NE(e.failure.find("ran past its timeout of 0.5 s and was killed"), std::string::npos)
      << e.failure;
  EXPECT_LT(seconds, 20);  // not the command's 60 s (a bound, not a timing)
  remove_kept_folder(e.failure);
}

// A command that prints its result and exits while a background child holds its output open
// is done when it exits (and the child is killed), not at its timeout.
TEST(CommandEvaluator, ABackgroundChildHoldingTheOutputDoesNotHoldTheTrial) {
  double seconds = 0;
  const Evaluation e = timed_run("sleep 300 & echo '{\"accuracy\": 0.75}'", 60, seconds);
  EXPECT_TRUE(e.ok) << e.failure;
  EXPECT_DOUBLE_EQ(e.accuracy, 0.75);
  EXPECT_LT(seconds, 30);  // the exit plus a grace of 2 s, not the 60 s timeout (a bound)
}

// A child that left the command's process group (setsid) is killed with the rest when the
// command ends: it outlived mnas before.
TEST(CommandEvaluator, AChildThatLeftTheProcessGroupIsKilledToo) {
  const std::string pid_file =
      "/tmp/mnas_setsid_test_" + std::to_string(::getpid()) + ".pid";
  const Evaluation e = run("setsid sh -c 'echo $$ > " + pid_file +
                               "; exec sleep 300' & sleep 0.3; echo '{\"accuracy\": 0.5}'",
                           60);
  ASSERT_TRUE(e.ok) << e.failure;
  std::ifstream in(pid_file);
  int pid = 0;
  ASSERT_TRUE(in >> pid) << "the background child did not start";
  std::remove(pid_file.c_str());
  // Gone, or dying (a zombie waiting for its new parent, or still exiting after the SIGKILL
  // under load): not sleeping for 300 s.
  const auto state_of = [pid] {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    return std::getline(stat, line) ? line.substr(line.rfind(')') + 2, 1) : std::string("gone");
  };
  std::string state = state_of();
  for (int i = 0; i < 100 && state != "gone" && state != "Z" && state != "X"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    state = state_of();
  }
  EXPECT_TRUE(state == "gone" || state == "Z" || state == "X")
      << "pid " << pid << " is in state " << state;
  if (state != "gone" && state != "Z" && state != "X") ::kill(pid, SIGKILL);
}

// A result line longer than what mnas keeps of a command's output: the failure says why.
TEST(CommandEvaluator, AResultLineLongerThanWhatIsKeptIsExplained) {
  const Evaluation e = run("printf '{\"accuracy\": 0.5, \"note\": \"'; head -c 200000 /dev/zero | "
                           "tr '\\0' 'x'; echo '\"}'");
  ASSERT_FALSE(e.ok);
  EXPECT_NE(e.failure.find("a result line longer than that cannot be read"), std::string::npos)
      << e.failure.substr(0, 300);
}

TEST(CommandEvaluator, OutputIsBoundedAndAResultAfterMuchOfItIsFound) {
  const Evaluation e =
      run("head -c 20000000 /dev/zero | tr '\\0' 'x'; echo; echo '{\"accuracy\": 0.5}'");
  ASSERT_TRUE(e.ok) << e.failure.substr(0, 300);
  EXPECT_DOUBLE_EQ(e.accuracy, 0.5);
}

TEST(CommandEvaluator, RefusesAnEmptyCommandOrTimeout) {
  CommandEvaluatorOptions o;
  EXPECT_THROW(CommandEvaluator{o}, Error);
  o.command = "true";
  o.timeout_seconds = 0;
  EXPECT_THROW(CommandEvaluator{o}, Error);
}

}  // namespace
}  // namespace mnas
