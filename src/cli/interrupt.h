#ifndef MNAS_CLI_INTERRUPT_H_
#define MNAS_CLI_INTERRUPT_H_

#include <atomic>

namespace mnas::cli {

// Ctrl-C (SIGINT) and SIGTERM for long commands. While a guard lives, the first signal only asks
// the work to stop at its next safe point (requested() turns true; a line on stderr says so); a
// second one ends the process at once, as if no guard were there. The destructor restores what was
// there before.
class InterruptGuard {
 public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

  static const std::atomic<bool>& requested();
  static int signal_number();  // 0 until a signal came
  static const char* signal_name();
};

// Thrown from a long command's progress callback once requested() is true, to unwind the work at
// a safe point (after the unit in progress was saved); the command then says what was kept.
struct Interrupted {};

// The exit code of a command that stopped for `signal`: 128 + signal (130 for SIGINT, 143 for
// SIGTERM), the shells' convention.
inline int interrupted_exit_code(int signal) { return 128 + signal; }

}  // namespace mnas::cli

#endif  // MNAS_CLI_INTERRUPT_H_
