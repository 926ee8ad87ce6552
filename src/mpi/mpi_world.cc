#include "mpi/mpi_world.h"

#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <list>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "base/error.h"
#include "mpi/mpi_protocol.h"

namespace mnas {
namespace {

using Clock = std::chrono::steady_clock;

Clock::time_point seconds_from_now(double seconds) {
  return Clock::now() +
         std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

MpiWorld* g_world = nullptr;

// A message whose transfer has begun (MPI_Iprobe matched it) and not yet ended. A message larger
// than MPI's eager limit comes in parts, and a sender stopped between them (SIGSTOP, a frozen
// machine) would hold a blocking MPI_Recv for ever — rank 0 with it, its heartbeat checks
// included. So a receive waits for a transfer only as long as its own timeout; one not ended
// then is finished by a later receive, or never (its sender given up; the job ends by MPI_Abort).
// Only the thread that receives touches these (rank 0's, a worker's main thread); a std::list,
// so that the buffer MPI writes into never moves.
struct Transfer {
  MPI_Request request = MPI_REQUEST_NULL;
  mpi::Message message;
};
std::list<Transfer> g_transfers;

// A message rank 0 posted (MPI_Isend) whose transfer has not ended; its text lives until it has.
// Rank 0 never waits for a send to a worker: with OpenMPI, even a short message to a rank that
// is stopped (SIGSTOP, a frozen machine) does not complete, and a blocking MPI_Send to it would
// hold rank 0 — and the whole search — for ever (it did in CI: a worker stopped while idle, then
// given its next task). Only rank 0's main thread posts.
struct Posted {
  MPI_Request request = MPI_REQUEST_NULL;
  std::string text;
};
std::list<Posted> g_posted;

// Forgets the posted messages whose transfer has ended.
void reap_posted() {
  for (auto it = g_posted.begin(); it != g_posted.end();) {
    int done = 0;
    MPI_Test(&it->request, &done, MPI_STATUS_IGNORE);
    it = done ? g_posted.erase(it) : std::next(it);
  }
}

// A transfer from `from` (mpi::kAnySource: any rank) that has ended, taken off the list.
std::optional<mpi::Message> ended_transfer(int from) {
  for (auto it = g_transfers.begin(); it != g_transfers.end(); ++it) {
    if (from != mpi::kAnySource && it->message.source != from) continue;
    int done = 0;
    MPI_Test(&it->request, &done, MPI_STATUS_IGNORE);
    if (!done) continue;
    mpi::Message m = std::move(it->message);
    g_transfers.erase(it);
    return m;
  }
  return std::nullopt;
}

}  // namespace

bool launched_by_mpi() {
  // OpenMPI's launcher (mpirun) and PMIx (srun with --mpi=pmix) set these for every rank.
  return std::getenv("OMPI_COMM_WORLD_SIZE") != nullptr || std::getenv("PMIX_RANK") != nullptr;
}

MpiWorld::MpiWorld(int* argc, char*** argv) {
  int provided = 0;
  // Serialized: a worker's heartbeat thread sends while its main thread trains (and makes no MPI
  // call); the two never call MPI at the same time.
  MPI_Init_thread(argc, argv, MPI_THREAD_SERIALIZED, &provided);
  serialized_ = provided >= MPI_THREAD_SERIALIZED;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  char name[MPI_MAX_PROCESSOR_NAME] = {};
  int length = 0;
  MPI_Get_processor_name(name, &length);
  node_.assign(name, static_cast<size_t>(length));
  // Ranks on this machine, and whether rank 0 is one of them (it does not train).
  MPI_Comm local;
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &local);
  int local_size = 1, local_rank = 0;
  MPI_Comm_size(local, &local_size);
  MPI_Comm_rank(local, &local_rank);  // ordered by world rank: rank 0 first where it is
  int has_rank0 = rank_ == 0 ? 1 : 0, local_has_rank0 = 0;
  MPI_Allreduce(&has_rank0, &local_has_rank0, 1, MPI_INT, MPI_MAX, local);
  MPI_Comm_free(&local);
  workers_on_node_ = local_size - local_has_rank0;
  worker_index_ = rank_ == 0 ? 0 : local_rank - local_has_rank0;
  if (size_ > 1) g_world = this;
}

MpiWorld::~MpiWorld() {
  if (rank_ == 0 && size_ > 1) release_workers();
  g_world = nullptr;
  MPI_Finalize();
}

MpiWorld* MpiWorld::current() { return g_world; }

void MpiWorld::release_workers() {
  if (released_ || rank_ != 0) return;
  released_ = true;
  std::set<int> waiting;
  for (int r = 1; r < size_; ++r) {
    mpi::post_text(r, mpi::kStop, "");
    waiting.insert(r);
  }
  // Every worker answers its stop: one that does not (stopped or frozen while it had nothing to
  // do, so no heartbeat was missed) would hold MPI_Finalize for ever.
  const Clock::time_point deadline = seconds_from_now(answer_limit_seconds);
  while (!waiting.empty()) {
    const double left = std::chrono::duration<double>(deadline - Clock::now()).count();
    if (left <= 0) break;
    const std::optional<mpi::Message> m = mpi::receive_for(mpi::kAnySource, left);
    if (m && m->tag == mpi::kStop) waiting.erase(m->source);
  }
  if (!waiting.empty()) {
    std::string ranks;
    for (int r : waiting) ranks += (ranks.empty() ? "" : ", ") + std::to_string(r);
    std::fprintf(stderr,
                 "mnas: MPI rank(s) %s did not answer the end of the job within %.1f s (stopped, "
                 "frozen, or the machine is gone): ending it with MPI_Abort; everything rank 0 "
                 "finished is stored\n",
                 ranks.c_str(), answer_limit_seconds);
    abort(1);
  }
  // Every worker took its stop, so every message posted to it before (in order) too: these
  // waits end at once, and MPI_Finalize finds no request open.
  for (Posted& p : g_posted) MPI_Wait(&p.request, MPI_STATUS_IGNORE);
  g_posted.clear();
}

void MpiWorld::abort(int code) {
  MPI_Abort(MPI_COMM_WORLD, code);
  std::exit(code);  // not reached
}

namespace mpi {

void send_text(int to, Tag tag, const std::string& text) {
  MNAS_ASSERT(text.size() < (size_t{1} << 31));
  MPI_Send(text.data(), static_cast<int>(text.size()), MPI_CHAR, to, tag, MPI_COMM_WORLD);
}

void post_text(int to, Tag tag, const std::string& text) {
  MNAS_ASSERT(text.size() < (size_t{1} << 31));
  reap_posted();
  Posted& p = g_posted.emplace_back();
  p.text = text;
  MPI_Isend(p.text.data(), static_cast<int>(p.text.size()), MPI_CHAR, to, tag, MPI_COMM_WORLD,
            &p.request);
}

std::optional<Message> receive_for(int from, double timeout_seconds) {
  // Polled with short sleeps rather than a blocking MPI_Probe: OpenMPI busy-waits in a blocking
  // call, so idle workers (and rank 0 waiting for them) would take the cores the trials and the
  // strategy need — on 2 cores with 8 workers, half the throughput (bench/mpi_scaling.sh). A
  // trial takes seconds; a few milliseconds more to notice its result do not matter.
  const Clock::time_point deadline = seconds_from_now(timeout_seconds);
  MPI_Status status;
  int arrived = 0;
  std::chrono::microseconds nap(50);
  while (true) {
    if (std::optional<Message> m = ended_transfer(from)) return m;
    MPI_Iprobe(from == kAnySource ? MPI_ANY_SOURCE : from, MPI_ANY_TAG, MPI_COMM_WORLD, &arrived,
               &status);
    if (arrived) {  // its transfer begins; the loop's next turn sees whether it has ended
      int count = 0;
      MPI_Get_count(&status, MPI_CHAR, &count);
      Transfer& t = g_transfers.emplace_back();
      t.message.source = status.MPI_SOURCE;
      t.message.tag = status.MPI_TAG;
      t.message.text.resize(static_cast<size_t>(count));
      MPI_Irecv(t.message.text.data(), count, MPI_CHAR, t.message.source, t.message.tag,
                MPI_COMM_WORLD, &t.request);
      nap = std::chrono::microseconds(50);
      continue;
    }
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(nap);
    nap = std::min(nap * 2, std::chrono::microseconds(5000));
  }
}

Message receive(int from) {
  for (;;) {
    if (std::optional<Message> m = receive_for(from, 3600)) return *m;
  }
}

}  // namespace mpi
}  // namespace mnas
