#ifndef MNAS_DIST_MPI_PROTOCOL_H_
#define MNAS_DIST_MPI_PROTOCOL_H_

// The messages between rank 0 and the workers (internal to mpi/). Every message is UTF-8 text:
//   kStart  0 → worker  {"config": <the search's stored configuration>, "runtime": {...},
//                        "heartbeat_seconds": s}
//   kTask   0 → worker  "<ticket> <images> <holdout> <run images> <canonical architecture>"
//                       (TrialTask; 0: the evaluator's own, a run of its own)
//   kResult worker → 0  {"ticket": n, "evaluation": {...}}
//   kStop   0 → worker  "" — nothing (more) to do: answer with the same, and return
//   kAlive  worker → 0  "<ticket>" every heartbeat_seconds while a task runs (from a second
//                       thread: a stopped or frozen process sends none, and rank 0 gives its task
//                       to another worker)
// A worker evaluates one task at a time; rank 0 gives the next task to whichever worker answered.

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "search/search_setup.h"
#include "store/trial.h"

namespace mnas::mpi {

enum Tag : int { kStart = 1, kTask = 2, kResult = 3, kStop = 4, kAlive = 5 };

// Blocks until MPI has the text: a worker's messages to rank 0.
void send_text(int to, Tag tag, const std::string& text);
// Returns at once (MPI_Isend; the text is kept until it is sent): rank 0's messages to a
// worker, which may be stopped and never take them. Rank 0's main thread only.
void post_text(int to, Tag tag, const std::string& text);
// The next message from rank `from` (kAnySource: any rank), whatever its tag.
struct Message {
  int source = 0;
  int tag = 0;
  std::string text;
};
constexpr int kAnySource = -1;
Message receive(int from);
// The same, waiting at most `timeout_seconds`; nothing when no message came.
std::optional<Message> receive_for(int from, double timeout_seconds);

// Rank 0 gives a worker up after this many heartbeats missed.
constexpr int kMissedHeartbeats = 6;

nlohmann::json runtime_json(const EvaluatorRuntime& runtime);
EvaluatorRuntime runtime_from_json(const nlohmann::json& j);

// Exact round trip (doubles written with 17 significant digits), validated when read.
nlohmann::json evaluation_json(const Evaluation& e);
Evaluation evaluation_from_json(const nlohmann::json& j, const std::string& where);

}  // namespace mnas::mpi

#endif  // MNAS_DIST_MPI_PROTOCOL_H_
