#include "dist/mpi_worker.h"

#include <signal.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <sstream>
#include <string>

#include "dist/mpi_protocol.h"
#include "latency/measurement.h"
#include "search/scoring.h"
#include "search/search_config.h"
#include "space/architecture_codec.h"
#include "space/error.h"
#include "space/json_fields.h"
#include "train/train_device.h"

namespace mnas {

int run_mpi_worker(MpiWorld& world) {
  ::signal(SIGINT, SIG_IGN);
  ::signal(SIGTERM, SIG_IGN);
  const std::string who = "mnas: MPI rank " + std::to_string(world.rank());
  std::unique_ptr<Evaluator> evaluator;
  try {
    while (true) {
      const mpi::Message m = mpi::receive(0);
      if (m.tag == mpi::kStop) return 0;
      if (m.tag == mpi::kStart) {
        const nlohmann::json j = json_fields::parse(m.text, "search from rank 0");
        SearchConfig config = search_config_from_json(j.at("config"), "config");
        EvaluatorRuntime runtime = mpi::runtime_from_json(j.at("runtime"));
        if (runtime.threads == 0) {
          runtime.threads = std::max(1, usable_cpus() / std::max(1, world.workers_on_this_node()));
        }
        // "cuda" and "auto": this worker's own GPU (its place on its machine, modulo the GPUs).
        set_default_cuda_index(world.worker_index_on_node());
        evaluator = make_evaluator(config, runtime);
        const std::string device =
            config.evaluator == "proxy"
                ? ", on " + describe_train_device(
                                resolve_train_device(runtime.train_device, "--train-device"))
                : std::string();
        std::fprintf(stderr, "%s on %s: evaluator %s, %d training thread(s)%s\n", who.c_str(),
                     world.node().c_str(), evaluator->name().c_str(), runtime.threads,
                     device.c_str());
        continue;
      }
      if (m.tag != mpi::kTask || !evaluator) {
        throw Error("unexpected message from rank 0 (tag " + std::to_string(m.tag) + ")");
      }
      // "TICKET IMAGES HOLDOUT RUN_IMAGES ARCHITECTURE" (MpiTrialRunner::start).
      std::istringstream task(m.text);
      int ticket = -1;
      int64_t images = -1, holdout = -1, run_images = -1;
      std::string arch;
      if (!(task >> ticket >> images >> holdout >> run_images) || ticket < 0 || images < 0 ||
          holdout < 0 || run_images < 0 || !std::getline(task >> std::ws, arch) || arch.empty()) {
        throw Error("task: not 'TICKET IMAGES HOLDOUT RUN_IMAGES ARCHITECTURE'");
      }
      Evaluation e;
      try {
        e = evaluate_safely(*evaluator, parse_architecture_string(arch), images, holdout,
                            run_images);
      } catch (const std::exception& ex) {  // an architecture this rank cannot read
        e.ok = false;
        e.failure = ex.what();
      }
      mpi::send_text(0, mpi::kResult,
                     nlohmann::json{{"ticket", ticket}, {"evaluation", mpi::evaluation_json(e)}}
                         .dump());
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: error: %s\n", who.c_str(), e.what());
    world.abort(1);
  }
}

}  // namespace mnas
