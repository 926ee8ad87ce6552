#include "search/references.h"

#include <chrono>
#include <set>

#include "search/scoring.h"
#include "space/architecture_codec.h"
#include "space/error.h"
#include "space/zoo.h"

namespace mnas {

std::vector<std::string> default_reference_names() { return zoo_names(); }

void evaluate_references(Store& store, Evaluator& evaluator, const SearchSpace& space,
                         const RewardOptions& reward, const std::vector<std::string>& names,
                         const std::function<void(const StoredReference&, int, int)>& progress,
                         LatencyObjective* objective, const std::atomic<bool>* stop) {
  ZooOptions zoo;
  zoo.input = space.input();
  zoo.classes = space.classes();
  std::set<std::string> stored;
  for (const StoredReference& r : store.references()) stored.insert(r.name);
  std::vector<std::pair<std::string, Architecture>> todo;
  for (const std::string& name : names) {
    Architecture arch;
    try {
      arch = zoo_model(name, zoo);  // before evaluating anything: a bad name fails at once
    } catch (const Error& e) {
      throw Error(std::string("--references: ") + e.what());
    }
    if (stored.insert(name).second) todo.emplace_back(name, std::move(arch));
  }
  int i = 0;
  for (const auto& [name, arch] : todo) {
    if (stop != nullptr && stop->load()) return;
    StoredReference r;
    r.name = name;
    r.canonical = to_canonical_string(arch);
    const auto t0 = std::chrono::steady_clock::now();
    const Evaluation e = evaluate_trial(evaluator, objective, arch);
    const Score sc = score(e, reward, 0.0);
    r.status = sc.status;
    r.failure = sc.failure;
    r.reward = sc.reward;
    r.accuracy = e.accuracy;
    r.latency_ms = e.latency_ms;
    r.latency_json = e.latency_json;
    r.latencies = e.latencies;
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    store.add_reference(r);
    if (progress) progress(r, ++i, static_cast<int>(todo.size()));
  }
}

}  // namespace mnas
