#include "search/search_loop.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <set>

#include "search/scoring.h"
#include "space/architecture_codec.h"
#include "space/error.h"

namespace mnas {

void LocalTrialRunner::start(int ticket, const Architecture& arch) {
  MNAS_ASSERT(ticket_ < 0);
  ticket_ = ticket;
  arch_ = arch;
}

std::pair<int, Evaluation> LocalTrialRunner::wait() {
  MNAS_ASSERT(ticket_ >= 0);
  const int ticket = ticket_;
  ticket_ = -1;
  return {ticket, evaluate_trial(evaluator_, objective_, arch_)};
}

void run_search(Store& store, Strategy& strategy, Evaluator& evaluator, const SearchSpace& space,
                const SearchOptions& o, const std::function<void(const SearchProgress&)>& progress,
                LatencyObjective* objective) {
  (void)space;
  LocalTrialRunner runner(evaluator, objective);
  run_search(store, strategy, runner, o, progress, objective != nullptr);
}

void run_search(Store& store, Strategy& strategy, TrialRunner& runner, const SearchOptions& o,
                const std::function<void(const SearchProgress&)>& progress, bool has_objective) {
  RewardOptions exponents = o.reward;
  if (has_objective) exponents.target_ms = 1.0;  // each device has its own T
  validate(exponents);
  if (o.trials < 1) throw Error("trials: must be ≥ 1");
  if (o.batch < 1) throw Error("batch: must be ≥ 1");
  if (!std::isfinite(o.failed_reward)) throw Error("failed reward: must be finite");
  MNAS_ASSERT(runner.capacity() >= 1);
  const auto start = std::chrono::steady_clock::now();
  const auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };

  int step = 0;
  if (const auto saved = store.latest_strategy()) {
    strategy.load_state(saved->second);
    step = saved->first + 1;
  }
  int64_t done = store.trial_count();
  double best = 0;
  for (const StoredTrial& t : store.trials()) best = std::max(best, t.reward);
  int64_t evaluated_here = 0;

  // Stores one finished trial (its evaluation, or one served from an earlier trial) at once.
  if (o.latency_check) o.latency_check->restore(store);
  const auto record = [&](StoredTrial& st, const Evaluation& e, double seconds,
                          const Architecture& arch) {
    set_result(st, e, score(e, o.reward, o.failed_reward));
    st.metrics_json = e.metrics_json;
    st.seconds = seconds;
    if (o.latency_check) {
      if (const auto warning = o.latency_check->review(store, st, arch); warning && o.warn) {
        o.warn(*warning);
      }
    }
    store.add_trial(st);
    ++done;
    ++evaluated_here;
    best = std::max(best, st.reward);
    if (progress) {
      SearchProgress sp;
      sp.done = done;
      sp.total = o.trials;
      sp.trial = &st;
      sp.best_reward = best;
      sp.elapsed_seconds = elapsed();
      sp.eta_seconds = sp.elapsed_seconds / evaluated_here * double(o.trials - done);
      progress(sp);
    }
  };

