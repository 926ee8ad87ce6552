#ifndef MNAS_SEARCH_ASK_TELL_H_
#define MNAS_SEARCH_ASK_TELL_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "search/search_config.h"
#include "search/search_run.h"
#include "search/strategy.h"
#include "store/trial.h"

namespace mnas {

// A trial handed to the caller of an ask/tell search, to evaluate and tell.
struct AskedTrial {
  int64_t id = 0;  // this session's handle for tell(); the store keys it by step and index
  int step = 0, index = 0;
  int rung = -1;   // the multi-fidelity rung (0 = the first), -1 without rungs
  int rungs = 0;   // how many rungs the search has (0 without)
  TrialTask task;  // the training budget (0: the full one) and whether latency is measured
  Proposal proposal;
};

// What the caller found for an asked trial.
struct ToldResult {
  bool ok = true;
  std::string failure;  // why it failed, when !ok
  double accuracy = 0;  // in [0, 1]
  // The latency in ms, told by the caller: required where the search's latency is the
  // evaluator's or the caller's (latency "surrogate", "told") at a trial that measures latency;
  // refused where mnas measures or predicts it on the search's devices.
  std::optional<double> latency_ms;
  std::string metrics_json;  // a JSON object of name → number (top-5, loss), or ""
  double seconds = -1;       // the evaluation's wall time; < 0: the time from ask to tell
};

// What an ask/tell search needs besides its configuration.
struct AskTellOptions {
  std::optional<int64_t> trials;  // the length; unset: the stored one, or kDefaultTrials
  double time_budget_seconds = 0;  // no trial is asked after this long; 0: none
  EvaluatorRuntime runtime;        // for evaluate() with the configuration's own evaluator
  DeviceAccess devices;            // the devices' tokens, retries and timeout
};

// The search loop of `mnas search` with the evaluations done by the caller: ask() hands out the
// trials the strategy proposes, tell() takes each one's result, mnas measures its latency on the
// search's devices as the CLI does, computes the reward and stores the trial at once; after the
// last trial of a step the strategy learns and its state is stored. The store is the one
// `mnas search` writes: it resumes this search and this resumes its searches (a resume
// re-proposes an unfinished step, and trials already stored are not asked again). The loop runs
// in a thread of its own between ask and tell; every call here is thread-safe.
class AskTellSearch {
 public:
  // A new search (resume false: `path` must not exist; `request` holds the chosen configuration
  // fields, search_config_fields.h's JSON, the library's policies decide the rest, and a request
  // without "evaluator" gets "external") or a resumed one (resume true: `request` may only
  // repeat the stored configuration). Throws mnas::Error naming the request's field or the file,
  // DeviceUnreachable when a device does not answer; a refused new search leaves no file.
  AskTellSearch(const std::string& path, bool resume, const nlohmann::json& request,
                AskTellOptions options);
  // Stops the loop: trials asked and not told are dropped (a resume asks them again); every
  // told trial is already stored.
  ~AskTellSearch();
  AskTellSearch(const AskTellSearch&) = delete;
  AskTellSearch& operator=(const AskTellSearch&) = delete;

  // Up to `n` trials to evaluate, as the strategy proposed them. Empty when the search is over
  // (its length or time budget reached, every trial told). When every trial it can give now is
  // out (the strategy waits for a step's results), `wait` says whether to wait for other
  // threads to tell (until `deadline_seconds` from now; < 0: no limit); without waiting that
  // throws mnas::Error about "ask". Rethrows what stopped the loop (a device gone away).
  std::vector<AskedTrial> ask(int n, bool wait, double deadline_seconds = -1);
  // Stores the result of asked trial `id` (after measuring its latency when the search does);
  // returns once it is stored. Throws mnas::Error about "trial" for an id not out, about
  // "accuracy", "latency_ms" or "metrics" for a result it cannot take (the trial stays out).
  void tell(int64_t id, const ToldResult& result);
  // The same trial evaluated in this process by the configuration's evaluator (the surrogate, the
  // proxy, a command): its result as tell() takes it. Throws mnas::Error for an external one.
  ToldResult evaluate(const AskedTrial& trial);

  // Whether no trial will be asked any more (the length or the budget reached, or closed).
  bool finished() const;
  // The trials asked and not told.
  std::vector<AskedTrial> pending() const;
  // Ends the loop now (as the destructor); ask() then returns nothing and tell() refuses.
  void close();

  const SearchConfig& config() const;
  int64_t length() const;  // the trials the search goes to
  const std::string& path() const;
  bool is_new() const;  // created by this object (not resumed)
  std::string evaluator_name() const;
  // What the search said since the last call: a resumed search's device notes, the latency
  // check's drift warnings.
  std::vector<std::string> take_warnings();

  struct State;  // shared with the loop's thread and its runner (ask_tell.cc)

 private:
  std::unique_ptr<State> state_;
};

}  // namespace mnas

#endif  // MNAS_SEARCH_ASK_TELL_H_
