#ifndef MNAS_SEARCH_REFERENCES_H_
#define MNAS_SEARCH_REFERENCES_H_

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "search/latency_objective.h"
#include "search/reward.h"
#include "space/search_space.h"
#include "store/store.h"
#include "store/trial.h"

namespace mnas {

// The zoo models a search compares itself with (space/zoo.h names).
std::vector<std::string> default_reference_names();

// A reference by name: a zoo model ("mobilenetv2"), or one at a width multiplier
// ("mobilenetv2@0.35": the multiplier in (0, 4]), at the space's input and classes. Throws
// mnas::Error saying what is wrong with `spec`.
Architecture reference_model(const std::string& spec, const SearchSpace& space);

// Evaluates each named zoo model at the space's input and classes with the search's own evaluator
// and reward, and stores it as a reference. Names already in the store are not evaluated again (a
// resumed search keeps its references). Never throws for a failed evaluation: it is stored as
// "failed". Throws mnas::Error for an unknown name. `progress` is called after each evaluation
// with the reference, its position (1-based) and the count still to evaluate. With an
// `objective`, latency is measured on its devices as for trials (DeviceUnreachable stops it).
// When `stop` turns true, no further reference starts.
void evaluate_references(
    Store& store, Evaluator& evaluator, const SearchSpace& space, const RewardOptions& reward,
    const std::vector<std::string>& names,
    const std::function<void(const StoredReference&, int, int)>& progress = nullptr,
    LatencyObjective* objective = nullptr, const std::atomic<bool>* stop = nullptr);
// The same with the evaluations run by `runner` (up to its capacity at once: MPI ranks), the
// latency measured by the runner.
class TrialRunner;
void evaluate_references(
    Store& store, TrialRunner& runner, const SearchSpace& space, const RewardOptions& reward,
    const std::vector<std::string>& names,
    const std::function<void(const StoredReference&, int, int)>& progress = nullptr,
    const std::atomic<bool>* stop = nullptr);

}  // namespace mnas

#endif  // MNAS_SEARCH_REFERENCES_H_
