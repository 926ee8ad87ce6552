#include "search/ask_tell.h"

#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

#include "base/printable.h"
#include "latency/device.h"
#include "search/new_search.h"
#include "search/scoring.h"
#include "search/search_config_fields.h"
#include "search/search_session.h"
#include "store/trial_latencies.h"

namespace mnas {
namespace {

using Clock = std::chrono::steady_clock;

// Thrown by the runner into the loop when the search is closed with nothing left to store: it
// unwinds run_search (every told trial is stored by then) and ends the loop's thread quietly.
struct Closing {};

// The configuration a request makes: over the defaults and the library's policies for a new
// search (a request without an evaluator is the caller's: "external"), over the stored
// configuration on a resume (SearchSession then insists it is the same search).
SearchConfig configure(const SearchConfig& base, bool resume, const nlohmann::json& request,
                       const AskTellOptions& o) {
  SearchConfig c = base;
  std::vector<std::string> given = apply_search_request(c, request, "config");
  if (!c.table_space.empty()) {
    throw Error::about("config.table_space",
                       "a table space (nb201) looks every trial up, there is nothing to tell: "
                       "search it with `mnas search --space nb201`");
  }
  if (!resume) {
    if (!request.contains("evaluator")) {
      c.evaluator = "external";
      given.push_back("evaluator");
    }
    SearchChoices chosen = choices_from_fields(given);
    chosen.trials = o.trials.has_value();
    chosen.time_budget = o.time_budget_seconds > 0;
    c = new_search_config(c, chosen, o.trials.value_or(kDefaultTrials));
  }
  validate(c);
  return c;
}

bool latency_is_told(const SearchConfig& c) {
  return c.latency == "surrogate" || c.latency == "told";
}

}  // namespace

struct AskTellSearch::State {
  std::string path;
  AskTellOptions options;
  std::optional<SearchSession> session;
  std::unique_ptr<SearchRun> run;
  int64_t length = 0;
  bool is_new = true;
  LatencyObjective* objective = nullptr;  // the run's, handed to the runner
  std::mutex evaluate_mutex;              // one evaluate() at a time: evaluators keep state

  // Shared by the caller's threads and the loop's, under `mutex`.
  // What the loop's thread is doing: its own work, starting a batch's trials (one start() after
  // another), waiting for a told result, or nothing any more.
  enum class Loop { kBusy, kStarting, kWaiting, kEnded };
  struct Out {
    int ticket = 0;  // the loop's handle (the proposal's index in its step)
    AskedTrial trial;
    Clock::time_point asked_at;
  };
  mutable std::mutex mutex;
  std::condition_variable changed;
  std::deque<Out> startable;           // started by the loop, not asked yet
  std::map<int64_t, Out> out;          // asked, not told
  std::deque<std::pair<Out, Evaluation>> told;  // told, not collected by the loop
  int64_t next_id = 1;
  int64_t told_count = 0;  // results told so far
  int64_t collected = 0;   // of which the loop took
  int64_t settled = 0;     // of which the loop has stored (it came back to the runner since)
  Loop loop = Loop::kBusy;
  bool closing = false;
  std::exception_ptr error;  // what ended the loop, when not its end
  std::vector<std::string> warnings;
  std::atomic<bool> stop{false};
  std::thread thread;

  void run_loop();
};

namespace {

// The loop's TrialRunner: start() makes a trial askable, wait() returns the next told one (its
// latency measured here, in the loop's thread, as the CLI's runners do).
class AskTellRunner : public TrialRunner {
 public:
  explicit AskTellRunner(AskTellSearch::State& s) : s_(s) {}
  int capacity() const override { return 1 << 20; }  // every proposal of a step at once

  void start(int ticket, const Proposal& candidate, const TrialTask& task) override {
    std::lock_guard<std::mutex> lock(s_.mutex);
    s_.settled = s_.collected;
    s_.loop = AskTellSearch::State::Loop::kStarting;
    AskTellSearch::State::Out o;
    o.ticket = ticket;
    o.trial.id = s_.next_id++;
    o.trial.step = task.step;
    o.trial.index = ticket;
    o.trial.rung = task.rung;
    o.trial.rungs = static_cast<int>(s_.session->config().fidelity.rungs.size());
    o.trial.task = task;
    o.trial.proposal = candidate;
    s_.startable.push_back(std::move(o));
    s_.changed.notify_all();
  }

  std::pair<int, Evaluation> wait() override {
    std::unique_lock<std::mutex> lock(s_.mutex);
    s_.settled = s_.collected;
    s_.loop = AskTellSearch::State::Loop::kWaiting;
    s_.changed.notify_all();
    s_.changed.wait(lock, [&] { return !s_.told.empty() || s_.closing; });
    if (s_.told.empty()) throw Closing{};
    auto [o, e] = std::move(s_.told.front());
    s_.told.pop_front();
    ++s_.collected;
    s_.loop = AskTellSearch::State::Loop::kBusy;
    lock.unlock();
    if (o.trial.task.latency && s_.objective) {
      e = add_latency(std::move(e), s_.objective, o.trial.proposal.arch);
      e.seconds += e.latency_seconds;
    }
    return {o.ticket, std::move(e)};
  }

