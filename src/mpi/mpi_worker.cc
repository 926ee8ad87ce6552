#include "mpi/mpi_worker.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>

#include "base/error.h"
#include "base/json_fields.h"
#include "base/machine.h"
#include "latency/measurement.h"
#include "mpi/mpi_protocol.h"
#include "search/scoring.h"
#include "search/search_config.h"
#include "space/architecture_codec.h"
#include "train/train_device.h"

namespace mnas {
namespace {

// Sends "<ticket>" to rank 0 every `seconds` from its own thread for as long as it lives (a task's
// evaluation); the main thread makes no MPI call meanwhile (MPI_THREAD_SERIALIZED).
class Heartbeat {
 public:
  Heartbeat(int ticket, double seconds) {
    if (seconds <= 0) return;
    thread_ = std::thread([this, ticket, seconds] {
      std::unique_lock<std::mutex> lock(mutex_);
      const auto period = std::chrono::duration<double>(seconds);
      while (!stop_) {
        if (wake_.wait_for(lock, period, [this] { return stop_; })) break;
        mpi::send_text(0, mpi::kAlive, std::to_string(ticket));
      }
    });
  }
  ~Heartbeat() {
    if (!thread_.joinable()) return;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace

int run_mpi_worker(MpiWorld& world) {
  ::signal(SIGINT, SIG_IGN);
  ::signal(SIGTERM, SIG_IGN);
  const std::string who = "mnas: MPI rank " + std::to_string(world.rank());
  std::unique_ptr<Evaluator> evaluator;
  double heartbeat_seconds = 0;
  try {
    while (true) {
      const mpi::Message m = mpi::receive(0);
      if (m.tag == mpi::kStop) {
        mpi::send_text(0, mpi::kStop, "");  // rank 0 waits for every worker's answer
        return 0;
      }
      if (m.tag == mpi::kStart) {
        const nlohmann::json j = json_fields::parse(m.text, "search from rank 0");
        SearchConfig config = search_config_from_json(j.at("config"), "config");
        EvaluatorRuntime runtime = mpi::runtime_from_json(j.at("runtime"));
        heartbeat_seconds = world.threads_serialized()
                                ? json_fields::as_double(j.at("heartbeat_seconds"),
                                                         "heartbeat_seconds")
                                : 0;
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
        std::fprintf(stderr, "%s (pid %d) on %s: evaluator %s, %d training thread(s)%s\n",
                     who.c_str(), static_cast<int>(::getpid()), world.node().c_str(),
                     evaluator->name().c_str(), runtime.threads, device.c_str());
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
        const Heartbeat alive(ticket, heartbeat_seconds);
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