  while (done < o.trials) {
    const std::vector<StoredTrial> existing = store.trials_of_step(step);
    const int64_t before = done - static_cast<int64_t>(existing.size());
    const int n = static_cast<int>(std::min<int64_t>(o.batch, o.trials - before));
    if (n <= 0) break;
    const std::vector<Proposal> proposals = strategy.propose(n);
    // The step's trials by index: those stored before (a step cut short), then the new ones.
    std::vector<StoredTrial> trials(n);
    std::vector<bool> finished(n, false), started(n, false);
    std::vector<std::chrono::steady_clock::time_point> started_at(n);
    for (int i = 0; i < n; ++i) {
      trials[i].step = step;
      trials[i].index = i;
      trials[i].canonical = to_canonical_string(proposals[i].arch);
      trials[i].tokens = proposals[i].tokens;
    }
    for (const StoredTrial& st : existing) {
      if (st.index < 0 || st.index >= n || st.tokens != proposals[st.index].tokens) {
        throw Error("store '" + store.path() + "': step " + std::to_string(step) +
                    " was proposed differently before; the store and the strategy disagree");
      }
      trials[st.index] = st;
      finished[st.index] = started[st.index] = true;
    }
    int running = 0;
    bool stopping = false;
    while (true) {
      // Start what may start, in proposal order: a proposal waits while an earlier one of the
      // same architecture is unfinished (it is then served from it, as one at a time would).
      for (int i = 0; i < n && !stopping && running < runner.capacity(); ++i) {
        if (started[i]) continue;
        bool blocked = false;
        for (int j = 0; j < i && !blocked; ++j) {
          blocked = !finished[j] && trials[j].canonical == trials[i].canonical;
        }
        if (blocked) continue;
        if ((o.time_budget_seconds > 0 && elapsed() >= o.time_budget_seconds) ||
            (o.stop != nullptr && o.stop->load())) {
          stopping = true;
          break;
        }
        started[i] = true;
        if (const auto previous = store.find_done(trials[i].canonical)) {
          Evaluation e;
          e.accuracy = previous->accuracy;
          e.latency_ms = previous->latency_ms;
          e.latency_json = previous->latency_json;
          e.latencies = previous->latencies;
          e.metrics_json = previous->metrics_json;
          trials[i].cached = true;
          record(trials[i], e, 0.0, proposals[i].arch);
          finished[i] = true;
          continue;
        }
        started_at[i] = std::chrono::steady_clock::now();
        runner.start(i, proposals[i].arch);
        ++running;
      }
      if (running == 0) break;
      auto [i, e] = runner.wait();
      MNAS_ASSERT(i >= 0 && i < n && started[i] && !finished[i]);
      --running;
      record(trials[i], e,
             std::chrono::duration<double>(std::chrono::steady_clock::now() - started_at[i])
                 .count(),
             proposals[i].arch);
      finished[i] = true;
    }
    if (stopping || std::find(finished.begin(), finished.end(), false) != finished.end()) return;
    std::vector<Trial> observed;
    for (int i = 0; i < n; ++i) {
      Trial t;
      t.tokens = proposals[i].tokens;
      t.arch = proposals[i].arch;
      t.reward = trials[i].reward;
      t.step = step;
      observed.push_back(std::move(t));
    }
    strategy.observe(observed);
    store.save_strategy(step, strategy.save_state());
    ++step;
  }
}

std::vector<StoredTrial> pareto_front(const std::vector<StoredTrial>& trials) {
  std::vector<StoredTrial> done;
  std::set<std::string> seen;
  for (const StoredTrial& t : trials) {
    if (t.status == "done" && seen.insert(t.canonical).second) done.push_back(t);
  }
  std::vector<StoredTrial> front;
  for (const StoredTrial& a : done) {
    bool dominated = false;
    for (const StoredTrial& b : done) {
      if (b.accuracy >= a.accuracy && b.latency_ms <= a.latency_ms &&
          (b.accuracy > a.accuracy || b.latency_ms < a.latency_ms)) {
        dominated = true;
        break;
      }
    }
    if (!dominated) front.push_back(a);
  }
  std::sort(front.begin(), front.end(),
            [](const StoredTrial& x, const StoredTrial& y) { return x.latency_ms < y.latency_ms; });
  return front;
}

namespace {

const DeviceLatency* find_device(const std::vector<DeviceLatency>& latencies,
                                 const std::string& device) {
  for (const DeviceLatency& d : latencies) {
    if (d.device == device) return &d;
  }
  return nullptr;
}

}  // namespace

namespace {

// StoredTrial or StoredReference: done rows without `device` left out, latency_ms set to its.
template <typename Row>
std::vector<Row> rows_on_device(const std::vector<Row>& rows, const std::string& device) {
  std::vector<Row> out;
  for (const Row& row : rows) {
    const DeviceLatency* d = find_device(row.latencies, device);
    if (row.status == "done" && d == nullptr) continue;
    out.push_back(row);
    if (d) out.back().latency_ms = d->latency_ms;
  }
  return out;
}

}  // namespace

std::vector<StoredTrial> on_device(const std::vector<StoredTrial>& trials,
                                   const std::string& device) {
  return rows_on_device(trials, device);
}

std::vector<StoredReference> on_device(const std::vector<StoredReference>& references,
                                       const std::string& device) {
  return rows_on_device(references, device);
}

std::vector<std::string> measured_devices(const std::vector<StoredTrial>& trials) {
  std::vector<std::string> names;
  for (const StoredTrial& t : trials) {
    for (const DeviceLatency& d : t.latencies) {
      if (std::find(names.begin(), names.end(), d.device) == names.end()) {
        names.push_back(d.device);
      }
    }
  }
  return names;
}

double typical_target_ms(const std::vector<StoredTrial>& trials, const std::string& device) {
  std::vector<double> t;
  for (const StoredTrial& trial : trials) {
    if (const DeviceLatency* d = find_device(trial.latencies, device)) t.push_back(d->target_ms);
  }
  if (t.empty()) return 0;
  std::nth_element(t.begin(), t.begin() + t.size() / 2, t.end());
  return t[t.size() / 2];
}

}  // namespace mnas