 private:
  AskTellSearch::State& s_;
};

}  // namespace

void AskTellSearch::State::run_loop() {
  try {
    run->search(*session, {}, &stop);
  } catch (const Closing&) {
  } catch (...) {
    std::lock_guard<std::mutex> lock(mutex);
    error = std::current_exception();
  }
  std::lock_guard<std::mutex> lock(mutex);
  loop = Loop::kEnded;
  settled = collected;
  changed.notify_all();
}

AskTellSearch::AskTellSearch(const std::string& path, bool resume, const nlohmann::json& request,
                             AskTellOptions options)
    : state_(std::make_unique<State>()) {
  State& s = *state_;
  s.path = path;
  s.options = std::move(options);
  if (s.options.trials && *s.options.trials < 1) throw Error::about("trials", "must be ≥ 1");
  if (!(s.options.time_budget_seconds >= 0 && std::isfinite(s.options.time_budget_seconds))) {
    throw Error::about("time_budget", "must be a number of seconds ≥ 0 (0: none)");
  }
  try {
    s.session.emplace(SearchSession::open(path, resume, [&](const SearchConfig& base) {
      return configure(base, resume, request, s.options);
    }));
  } catch (const ConfigurationChanged& e) {
    throw Error::about("config." + e.field(),
                       "differs from the search stored in '" + path +
                           "'; a resumed search keeps its configuration (leave it out or "
                           "repeat it)");
  }
  s.is_new = s.session->is_new();
  SearchRunOptions run_options;
  run_options.runtime = s.options.runtime;
  run_options.devices = s.options.devices;
  State* state = &s;
  run_options.make_runner = [state](LatencyObjective* objective) {
    state->objective = objective;
    return std::make_unique<AskTellRunner>(*state);
  };
  run_options.warn = [state](const std::string& warning) {
    std::lock_guard<std::mutex> lock(state->mutex);
    state->warnings.push_back(warning);
  };
  s.run = std::make_unique<SearchRun>(*s.session, run_options);
  std::vector<std::string> notes;
  s.run->check_devices(*s.session, &notes);
  s.warnings.insert(s.warnings.end(), notes.begin(), notes.end());
  // The store exists from here on (a new one only now that everything above passed).
  s.length = s.session->begin(s.options.trials);
  s.run->prepare(*s.session, s.length, s.options.time_budget_seconds);
  s.thread = std::thread([state] { state->run_loop(); });
}

AskTellSearch::~AskTellSearch() { close(); }

void AskTellSearch::close() {
  State& s = *state_;
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    s.closing = true;
    s.stop = true;
    s.changed.notify_all();
  }
  if (s.thread.joinable()) s.thread.join();
}

std::vector<AskedTrial> AskTellSearch::ask(int n, bool wait, double deadline_seconds) {
  if (n < 1) throw Error::about("n", "must be ≥ 1, not " + std::to_string(n));
  State& s = *state_;
  using Loop = State::Loop;
  std::unique_lock<std::mutex> lock(s.mutex);
  if (s.closing) throw Error::about("ask", "the search is closed");
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(
                                               deadline_seconds < 0 ? 1e9 : deadline_seconds));
  // Until the loop has something to ask (and has started every trial it can: a step is asked
  // whole), has ended, or waits for results that nobody told yet.
  const auto settled = [&] {
    return (!s.startable.empty() && s.loop != Loop::kStarting) || s.loop == Loop::kEnded ||
           (s.loop == Loop::kWaiting && s.told.empty());
  };
  while (true) {
    if (!s.changed.wait_until(lock, deadline, settled)) return {};
    if (!s.startable.empty() || s.loop == Loop::kEnded || !wait) break;
    // Waiting for another thread's tell, which may free the next trials.
    if (!s.changed.wait_until(lock, deadline, [&] {
          return !s.startable.empty() || s.loop != Loop::kWaiting || !s.told.empty();
        })) {
      return {};
    }
  }
  std::vector<AskedTrial> asked;
  while (!s.startable.empty() && static_cast<int>(asked.size()) < n) {
    State::Out o = std::move(s.startable.front());
    s.startable.pop_front();
    o.asked_at = Clock::now();
    asked.push_back(o.trial);
    s.out.emplace(o.trial.id, std::move(o));
  }
  if (!asked.empty()) return asked;
  if (s.loop == Loop::kEnded) {
    if (s.error) std::rethrow_exception(s.error);
    return {};
  }
  throw Error::about("ask", "the " + std::to_string(s.out.size()) +
                                " trial(s) asked are not all told, and the strategy learns from "
                                "them before it proposes more: tell them first (a worker thread "
                                "may ask with wait)");
}

