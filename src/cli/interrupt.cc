#include "cli/interrupt.h"

#include <signal.h>
#include <unistd.h>

#include <cstring>

namespace mnas::cli {
namespace {

std::atomic<bool> g_requested{false};
std::atomic<int> g_signal{0};
struct sigaction g_previous_int, g_previous_term;

void on_signal(int signal) {
  g_signal = signal;
  g_requested = true;
  // Async-signal-safe only: write(2) and sigaction(2). The next signal takes the default action.
  const char message[] =
      "\nmnas: stopping after the current unit of work (again to stop at once)\n";
  [[maybe_unused]] const ssize_t n = write(STDERR_FILENO, message, sizeof message - 1);
  struct sigaction dfl;
  std::memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  sigaction(SIGINT, &dfl, nullptr);
  sigaction(SIGTERM, &dfl, nullptr);
}

}  // namespace

InterruptGuard::InterruptGuard() {
  g_requested = false;
  g_signal = 0;
  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &g_previous_int);
  sigaction(SIGTERM, &sa, &g_previous_term);
}

InterruptGuard::~InterruptGuard() {
  sigaction(SIGINT, &g_previous_int, nullptr);
  sigaction(SIGTERM, &g_previous_term, nullptr);
}

const std::atomic<bool>& InterruptGuard::requested() { return g_requested; }

int InterruptGuard::signal_number() { return g_signal; }

const char* InterruptGuard::signal_name() {
  return g_signal == SIGINT ? "Ctrl-C (SIGINT)" : g_signal == SIGTERM ? "SIGTERM" : "a signal";
}

}  // namespace mnas::cli
