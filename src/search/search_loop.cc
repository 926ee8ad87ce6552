#include "search/search_loop.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <optional>
#include <set>

#include "base/error.h"
#include "base/median.h"
#include "search/fidelity.h"
#include "search/scoring.h"
#include "space/architecture_codec.h"

namespace mnas {

void LocalTrialRunner::start(int ticket, const Proposal& candidate, const TrialTask& task) {
  MNAS_ASSERT(ticket_ < 0);
  ticket_ = ticket;
  arch_ = candidate.arch;
  task_ = task;
}

std::pair<int, Evaluation> LocalTrialRunner::wait() {
  MNAS_ASSERT(ticket_ >= 0);
  const int ticket = ticket_;
  ticket_ = -1;
  return {ticket, evaluate_trial(evaluator_, objective_, arch_, task_)};
}

void run_search(Store& store, Strategy& strategy, Evaluator& evaluator, const SearchSpace& space,
                const SearchOptions& o, const std::function<void(const SearchProgress&)>& progress,
                LatencyObjective* objective) {
  (void)space;
  LocalTrialRunner runner(evaluator, objective);
  run_search(store, strategy, runner, o, progress, objective != nullptr);
}

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// Adds the wall time of its scope to one of SearchTimes (nothing without a `times`).
class Timed {
 public:
  Timed(SearchTimes* times, double SearchTimes::*slot)
      : sink_(times ? &(times->*slot) : nullptr), start_(Clock::now()) {}
  ~Timed() {
    if (sink_) *sink_ += seconds_since(start_);
  }
  Timed(const Timed&) = delete;
  Timed& operator=(const Timed&) = delete;

