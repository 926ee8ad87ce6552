#include "base/stop.h"

#include "base/error.h"

namespace mnas {
namespace {

thread_local const std::atomic<bool>* g_stop_flag = nullptr;

}  // namespace

StopScope::StopScope(const std::atomic<bool>& flag) : previous_(g_stop_flag) {
  g_stop_flag = &flag;
}

StopScope::~StopScope() { g_stop_flag = previous_; }

void check_stop() {
  if (g_stop_flag != nullptr && g_stop_flag->load(std::memory_order_relaxed)) {
    throw Error("stopped: interrupted before it finished");
  }
}

}  // namespace mnas
