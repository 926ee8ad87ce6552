#ifndef MNAS_SEARCH_SEARCH_RUN_H_
#define MNAS_SEARCH_SEARCH_RUN_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "latency/device.h"
#include "search/latency_check.h"
#include "search/latency_objective.h"
#include "search/search_loop.h"
#include "search/search_session.h"
#include "search/search_setup.h"
#include "search/strategy.h"

namespace mnas {

// What one run of a search needs beyond its stored configuration (none of it is stored).
struct SearchRunOptions {
  EvaluatorRuntime runtime;  // data, threads, training device, work folder
  DeviceAccess devices;      // the devices' tokens, retries and timeout
  // Where trials run when not in this process (mpi/'s MpiTrialRunner: MPI ranks), given the
  // latency objective (nullptr in a table space); unset: here, or the table's lookups.
  std::function<std::unique_ptr<TrialRunner>(LatencyObjective*)> make_runner;
  // Warnings of the latency check (predicted latency drifting); unset: none are said.
  std::function<void(const std::string&)> warn;
};

// One run of a search, assembled the same way for every front end (`mnas search`, a library
// user): the evaluator and the latency objective from the configuration, the devices checked,
// then — once the session has begun — the runner, the strategy and the loop's options, and the
// search with its zoo references. In the order a front end calls it:
//   SearchRun run(session, options);     // builds; throws mnas::Error for what cannot be built
//   run.check_devices();                 // DeviceUnreachable when a device does not answer
//   session.begin(...); run.prepare(session, trials, budget);
//   run.search(...); run.references(...);  // DeviceUnreachable when a device goes away
class SearchRun {
 public:
  SearchRun(const SearchSession& session, SearchRunOptions options);
  ~SearchRun();
  SearchRun(const SearchRun&) = delete;
  SearchRun& operator=(const SearchRun&) = delete;

  // What each device says of itself; on a resumed search also whether they are the kind its
  // trials were timed on (device_identity.h: another kind throws mnas::Error before anything is
  // written, another machine of the kind is a note in `notes`). Throws DeviceUnreachable. None
  // for a table space or the surrogate's latency.
  std::vector<std::pair<std::string, DeviceInfo>> check_devices(SearchSession& session,
                                                                std::vector<std::string>* notes);

  // After session.begin(): the runner, the strategy and the loop's options for `trials` trials
  // and a budget of `time_budget_seconds` (0: none).
  void prepare(SearchSession& session, int64_t trials, double time_budget_seconds);

  // Runs the search until its length or budget, or until `stop` turns true. Throws
  // DeviceUnreachable when a device goes away (what finished is stored).
  void search(SearchSession& session, const std::function<void(const SearchProgress&)>& progress,
              const std::atomic<bool>* stop);
  // Then the zoo `references` (a table space: its optimum, when any are asked), each reported
  // as it is stored; none start once `stop` turns true. Throws DeviceUnreachable.
  void references(SearchSession& session, const std::vector<std::string>& names,
                  const std::function<void(const StoredReference&, int, int)>& progress,
                  const std::atomic<bool>* stop);

  // "proxy (fashion-mnist, ...)", "synthetic-surrogate", "cmd: COMMAND", "table:cifar10 (...)".
  std::string evaluator_name() const;
  // The configuration's evaluator, built in this process; null for a table space and for an
  // external evaluator (its trials are told, search/ask_tell.h).
  Evaluator* evaluator() const { return evaluator_.get(); }
  const Strategy& strategy() const { return *strategy_; }
  const SearchOptions& options() const { return options_; }
  const SearchTimes& times() const { return times_; }

 private:
  const SearchConfig& config_;
  SearchRunOptions run_options_;
  bool table_ = false;
  std::unique_ptr<Evaluator> evaluator_;
  std::unique_ptr<LatencyObjective> objective_;
  std::unique_ptr<TrialRunner> runner_;
  std::unique_ptr<Strategy> strategy_;
  std::unique_ptr<LatencyCheck> latency_check_;
  SearchOptions options_;
  SearchTimes times_;
};

}  // namespace mnas

#endif  // MNAS_SEARCH_SEARCH_RUN_H_