 private:
  double* sink_;
  Clock::time_point start_;
};

// An evaluation's share: its training and its latency.
void account(SearchTimes* times, const Evaluation& e) {
  if (!times) return;
  times->training += std::max(0.0, e.seconds - e.latency_seconds);
  times->latency += e.latency_seconds;
}

// How a batch of evaluations treats each proposal (by its index in the step).
struct BatchHooks {
  std::function<bool(int)> blocked;  // must wait (an earlier proposal of it is unfinished)
  std::function<bool(int)> served;   // finished without the runner (from the store)
  std::function<void(int, Evaluation, double seconds)> finished;
};

// Runs the proposals `jobs` on the runner as `task` says, up to its capacity at once, in order.
// Returns false when `stop()` turned true before every job started (those started are still
// collected).
bool run_batch(TrialRunner& runner, const std::vector<Proposal>& proposals,
               const std::vector<int>& jobs, const TrialTask& task,
               const std::function<bool()>& stop, const BatchHooks& hooks) {
  std::vector<bool> started(jobs.size(), false);
  std::vector<Clock::time_point> started_at(proposals.size());
  int running = 0;
  bool stopping = false;
  while (true) {
    for (size_t k = 0; k < jobs.size() && !stopping && running < runner.capacity(); ++k) {
      if (started[k]) continue;
      const int i = jobs[k];
      if (hooks.blocked && hooks.blocked(i)) continue;
      if (stop()) {
        stopping = true;
        break;
      }
      started[k] = true;
      if (hooks.served && hooks.served(i)) continue;
      started_at[i] = Clock::now();
      runner.start(i, proposals[i], task);
      ++running;
    }
    if (running == 0) break;
    auto [i, e] = runner.wait();
    MNAS_ASSERT(i >= 0 && static_cast<size_t>(i) < proposals.size());
    --running;
    hooks.finished(i, std::move(e), seconds_since(started_at[i]));
  }
  return !stopping && std::find(started.begin(), started.end(), false) == started.end();
}

// An evaluation as the store's rows keep it, back (a served trial, a later rung's latency).
template <typename Row>
Evaluation evaluation_of(const Row& row) {
  Evaluation e;
  e.ok = row.status == "done";
  e.failure = row.failure;
  e.accuracy = row.accuracy;
  e.latency_json = row.latency_json;
  e.latencies = row.latencies;
  e.latency_ms = row.latencies.empty() ? 0 : row.latencies.front().latency_ms;
  return e;
}

using RecordTrial = std::function<void(StoredTrial&, const Evaluation&, double seconds,
                                        const Architecture&, const Score*)>;
using ServeTrial = std::function<void(StoredTrial&, const StoredTrial& previous,
                                      const Architecture&)>;

// One strategy step of a multi-fidelity search (search/fidelity.h): every proposal that needs
// training goes through the rungs, each rung's result stored as it finishes; then the step's
// trials are recorded. Returns false when stopped on the way.
bool run_fidelity_step(Store& store, TrialRunner& runner, const std::vector<Proposal>& proposals,
                       std::vector<StoredTrial>& trials, std::vector<bool>& finished,
                       const std::vector<int>& first_of, const SearchOptions& o,
                       const std::function<bool()>& stop,
                       const std::function<void(const SearchProgress&)>& progress,
                       const RecordTrial& record, const ServeTrial& serve) {
  const std::vector<int64_t>& rungs = o.fidelity.rungs;
  const int last = static_cast<int>(rungs.size()) - 1;
  const int n = static_cast<int>(proposals.size());
  const int step = trials.front().step;
  std::vector<std::vector<std::optional<StoredRung>>> at(
      n, std::vector<std::optional<StoredRung>>(rungs.size()));
  for (const StoredRung& r : store.rungs(step)) {
    if (r.index >= n || r.rung > last || r.images != rungs[r.rung]) {
      throw Error("store '" + store.path() + "': step " + std::to_string(step) + " index " +
                  std::to_string(r.index) + " rung " + std::to_string(r.rung) +
                  " does not fit the search's rungs or its step");
    }
    at[r.index][r.rung] = r;
  }
  // Who trains: each architecture once, unless the store has it from an earlier step.
  std::vector<int> candidates;
  for (int i = 0; i < n; ++i) {
    if (first_of[i] >= 0 || (finished[i] && trials[i].cached)) continue;
    if (!finished[i] && !at[i][0]) {
      if (const auto previous = store.find_done(trials[i].canonical)) {
        serve(trials[i], *previous, proposals[i].arch);
        finished[i] = true;
        continue;
      }
    }
    candidates.push_back(i);
  }
  for (int k = 0; k <= last; ++k) {
    std::vector<int> entrants;
    for (int i : candidates) {
      if (k == 0 || (at[i][k - 1] && at[i][k - 1]->status == "done")) entrants.push_back(i);
    }
    if (k > 0) {  // the best of the rung below, by their reward there
      std::stable_sort(entrants.begin(), entrants.end(), [&](int a, int b) {
        return at[a][k - 1]->reward > at[b][k - 1]->reward;
      });
      entrants.resize(promoted_count(static_cast<int>(entrants.size()), o.fidelity.keep));
      std::sort(entrants.begin(), entrants.end());
    }
    std::vector<int> jobs;
    for (int i : entrants) {
      if (!at[i][k]) jobs.push_back(i);
    }
    BatchHooks hooks;
    hooks.finished = [&](int i, Evaluation e, double seconds) {
      account(o.times, e);
      if (k > 0 && e.ok) {  // latency measured once, at the first rung
        e.latency_ms = at[i][0]->latency_ms;
        e.latency_json = at[i][0]->latency_json;
        e.latencies = at[i][0]->latencies;
      }
      const Score sc = score(e, o.reward, o.failed_reward);
      StoredRung r;
      r.step = step;
      r.index = i;
      r.rung = k;
      r.images = rungs[k];
      set_result(r, e.ok ? e : Evaluation{}, sc);  // a failed rung keeps no accuracy or latency
      r.seconds = seconds;
      {
        Timed timed(o.times, &SearchTimes::store);
        store.add_rung(r);
      }
      at[i][k] = r;
      if (progress) {
        SearchProgress sp;
        sp.rung = &r;
        sp.rungs = last + 1;
        progress(sp);
      }
    };
    const TrialTask task{rungs[k], rung_holdout(o.proxy_holdout, rungs[k], rungs[last]), k == 0,
                         o.fidelity.continue_runs ? rungs[last] : 0, step, k};
    if (!run_batch(runner, proposals, jobs, task, stop, hooks)) {
      return false;
    }
  }
  // The trials: each at the last rung it reached; below the last, with the comparable reward.
  const std::vector<StoredRung> all = store.rungs();
  for (int i : candidates) {
    if (finished[i]) continue;
    int k = last;
    while (!at[i][k]) --k;
    const StoredRung& r = *at[i][k];
    Evaluation e = evaluation_of(r);
    e.latency_ms = r.latency_ms;
    double seconds = 0;
    for (int j = 0; j <= k; ++j) seconds += at[i][j]->seconds;
    trials[i].rung = k;
    trials[i].partial = k < last;
    if (trials[i].partial && e.ok) {
      Evaluation comparable = e;
      comparable.accuracy = std::clamp(e.accuracy + rung_gain(all, k, last), 0.0, 1.0);
      const Score sc = score(comparable, o.reward, o.failed_reward);
      record(trials[i], e, seconds, proposals[i].arch, &sc);
    } else {
      record(trials[i], e, seconds, proposals[i].arch, nullptr);
    }
    finished[i] = true;
  }
  for (int i = 0; i < n; ++i) {  // an architecture proposed twice: served from its first
    if (finished[i] || first_of[i] < 0) continue;
    serve(trials[i], trials[first_of[i]], proposals[i].arch);
    finished[i] = true;
  }
  return true;
}

}  // namespace

