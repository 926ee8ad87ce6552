#ifndef MNAS_BASE_STOP_H_
#define MNAS_BASE_STOP_H_

#include <atomic>

namespace mnas {

// A cooperative stop for the long loops of one thread (a measurement's runs). Whoever started
// the work in that thread — the Python module, when Ctrl-C arrives — raises the flag from another
// thread, and the loop ends at its next check_stop() with an mnas::Error "stopped". A thread
// without a StopScope is never stopped: check_stop() then costs one thread-local read.
class StopScope {
 public:
  explicit StopScope(const std::atomic<bool>& flag);
  ~StopScope();
  StopScope(const StopScope&) = delete;
  StopScope& operator=(const StopScope&) = delete;

 private:
  const std::atomic<bool>* previous_;
};

// Throws mnas::Error("stopped ...") when this thread's StopScope flag is raised.
void check_stop();

}  // namespace mnas

#endif  // MNAS_BASE_STOP_H_
