// Crash safety of the real process: `mnas search` is killed with SIGKILL at random moments and
// resumed each time; the final store must equal an uninterrupted run's (the surrogate evaluator is
// deterministic), with every trial present once.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include "base/error.h"
#include "cli/cli_test_util.h"
#include "latency/lookup_table.h"
#include "store/store.h"

namespace {

constexpr int kTrials = 600;

// Starts `mnas search ...` with stdout discarded and stderr to `log`; returns its pid.
pid_t start_search(const std::vector<std::string>& args, const std::string& log = "/dev/null") {
  std::fflush(stdout);  // the child must not repeat what the parent has buffered
  const pid_t pid = ::fork();
  if (pid == 0) {
    std::freopen("/dev/null", "w", stdout);
    std::freopen(log.c_str(), "w", stderr);
    std::vector<char*> argv;
    static std::string binary = MNAS_BINARY;
    argv.push_back(binary.data());
    std::vector<std::string> copy = args;
    for (std::string& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
  }
  return pid;
}

std::vector<std::string> search_args(const std::string& store, bool resume) {
  std::vector<std::string> a = {"search",
                                "--store",
                                store,
                                "--evaluator",
                                "surrogate",
                                "--trials",
                                std::to_string(kTrials),
                                "--batch",
                                "8",
                                "--strategy",
                                "ppo",
                                "--seed",
                                "7"};
  if (resume) a.push_back("--resume");
  return a;
}

void remove_store(const std::string& store) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((store + suffix).c_str());
  std::remove((store.substr(0, store.rfind('.')) + ".html").c_str());
}

int64_t stored_trials(const std::string& store) {
  try {
    return mnas::Store(store, mnas::Store::Mode::kReadOnly).trial_count();
  } catch (const mnas::Error&) {
    return 0;  // not created yet
  }
}

TEST(SearchKill, ResumesAfterSigkillsWithEveryTrialOnceAndTheUninterruptedResult) {
  const std::string reference = temp_path("uninterrupted.db"), killed = temp_path("killed.db");
  remove_store(reference);
  remove_store(killed);
  Result r = run_mnas("search --store " + reference + " --evaluator surrogate --trials " +
                      std::to_string(kTrials) + " --batch 8 --strategy ppo --seed 7");
  ASSERT_EQ(r.exit_code, 0) << r.err;

  std::mt19937 rng(20261125);
  std::uniform_int_distribution<int> delay_ms(0, 800);
  int kills = 0, attempts = 0;
  bool first = true;
  while (kills < 5 && attempts < 40) {
    ++attempts;
    const int64_t before = first ? -1 : stored_trials(killed);
    const pid_t pid = start_search(search_args(killed, !first));
    // The kill lands a random moment after the search got going — it has its store, or stored a
    // trial more than it had — not a fixed time after the start: a loaded machine takes seconds
    // just to start the process.
    int status = 0;
    bool reaped = false;
    for (int i = 0; i < 3000 && !reaped; ++i) {
      if (first ? std::ifstream(killed).good() : stored_trials(killed) > before) break;
      reaped = ::waitpid(pid, &status, WNOHANG) == pid;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (!reaped) {
      std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
    }
    if (std::ifstream(killed).good()) first = false;
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) {
      ++kills;
      const int64_t stored = first ? 0 : mnas::Store(killed).trial_count();
      std::printf("kill %d: %lld trials stored\n", kills, static_cast<long long>(stored));
    } else {
      ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
      break;  // it finished before the kill: the remaining kills cannot land
    }
  }
  EXPECT_GE(kills, 5) << "the search finished before 5 kills landed; raise kTrials";
  r = run_mnas("search --resume --store " + killed + " --trials " + std::to_string(kTrials));
  ASSERT_EQ(r.exit_code, 0) << r.err;

  mnas::Store a(reference), b(killed);
  const std::vector<mnas::StoredTrial> ta = a.trials(), tb = b.trials();
  ASSERT_EQ(tb.size(), static_cast<size_t>(kTrials));
  std::set<std::pair<int, int>> proposals;
  for (size_t i = 0; i < tb.size(); ++i) {
    EXPECT_EQ(tb[i].id, static_cast<int64_t>(i + 1));  // none skipped, none repeated
    proposals.insert({tb[i].step, tb[i].index});
  }
  EXPECT_EQ(proposals.size(), tb.size());
  ASSERT_EQ(ta.size(), tb.size());
  for (size_t i = 0; i < ta.size(); ++i) {  // the uninterrupted run's trials, one for one
    EXPECT_EQ(ta[i].canonical, tb[i].canonical) << "trial " << i + 1;
    EXPECT_EQ(ta[i].tokens, tb[i].tokens) << "trial " << i + 1;
    EXPECT_EQ(ta[i].reward, tb[i].reward) << "trial " << i + 1;
    EXPECT_EQ(ta[i].cached, tb[i].cached) << "trial " << i + 1;
  }
  EXPECT_EQ(a.references().size(), 5u);
  ASSERT_EQ(b.references().size(), a.references().size());
  for (size_t i = 0; i < a.references().size(); ++i)
    EXPECT_EQ(a.references()[i].reward, b.references()[i].reward);
  remove_store(reference);
  remove_store(killed);
}


// Ctrl-C stops after the trial in progress, says what was kept and how to continue, and exits
// 130; the store is whole and resumes. A second Ctrl-C stops at once.
TEST(SearchKill, CtrlCStopsCleanlyAndASecondOneAtOnce) {
  const std::string store = temp_path("ctrlc.db"), log = temp_path("ctrlc.log");
  remove_store(store);
  std::vector<std::string> args = {"search",    "--store",      store,    "--evaluator",
                                   "surrogate", "--trials",     "100000", "--batch",
                                   "8",         "--references", "none"};
  pid_t pid = start_search(args, log);
  for (int i = 0; i < 300 && stored_trials(store) < 20; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_GE(stored_trials(store), 20);
  ::kill(pid, SIGINT);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 130);
  const std::string err = slurp(log);
  EXPECT_NE(err.find("search stopped by Ctrl-C (SIGINT)"), std::string::npos) << err;
  EXPECT_NE(err.find("--resume"), std::string::npos) << err;
  const int64_t kept = stored_trials(store);
  EXPECT_EQ(mnas::Store(store, mnas::Store::Mode::kReadOnly).trials().size(),
            static_cast<size_t>(kept));
  const Result resumed = run_mnas("search --resume --store " + store + " --trials " +
                                  std::to_string(kept + 9) + " --references none");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(stored_trials(store), kept + 9);

  // Twice: the second signal ends it at once (by the signal), the store still whole.
  args.push_back("--resume");
  pid = start_search(args, log);
  const int64_t before = stored_trials(store);
  for (int i = 0; i < 300 && stored_trials(store) < before + 10; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(pid, SIGINT);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ::kill(pid, SIGINT);
  ::waitpid(pid, &status, 0);
  EXPECT_TRUE((WIFSIGNALED(status) && WTERMSIG(status) == SIGINT) ||
              (WIFEXITED(status) && WEXITSTATUS(status) == 130))
      << status;
  EXPECT_NO_THROW(mnas::Store(store, mnas::Store::Mode::kReadOnly).trials());
  remove_store(store);
  std::remove(log.c_str());
}

bool exists(const std::string& path) { return std::ifstream(path).good(); }

// Starts `mnas ARGS` (its output in `log`), sends it one SIGINT once `path` (what it writes
// first) exists, waiting up to `seconds`, and expects it to exit with 130: stopped by Ctrl-C.
// Its output; "" with a failure recorded when it did not stop so.
std::string output_after_one_ctrl_c(const std::vector<std::string>& args, const std::string& path,
                                    const std::string& log, int seconds) {
  std::remove(path.c_str());
  const pid_t pid = start_search(args, log);
  for (int i = 0; i < seconds * 50 && !exists(path); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (!exists(path)) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    ADD_FAILURE() << path << " was not written within " << seconds << " s: " << slurp(log);
    return "";
  }
  ::kill(pid, SIGINT);
  int status = 0;
  ::waitpid(pid, &status, 0);
  const std::string output = slurp(log);
  std::remove(log.c_str());
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 130) {
    ADD_FAILURE() << "wait status " << status << ", not exit 130: " << output;
    return "";
  }
  return output;
}

// Ctrl-C during `lut build` stops once the entries measured so far are saved: the table loads.
TEST(SearchKill, CtrlCStopsALookupTableBuildAtASavedPoint) {
  const std::string table = temp_path("ctrlc_lut.json");
  const std::string err =
      output_after_one_ctrl_c({"lut", "build", "--out", table, "--runs", "3", "--min-secs", "0",
                               "--max-secs", "0.05", "--calibration-samples", "1000"},
                              table, temp_path("ctrlc_lut.log"), 30);
  EXPECT_NE(err.find("lut build stopped by Ctrl-C (SIGINT)"), std::string::npos) << err;
  EXPECT_NE(err.find("the same command resumes"), std::string::npos) << err;
  EXPECT_NO_THROW(mnas::LookupTable::load(table));
  std::remove(table.c_str());
}

// Ctrl-C during `train` abandons the epoch in progress; the checkpoint keeps the finished ones.
TEST(SearchKill, CtrlCStopsTrainingWithTheCheckpointOfTheFinishedEpochs) {
  if (!exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")) {
    GTEST_SKIP() << "dataset-fashion-mnist is not installed (scripts/setup.sh installs it)";
  }
  const std::string ckpt = temp_path("ctrlc.ckpt");
  const std::string err =
      output_after_one_ctrl_c({"train", "mnasnet-small", "--epochs", "50", "--train-images", "256",
                               "--holdout", "64", "--threads", "1", "--out", ckpt},
                              ckpt, temp_path("ctrlc_train.log"), 60);
  EXPECT_NE(err.find("training stopped by Ctrl-C (SIGINT) during epoch"), std::string::npos) << err;
  EXPECT_NE(err.find("--resume " + ckpt), std::string::npos) << err;
  std::remove(ckpt.c_str());
}

}  // namespace