void run_search(Store& store, Strategy& strategy, TrialRunner& runner, const SearchOptions& o,
                const std::function<void(const SearchProgress&)>& progress, bool has_objective) {
  RewardOptions exponents = o.reward;
  if (has_objective) exponents.target_ms = 1.0;  // each device has its own T
  validate(exponents);
  if (o.trials < 1) throw Error("trials: must be ≥ 1");
  if (o.batch < 1) throw Error("batch: must be ≥ 1");
  if (!std::isfinite(o.failed_reward)) throw Error("failed reward: must be finite");
  const std::vector<int64_t>& rungs = o.fidelity.rungs;
  if (rungs.size() == 1 || o.fidelity.keep < 2) throw Error("fidelity: 2 rungs or more, keep ≥ 2");
  MNAS_ASSERT(runner.capacity() >= 1);
  const auto start = Clock::now();
  const auto elapsed = [&] { return seconds_since(start); };
  const auto stop = [&] {
    return (o.time_budget_seconds > 0 && elapsed() >= o.time_budget_seconds) ||
           (o.stop != nullptr && o.stop->load());
  };

  int step = 0;
  if (const auto saved = store.latest_strategy()) {
    strategy.load_state(saved->second);
    step = saved->first + 1;
  }
  int64_t done = store.trial_count();
  double best = 0;
  for (const StoredTrial& t : store.trials()) {
    if (!t.partial) best = std::max(best, t.reward);
  }
  int64_t evaluated_here = 0;
  if (o.latency_check) o.latency_check->restore(store);

  // Stores one finished trial (its evaluation, or one served from an earlier trial) at once.
  // `score_of` overrides the score (a partial multi-fidelity trial's comparable reward).
  const auto record = [&](StoredTrial& st, const Evaluation& e, double seconds,
                          const Architecture& arch, const Score* score_of = nullptr) {
    set_result(st, e, score_of ? *score_of : score(e, o.reward, o.failed_reward));
    st.metrics_json = e.metrics_json;
    st.seconds = seconds;
    if (o.latency_check) {
      Timed timed(o.times, &SearchTimes::latency_check);
      if (const auto warning = o.latency_check->review(store, st, arch); warning && o.warn) {
        o.warn(*warning);
      }
    }
    {
      Timed timed(o.times, &SearchTimes::store);
      store.add_trial(st);
    }
    ++done;
    ++evaluated_here;
    if (!st.partial) best = std::max(best, st.reward);
    if (progress) {
      SearchProgress sp;
      sp.done = done;
      sp.total = o.trials;
      sp.trial = &st;
      sp.best_reward = best;
      sp.elapsed_seconds = elapsed();
      sp.eta_seconds = sp.elapsed_seconds / evaluated_here * double(o.trials - done);
      // A time budget ends the search first when it is the nearer limit (trials are often set
      // far beyond what the budget allows).
      if (o.time_budget_seconds > 0) {
        sp.eta_seconds =
            std::min(sp.eta_seconds, std::max(0.0, o.time_budget_seconds - sp.elapsed_seconds));
      }
      progress(sp);
    }
  };
  // A trial served from an earlier one of the same architecture.
  const auto serve = [&](StoredTrial& st, const StoredTrial& previous, const Architecture& arch) {
    Evaluation e = evaluation_of(previous);
    e.latency_ms = previous.latency_ms;
    e.metrics_json = previous.metrics_json;
    st.cached = true;
    st.rung = previous.rung;
    st.partial = previous.partial;
    const Score kept{previous.status, previous.failure, previous.reward};
    record(st, e, 0.0, arch, &kept);
  };

  while (done < o.trials) {
    const std::vector<StoredTrial> existing = store.trials_of_step(step);
    const int64_t before = done - static_cast<int64_t>(existing.size());
    const int n = static_cast<int>(std::min<int64_t>(o.batch, o.trials - before));
    if (n <= 0) break;
    std::vector<Proposal> proposals;
    {
      Timed timed(o.times, &SearchTimes::strategy);
      proposals = strategy.propose(n);
    }
    // The step's trials by index: those stored before (a step cut short), then the new ones.
    std::vector<StoredTrial> trials(n);
    std::vector<bool> finished(n, false);
    for (int i = 0; i < n; ++i) {
      trials[i].step = step;
      trials[i].index = i;
      trials[i].canonical = proposals[i].canonical.empty()
                                ? to_canonical_string(proposals[i].arch)
                                : proposals[i].canonical;
      trials[i].tokens = proposals[i].tokens;
    }
    for (const StoredTrial& st : existing) {
      if (st.index < 0 || st.index >= n || st.tokens != proposals[st.index].tokens) {
        throw Error("store '" + store.path() + "': step " + std::to_string(step) +
                    " was proposed differently before; the store and the strategy disagree");
      }
      trials[st.index] = st;
      finished[st.index] = true;
    }
    // The first earlier proposal of the same architecture in this step, or -1.
    std::vector<int> first_of(n, -1);
    for (int i = 0; i < n; ++i) {
      for (int j = 0; j < i && first_of[i] < 0; ++j) {
        if (trials[j].canonical == trials[i].canonical) first_of[i] = j;
      }
    }

    bool complete = true;
    if (rungs.empty()) {
      std::vector<int> jobs;
      for (int i = 0; i < n; ++i) {
        if (!finished[i]) jobs.push_back(i);
      }
      BatchHooks hooks;
      // A proposal waits while an earlier one of the same architecture is unfinished (it is
      // then served from it, as one at a time would).
      hooks.blocked = [&](int i) { return first_of[i] >= 0 && !finished[first_of[i]]; };
      hooks.served = [&](int i) {
        const auto previous = store.find_done(trials[i].canonical);
        if (!previous) return false;
        serve(trials[i], *previous, proposals[i].arch);
        finished[i] = true;
        return true;
      };
      hooks.finished = [&](int i, Evaluation e, double seconds) {
        account(o.times, e);
        record(trials[i], e, seconds, proposals[i].arch);
        finished[i] = true;
      };
      TrialTask task;
      task.step = step;
      complete = run_batch(runner, proposals, jobs, task, stop, hooks);
    } else {
      complete = run_fidelity_step(store, runner, proposals, trials, finished, first_of, o, stop,
                                   progress, record, serve);
    }
    if (!complete || std::find(finished.begin(), finished.end(), false) != finished.end()) return;
    std::vector<Trial> observed;
    for (int i = 0; i < n; ++i) {
      Trial t;
      t.tokens = proposals[i].tokens;
      t.arch = proposals[i].arch;
      t.reward = trials[i].reward;
      t.step = step;
      // What the reward was made of, for strategies that model its parts (predictor_search.h).
      t.evaluation.ok = trials[i].status == "done";
      t.evaluation.accuracy = trials[i].accuracy;
      t.evaluation.latency_ms = trials[i].latency_ms;
      t.evaluation.latencies = trials[i].latencies;
      observed.push_back(std::move(t));
    }
    std::string state;
    {
      Timed timed(o.times, &SearchTimes::strategy);
      strategy.observe(observed);
      state = strategy.save_state();
    }
    Timed timed(o.times, &SearchTimes::store);
    store.save_strategy(step, state);
    ++step;
  }
}

}  // namespace mnas
