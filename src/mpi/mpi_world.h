#ifndef MNAS_DIST_MPI_WORLD_H_
#define MNAS_DIST_MPI_WORLD_H_

#include <string>

namespace mnas {

// Whether this process was started by mpirun (or srun) with OpenMPI: its environment says so.
// Only then is MPI initialised, so that a plain `mnas search` never starts MPI.
bool launched_by_mpi();

// MPI for the life of the process (MPI_Init_thread .. MPI_Finalize) and who this process is in
// it. Rank 0 runs the command (and, for a search, owns the store and the strategy); every other
// rank is a worker that evaluates trials (mpi/mpi_worker.h).
class MpiWorld {
 public:
  MpiWorld(int* argc, char*** argv);
  ~MpiWorld();
  MpiWorld(const MpiWorld&) = delete;
  MpiWorld& operator=(const MpiWorld&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  // Worker ranks on this process's machine (rank 0 does not train): they share its cores.
  int workers_on_this_node() const { return workers_on_node_; }
  // This worker's place among them, from 0 (a GPU per worker: mpi/mpi_worker.cc).
  int worker_index_on_node() const { return worker_index_; }
  const std::string& node() const { return node_; }
  // Whether a second thread may call MPI while this one does not (MPI_THREAD_SERIALIZED).
  bool threads_serialized() const { return serialized_; }

  // The world of this process (nullptr when not started by MPI or with a single rank).
  static MpiWorld* current();

  // Rank 0: tells every worker that there is nothing (more) to do, so that they return; once.
  // A worker that does not answer within `answer_limit_seconds` ends the job with MPI_Abort.
  void release_workers();
  double answer_limit_seconds = 30;
  // Rank 0: evaluations running on workers right now (MpiTrialRunner keeps it): when the command
  // ends with some still running, the job is aborted rather than left waiting for them.
  int in_flight = 0;

  // Ends the whole job at once (MPI_Abort) with `code`.
  [[noreturn]] void abort(int code);

 private:
  int rank_ = 0, size_ = 1, workers_on_node_ = 0, worker_index_ = 0;
  std::string node_;
  bool released_ = false;
  bool serialized_ = false;
};

}  // namespace mnas

#endif  // MNAS_DIST_MPI_WORLD_H_
