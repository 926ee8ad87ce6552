#include "search/search_loop.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <set>

#include "search/scoring.h"
#include "space/architecture_codec.h"
#include "space/error.h"

namespace mnas {

void run_search(Store& store, Strategy& strategy, Evaluator& evaluator, const SearchSpace& space,
                const SearchOptions& o, const std::function<void(const SearchProgress&)>& progress,
                LatencyObjective* objective) {
  RewardOptions exponents = o.reward;
  if (objective) exponents.target_ms = 1.0;  // each device has its own T
  validate(exponents);
  if (o.trials < 1) throw Error("--trials: must be ≥ 1");
  if (o.batch < 1) throw Error("--batch: must be ≥ 1");
  if (!std::isfinite(o.failed_reward)) throw Error("failed reward: must be finite");
  (void)space;
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

  while (done < o.trials) {
    const std::vector<StoredTrial> existing = store.trials_of_step(step);
    const int64_t before = done - static_cast<int64_t>(existing.size());
    const int n = static_cast<int>(std::min<int64_t>(o.batch, o.trials - before));
    if (n <= 0) break;
    const std::vector<Proposal> proposals = strategy.propose(n);
    std::vector<Trial> observed;
    for (int i = 0; i < n; ++i) {
      const Proposal& p = proposals[i];
      StoredTrial st;
      if (i < static_cast<int>(existing.size())) {
        st = existing[i];
        if (st.tokens != p.tokens) {
          throw Error("store '" + store.path() + "': step " + std::to_string(step) +
                      " was proposed differently before; the store and the strategy disagree");
        }
      } else {
        if (o.time_budget_seconds > 0 && elapsed() >= o.time_budget_seconds) return;
        if (o.stop != nullptr && o.stop->load()) return;
        st.step = step;
        st.index = i;
        st.canonical = to_canonical_string(p.arch);
        st.tokens = p.tokens;
        const auto t0 = std::chrono::steady_clock::now();
        Evaluation e;
        if (const auto previous = store.find_done(st.canonical)) {
          e.accuracy = previous->accuracy;
          e.latency_ms = previous->latency_ms;
          e.latency_json = previous->latency_json;
          e.latencies = previous->latencies;
          st.cached = true;
        } else {
          e = evaluate_trial(evaluator, objective, p.arch);
        }
        const Score sc = score(e, o.reward, o.failed_reward);
        st.status = sc.status;
        st.failure = sc.failure;
        st.reward = sc.reward;
        st.accuracy = e.accuracy;
        st.latency_ms = e.latency_ms;
        st.latency_json = e.latency_json;
        st.latencies = e.latencies;
        st.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
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
      }
      Trial t;
      t.tokens = p.tokens;
      t.arch = p.arch;
      t.reward = st.reward;
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
