#include "dist/mpi_trial_runner.h"

#include <algorithm>

#include "dist/mpi_protocol.h"
#include "search/scoring.h"
#include "space/architecture_codec.h"
#include "space/error.h"
#include "space/json_fields.h"

namespace mnas {

void check_distributable(const SearchConfig& config) {
  if (config.latency != "measured") return;
  for (const DeviceObjective& d : config.devices) {
    if (d.url == "local") {
      throw Error("devices." + d.name +
                  ": a search on several MPI ranks cannot time candidates on this machine (its "
                  "cores train at the same time); time them on the target with --device URL "
                  "(mnas-device), predict them with --latency lut:FILE, or use one process");
    }
  }
}

MpiTrialRunner::MpiTrialRunner(MpiWorld& world, const SearchConfig& config,
                               const EvaluatorRuntime& runtime, LatencyObjective* objective)
    : world_(world), objective_(objective) {
  MNAS_ASSERT(world.rank() == 0 && world.size() > 1);
  check_distributable(config);
  const std::string start = nlohmann::json{{"config", search_config_json(config)},
                                           {"runtime", mpi::runtime_json(runtime)}}
                                .dump();
  for (int r = 1; r < world.size(); ++r) {
    mpi::send_text(r, mpi::kStart, start);
    idle_.push_back(r);
  }
  // Workers are used in rank order: the first task goes to rank 1.
  std::reverse(idle_.begin(), idle_.end());
}

void MpiTrialRunner::start(int ticket, const Proposal& candidate, const TrialTask& task) {
  MNAS_ASSERT(!idle_.empty() && ticket >= 0);
  const Architecture& arch = candidate.arch;
  const std::string canonical = to_canonical_string(arch);
  auto pick = idle_.end() - 1;
  if (task.run_images > 0) {  // where the run is held, if that rank is free
    if (const int* holder = holder_.find(canonical)) {
      const auto it = std::find(idle_.begin(), idle_.end(), *holder);
      if (it != idle_.end()) pick = it;
    }
    if (task.train_images < task.run_images) {
      holder_.set(canonical, *pick);
    } else {
      holder_.erase(canonical);
    }
  }
  const int worker = *pick;
  idle_.erase(pick);
  ++busy_;
  ++world_.in_flight;
  if (running_.size() <= static_cast<size_t>(ticket)) {
    running_.resize(ticket + 1);
    tasks_.resize(ticket + 1);
  }
  running_[ticket] = arch;
  tasks_[ticket] = task;
  // "TICKET IMAGES HOLDOUT RUN_IMAGES ARCHITECTURE" (0: the evaluator's own; a run of its own).
  mpi::send_text(worker, mpi::kTask,
                 std::to_string(ticket) + " " + std::to_string(task.train_images) + " " +
                     std::to_string(task.holdout) + " " + std::to_string(task.run_images) + " " +
                     canonical);
}

std::pair<int, Evaluation> MpiTrialRunner::wait() {
  MNAS_ASSERT(busy_ > 0);
  const mpi::Message m = mpi::receive(mpi::kAnySource);
  const std::string where = "MPI rank " + std::to_string(m.source) + ": result";
  if (m.tag != mpi::kResult) {
    throw Error(where + ": unexpected message (tag " + std::to_string(m.tag) + ")");
  }
  const nlohmann::json j = json_fields::parse(m.text, where);
  json_fields::require_object(j, where);
  const int ticket = json_fields::as_int(json_fields::required(j, "ticket", where),
                                         where + ".ticket", 0, static_cast<long long>(running_.size()) - 1);
  Evaluation e = mpi::evaluation_from_json(json_fields::required(j, "evaluation", where),
                                           where + ".evaluation");
  idle_.push_back(m.source);
  --busy_;
  --world_.in_flight;
  if (!tasks_[ticket].latency) return {ticket, e};
  e = add_latency(std::move(e), objective_, running_[ticket]);
  e.seconds += e.latency_seconds;  // the worker's training, then the latency here
  return {ticket, e};
}

}  // namespace mnas
