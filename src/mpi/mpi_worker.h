#ifndef MNAS_DIST_MPI_WORKER_H_
#define MNAS_DIST_MPI_WORKER_H_

#include "mpi/mpi_world.h"

namespace mnas {

// A worker rank's life: waits for rank 0's search (or for word that there is none), builds the
// evaluator from its configuration, evaluates every architecture it is given and sends each
// result back, until rank 0 says stop. Training threads default to this machine's CPUs shared
// among the worker ranks on it. SIGINT and SIGTERM are left to rank 0 (mpirun forwards them to
// every rank): it finishes the trials running here, stores them and then stops the workers.
// Returns the process's exit code; an evaluator that cannot be built (a data set missing on this
// machine) aborts the job with the reason.
int run_mpi_worker(MpiWorld& world);

}  // namespace mnas

#endif  // MNAS_DIST_MPI_WORKER_H_
