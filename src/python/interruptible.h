#ifndef MNAS_PYTHON_INTERRUPTIBLE_H_
#define MNAS_PYTHON_INTERRUPTIBLE_H_

#include <pybind11/pybind11.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include "base/stop.h"

namespace mnas::python {

// Runs `work` in a thread of its own while this one waits without the GIL, so that other Python
// threads run meanwhile; Ctrl-C (a signal seen by PyErr_CheckSignals every 50 ms) stops the work at
// its next check_stop() (base/stop.h: a measurement's next run, a training's next step) and
// raises KeyboardInterrupt.
// The work's own mnas::Error is rethrown here.
template <typename Work>
inline auto run_interruptible(Work work) -> decltype(work()) {
  using Result = decltype(work());
  std::atomic<bool> stop{false};
  std::packaged_task<Result()> task([&] {
    const StopScope scope(stop);
    return work();
  });
  std::future<Result> result = task.get_future();
  std::thread worker(std::move(task));
  bool interrupted = false;
  {
    pybind11::gil_scoped_release release;
    while (result.wait_for(std::chrono::milliseconds(50)) != std::future_status::ready) {
      pybind11::gil_scoped_acquire acquire;
      if (PyErr_CheckSignals() != 0) {  // KeyboardInterrupt is now pending in this thread
        interrupted = true;
        stop = true;
        break;
      }
    }
    result.wait();
  }
  worker.join();
  if (interrupted) throw pybind11::error_already_set();
  return result.get();
}

}  // namespace mnas::python

#endif  // MNAS_PYTHON_INTERRUPTIBLE_H_
