#include <malloc.h>

#include <cstdio>
#include <cstdlib>

#include "cli/app.h"
#if MNAS_WITH_MPI
#include "mpi/mpi_worker.h"
#include "mpi/mpi_world.h"
#endif

int main(int argc, char** argv) {
  // glibc returns large buffers to the OS after every free and faults them back in on the next
  // allocation; with LibTorch's activation buffers that costs up to 5× in training throughput
  // (shared/facts.md). Keep freed memory instead.
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
#if !MNAS_WITH_MPI
  if (std::getenv("OMPI_COMM_WORLD_SIZE") != nullptr || std::getenv("PMIX_RANK") != nullptr) {
    std::fprintf(stderr,
                 "mnas: error: this mnas was built without MPI (-DMNAS_WITH_MPI=OFF); run it "
                 "without mpirun, or build it with OpenMPI\n");
    return 2;
  }
  return mnas::cli::run(argc, argv);
#else
  if (!mnas::launched_by_mpi()) return mnas::cli::run(argc, argv);
  // Under mpirun: rank 0 runs the command (a search hands its evaluations to the other ranks);
  // every other rank is a worker until rank 0 releases it.
  mnas::MpiWorld world(&argc, &argv);
  if (world.rank() > 0) return mnas::run_mpi_worker(world);
  const int code = mnas::cli::run(argc, argv);
  // Ending with evaluations still running on workers (a failure, a paused search): end them too
  // rather than leave them waiting; everything finished is in the store.
  if (world.in_flight > 0) world.abort(code == 0 ? 1 : code);
  return code;  // ~MpiWorld releases the workers
#endif
}
