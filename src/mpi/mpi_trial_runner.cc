#include "mpi/mpi_trial_runner.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include "base/error.h"
#include "base/json_fields.h"
#include "mpi/mpi_protocol.h"
#include "search/scoring.h"
#include "space/architecture_codec.h"

namespace mnas {

double mpi_heartbeat_seconds_from_environment() {
  const char* text = std::getenv("MNAS_MPI_HEARTBEAT");
  if (text == nullptr || *text == '\0') return 5;
  char* end = nullptr;
  const double seconds = std::strtod(text, &end);
  if (end == text || *end != '\0' || !(seconds == 0 || (seconds >= 0.05 && seconds <= 3600))) {
    throw Error(std::string("MNAS_MPI_HEARTBEAT: '") + text +
                "' is not seconds between a worker's heartbeats (0.05 to 3600, or 0 for none)");
  }
  return seconds;
}

void check_distributable(const SearchConfig& config) {
  if (config.evaluator == "external") {
    throw Error::about("evaluator", "external: its trials are told by an ask/tell caller "
                                    "(mnas.Search), not evaluated by MPI ranks");
  }
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
                               const EvaluatorRuntime& runtime, LatencyObjective* objective,
                               double heartbeat_seconds)
    : world_(world),
      objective_(objective),
      // Heartbeats come from a worker's second thread: only where MPI allows one.
      heartbeat_seconds_(world.threads_serialized() ? heartbeat_seconds : 0) {
  MNAS_ASSERT(world.rank() == 0 && world.size() > 1);
  check_distributable(config);
  if (heartbeat_seconds_ > 0) {
    world_.answer_limit_seconds = heartbeat_seconds_ * mpi::kMissedHeartbeats;
  }
  const std::string start = nlohmann::json{{"config", search_config_json(config)},
                                           {"runtime", mpi::runtime_json(runtime)},
                                           {"heartbeat_seconds", heartbeat_seconds_}}
                                .dump();
  for (int r = 1; r < world.size(); ++r) {
    mpi::post_text(r, mpi::kStart, start);
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
  ++world_.in_flight;
  if (running_.size() <= static_cast<size_t>(ticket)) {
    running_.resize(ticket + 1);
    tasks_.resize(ticket + 1);
  }
  running_[ticket] = arch;
  tasks_[ticket] = task;
  send_task(worker, ticket);
}

void MpiTrialRunner::send_task(int worker, int ticket) {
  busy_[worker] = {ticket, std::chrono::steady_clock::now()};
  const TrialTask& task = tasks_[ticket];
  // "TICKET IMAGES HOLDOUT RUN_IMAGES ARCHITECTURE" (0: the evaluator's own; a run of its own).
  mpi::post_text(worker, mpi::kTask,
                 std::to_string(ticket) + " " + std::to_string(task.train_images) + " " +
                     std::to_string(task.holdout) + " " + std::to_string(task.run_images) + " " +
                     to_canonical_string(running_[ticket]));
}

void MpiTrialRunner::give_up_silent_workers() {
  if (heartbeat_seconds_ <= 0) return;
  const auto now = std::chrono::steady_clock::now();
  const auto limit = std::chrono::duration<double>(heartbeat_seconds_ * mpi::kMissedHeartbeats);
  for (auto it = busy_.begin(); it != busy_.end();) {
    if (now - it->second.heard < limit) {
      ++it;
      continue;
    }
    const int rank = it->first, ticket = it->second.ticket;
    std::fprintf(stderr,
                 "mnas: MPI rank %d: no heartbeat for %.1f s (stopped, frozen, or its machine is "
                 "gone): given up; its trial %d goes to another rank. The job will end with "
                 "MPI_Abort once the search has stored everything.\n",
                 rank, heartbeat_seconds_ * mpi::kMissedHeartbeats, ticket);
    lost_.insert(rank);
    it = busy_.erase(it);
    ++world_.in_flight;  // the lost rank's task never ends: the job must be aborted at the end
    orphans_.push_back(ticket);
  }
  if (!orphans_.empty() && busy_.empty() && idle_.empty()) {
    throw Error("every MPI worker rank stopped answering (no heartbeat for " +
                std::to_string(static_cast<int>(heartbeat_seconds_ * mpi::kMissedHeartbeats)) +
                " s); the trials stored so far are kept: continue with --resume");
  }
}

void MpiTrialRunner::hand_out_orphans() {
  while (!orphans_.empty() && !idle_.empty()) {
    const int worker = idle_.back();
    idle_.pop_back();
    send_task(worker, orphans_.front());
    orphans_.pop_front();
  }
}

std::pair<int, Evaluation> MpiTrialRunner::wait() {
  MNAS_ASSERT(!busy_.empty() || !orphans_.empty());
  mpi::Message m;
  for (;;) {
    hand_out_orphans();
    std::optional<mpi::Message> got = mpi::receive_for(mpi::kAnySource, 0.2);
    if (!got) {
      give_up_silent_workers();
      continue;
    }
    m = std::move(*got);
    if (lost_.count(m.source) != 0) {
      if (m.tag == mpi::kResult) {
        std::fprintf(stderr,
                     "mnas: MPI rank %d answered after it was given up; its result is dropped "
                     "(its trial ran elsewhere)\n",
                     m.source);
      }
      continue;
    }
    if (m.tag == mpi::kAlive) {
      const auto busy = busy_.find(m.source);
      if (busy != busy_.end()) busy->second.heard = std::chrono::steady_clock::now();
      continue;
    }
    break;
  }
  const std::string where = "MPI rank " + std::to_string(m.source) + ": result";
  if (m.tag != mpi::kResult) {
    throw Error(where + ": unexpected message (tag " + std::to_string(m.tag) + ")");
  }
  const nlohmann::json j = json_fields::parse(m.text, where);
  json_fields::require_object(j, where);
  const int ticket =
      json_fields::as_int(json_fields::required(j, "ticket", where), where + ".ticket", 0,
                          static_cast<long long>(running_.size()) - 1);
  Evaluation e = mpi::evaluation_from_json(json_fields::required(j, "evaluation", where),
                                           where + ".evaluation");
  idle_.push_back(m.source);
  busy_.erase(m.source);
  --world_.in_flight;
  hand_out_orphans();  // before the search fills the free worker with new work
  if (!tasks_[ticket].latency) return {ticket, e};
  e = add_latency(std::move(e), objective_, running_[ticket]);
  e.seconds += e.latency_seconds;  // the worker's training, then the latency here
  return {ticket, e};
}

}  // namespace mnas
