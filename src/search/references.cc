#include "search/references.h"

#include <chrono>
#include <set>

#include "base/error.h"
#include "base/number_format.h"
#include "search/scoring.h"
#include "search/search_loop.h"
#include "space/architecture_codec.h"
#include "space/zoo.h"

namespace mnas {

std::vector<std::string> default_reference_names() { return zoo_names(); }

Architecture reference_model(const std::string& spec, const SearchSpace& space) {
  ZooOptions zoo;
  zoo.input = space.input();
  zoo.classes = space.classes();
  return zoo_model_from_spec(spec, zoo);
}

void evaluate_references(Store& store, TrialRunner& runner, const SearchSpace& space,
                         const RewardOptions& reward, const std::vector<std::string>& names,
                         const std::function<void(const StoredReference&, int, int)>& progress,
                         const std::atomic<bool>* stop) {
  std::set<std::string> stored;
  for (const StoredReference& r : store.references()) stored.insert(r.name);
  std::vector<std::pair<std::string, Architecture>> todo;
  for (const std::string& name : names) {
    Architecture arch;
    try {
      arch = reference_model(name, space);  // before evaluating anything: fails at once
    } catch (const Error& e) {
      throw Error(std::string("references: ") + e.what());
    }
    if (stored.insert(name).second) todo.emplace_back(name, std::move(arch));
  }
  // Up to runner.capacity() at once (MPI ranks); each stored as it finishes.
  size_t next = 0;
  int running = 0, finished = 0;
  std::vector<std::chrono::steady_clock::time_point> started(todo.size());
  while (true) {
    while (next < todo.size() && running < runner.capacity() &&
           !(stop != nullptr && stop->load())) {
      started[next] = std::chrono::steady_clock::now();
      runner.start(static_cast<int>(next), Proposal{{}, todo[next].second, {}}, TrialTask{});
      ++next;
      ++running;
    }
    if (running == 0) return;
    const auto [ticket, e] = runner.wait();
    --running;
    StoredReference r;
    r.name = todo[ticket].first;
    r.canonical = to_canonical_string(todo[ticket].second);
    set_result(r, e, score(e, reward, 0.0));
    r.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started[ticket]).count();
    store.add_reference(r);
    if (progress) progress(r, ++finished, static_cast<int>(todo.size()));
  }
}

void evaluate_references(Store& store, Evaluator& evaluator, const SearchSpace& space,
                         const RewardOptions& reward, const std::vector<std::string>& names,
                         const std::function<void(const StoredReference&, int, int)>& progress,
                         LatencyObjective* objective, const std::atomic<bool>* stop) {
  LocalTrialRunner runner(evaluator, objective);
  evaluate_references(store, runner, space, reward, names, progress, stop);
}

}  // namespace mnas