void AskTellSearch::tell(int64_t id, const ToldResult& r) {
  State& s = *state_;
  const SearchConfig& config = s.session->config();
  std::unique_lock<std::mutex> lock(s.mutex);
  if (s.closing) throw Error::about("trial", "the search is closed");
  const auto found = s.out.find(id);
  if (found == s.out.end()) {
    throw Error::about("trial", "trial " + std::to_string(id) +
                                    " is not out: it was told already, or not asked in this "
                                    "session (a resumed search asks its unfinished trials again)");
  }
  const AskedTrial& trial = found->second.trial;
  Evaluation e;
  e.ok = r.ok;
  if (r.ok) {
    if (!(r.accuracy >= 0 && r.accuracy <= 1)) {
      throw Error::about("accuracy", "must be in [0, 1] (a fraction, not a percentage), not " +
                                         std::to_string(r.accuracy));
    }
    e.accuracy = r.accuracy;
    const bool told_latency = latency_is_told(config);
    if (r.latency_ms && !told_latency) {
      throw Error::about("latency_ms", "this search measures latency itself (latency: " +
                                           config.latency + "); leave latency_ms out");
    }
    if (told_latency && trial.task.latency && !r.latency_ms) {
      throw Error::about("latency_ms", "this search's latency is told (latency: " +
                                           config.latency + "): give the trial's latency in ms");
    }
    if (r.latency_ms) {
      if (!(*r.latency_ms > 0 && std::isfinite(*r.latency_ms))) {
        throw Error::about("latency_ms", "must be a number of milliseconds > 0");
      }
      e.latency_ms = *r.latency_ms;
    }
    try {
      e.metrics_json = checked_metrics_text(r.metrics_json, "metrics");
    } catch (const Error& err) {  // "metrics.top5: ..." about that field
      const std::string m = err.what();
      const size_t colon = m.find(": ");
      if (colon == std::string::npos) throw Error::about("metrics", m);
      throw Error::about(m.substr(0, colon), m.substr(colon + 2));
    }
  } else {
    if (r.failure.empty()) throw Error::about("failed", "say why the trial failed");
    e.failure = printable(r.failure, 2000);
  }
  if (r.seconds >= 0 && !std::isfinite(r.seconds)) throw Error::about("seconds", "must be finite");
  e.seconds = r.seconds >= 0 ? r.seconds
                             : std::chrono::duration<double>(Clock::now() -
                                                             found->second.asked_at)
                                   .count();
  s.told.emplace_back(std::move(found->second), std::move(e));
  s.out.erase(found);
  const int64_t mine = ++s.told_count;
  s.changed.notify_all();
  // Returns once the loop has stored it (it came back for more), or ended.
  s.changed.wait(lock, [&] { return s.settled >= mine || s.loop == State::Loop::kEnded; });
  if (s.settled < mine && s.error) std::rethrow_exception(s.error);
}

ToldResult AskTellSearch::evaluate(const AskedTrial& trial) {
  State& s = *state_;
  Evaluator* evaluator = s.run->evaluator();
  if (!evaluator) {
    throw Error::about("evaluator", "external: this search's trials are evaluated by you; tell "
                                    "their results");
  }
  std::lock_guard<std::mutex> lock(s.evaluate_mutex);
  const Evaluation e = evaluate_trial(*evaluator, nullptr, trial.proposal.arch, trial.task);
  ToldResult r;
  r.ok = e.ok;
  r.failure = e.failure;
  r.accuracy = e.accuracy;
  if (e.ok && latency_is_told(s.session->config()) && trial.task.latency) {
    r.latency_ms = e.latency_ms;
  }
  r.metrics_json = e.metrics_json;
  r.seconds = e.seconds;
  return r;
}

bool AskTellSearch::finished() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->loop == State::Loop::kEnded || state_->closing;
}

std::vector<AskedTrial> AskTellSearch::pending() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  std::vector<AskedTrial> out;
  for (const auto& [id, o] : state_->out) out.push_back(o.trial);
  return out;
}

std::vector<std::string> AskTellSearch::take_warnings() {
  std::lock_guard<std::mutex> lock(state_->mutex);
  std::vector<std::string> w;
  w.swap(state_->warnings);
  return w;
}

const SearchConfig& AskTellSearch::config() const { return state_->session->config(); }
int64_t AskTellSearch::length() const { return state_->length; }
const std::string& AskTellSearch::path() const { return state_->path; }
bool AskTellSearch::is_new() const { return state_->is_new; }
std::string AskTellSearch::evaluator_name() const { return state_->run->evaluator_name(); }

}  // namespace mnas
