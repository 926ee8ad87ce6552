#include "serve/measurement_queue.h"

#include <cstdint>

#include "base/error.h"

namespace mnas {

MeasurementQueue::MeasurementQueue(int max_waiting) : max_waiting_(max_waiting) {
  if (max_waiting < 0 || max_waiting > 10000) {
    throw Error("queue: " + std::to_string(max_waiting) +
                " is out of range; must be in [0, 10000]");
  }
}

std::optional<MeasurementQueue::Turn> MeasurementQueue::enter() {
  std::unique_lock<std::mutex> lock(mutex_);
  // Tickets drawn and not yet served, the running one included.
  const uint64_t in_line = next_ticket_ - serving_;
  const uint64_t waiting_now = running_ ? in_line - 1 : in_line;
  if (running_ && waiting_now >= static_cast<uint64_t>(max_waiting_)) return std::nullopt;
  const uint64_t ticket = next_ticket_++;
  turn_changed_.wait(lock, [&] { return !running_ && serving_ == ticket; });
  running_ = true;
  return Turn(this);
}

void MeasurementQueue::leave() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    running_ = false;
    ++serving_;
  }
  turn_changed_.notify_all();
}

MeasurementQueue::Turn::~Turn() {
  if (queue_) queue_->leave();
}

int MeasurementQueue::waiting() const {
  std::lock_guard<std::mutex> lock(mutex_);
  const uint64_t in_line = next_ticket_ - serving_;
  return static_cast<int>(running_ ? in_line - 1 : in_line);
}

bool MeasurementQueue::busy() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return running_;
}

}  // namespace mnas
