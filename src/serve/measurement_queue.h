#ifndef MNAS_SERVE_MEASUREMENT_QUEUE_H_
#define MNAS_SERVE_MEASUREMENT_QUEUE_H_

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>

namespace mnas {

// Lets one measurement run at a time, in arrival order, so that two clients never disturb each
// other's timings; at most `max_waiting` requests wait behind the running one, and a request
// beyond that is turned away at once (the server answers 503 with Retry-After). Thread-safe.
class MeasurementQueue {
 public:
  explicit MeasurementQueue(int max_waiting);

  // Held while a measurement runs; releasing it lets the next waiting request in.
  class Turn {
   public:
    Turn(Turn&& other) noexcept : queue_(other.queue_) { other.queue_ = nullptr; }
    Turn& operator=(Turn&&) = delete;
    Turn(const Turn&) = delete;
    ~Turn();

   private:
    friend class MeasurementQueue;
    explicit Turn(MeasurementQueue* queue) : queue_(queue) {}
    MeasurementQueue* queue_;
  };

  // Waits for this request's turn; nullopt (at once) when `max_waiting` requests already wait.
  std::optional<Turn> enter();

  int waiting() const;  // requests waiting, not counting the running one
  bool busy() const;    // a measurement is running
  int max_waiting() const { return max_waiting_; }

 private:
  void leave();

  const int max_waiting_;
  mutable std::mutex mutex_;
  std::condition_variable turn_changed_;
  uint64_t next_ticket_ = 0;  // FIFO: tickets are served in the order they were drawn
  uint64_t serving_ = 0;
  bool running_ = false;
};

}  // namespace mnas

#endif  // MNAS_SERVE_MEASUREMENT_QUEUE_H_
