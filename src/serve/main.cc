// mnas-device: the program that runs on the target device and times networks for mnas over
// HTTP/JSON (device_service.h has the API; docs/devices.md how to deploy and secure it).
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>

#include <CLI/CLI.hpp>

#include "base/error.h"
#include "base/number_format.h"
#include "base/token.h"
#include "latency/device.h"
#include "serve/device_server.h"
#include "serve/device_service.h"

namespace {

struct Options {
  std::string bind = "127.0.0.1:8765";
  std::string token_file;
  int workers = 0;
  int read_timeout = 5;
  int max_connections = 1000;
  bool quiet = false;
  mnas::ServiceLimits limits;
};

// "HOST:PORT" → host, port. Throws mnas::Error naming --bind.
std::pair<std::string, int> parse_bind(const std::string& text) {
  const size_t colon = text.rfind(':');
  const std::string host = colon == std::string::npos ? "" : text.substr(0, colon);
  const std::string port = colon == std::string::npos ? "" : text.substr(colon + 1);
  if (host.empty() || port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string::npos || std::stoi(port) > 65535) {
    throw mnas::Error("--bind: '" + text +
                      "' is not HOST:PORT (e.g. 127.0.0.1:8765, or 0.0.0.0:8765 for every "
                      "network interface)");
  }
  return {host, std::stoi(port)};
}

// An x86 CPU model on an ARM machine: qemu-user shows the host's /proc/cpuinfo.
bool looks_emulated(const mnas::DeviceInfo& info) {
  const bool x86 = info.machine == "x86_64" || info.machine == "i686";
  const bool x86_cpu = info.cpu_model.find("AMD") != std::string::npos ||
                       info.cpu_model.find("Intel") != std::string::npos;
  return !x86 && x86_cpu;
}

// Connections are files: raise the soft limit (often 1024) towards what --max-connections needs,
// as far as the hard limit allows; the server caps its connections by what it gets.
void raise_open_file_limit(int wanted) {
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) != 0 || files.rlim_cur == RLIM_INFINITY) return;
  const rlim_t target = std::min<rlim_t>(static_cast<rlim_t>(wanted), files.rlim_max);
  if (target <= files.rlim_cur) return;
  files.rlim_cur = target;
  setrlimit(RLIMIT_NOFILE, &files);
}

int run(const Options& o) {
  const auto [host, port] = parse_bind(o.bind);
  // Block the stop signals in every thread; one thread waits for them and stops the server.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  std::string token;
  bool generated = false;
  if (o.token_file.empty()) {
    token = mnas::generate_token();
    generated = true;
  } else {
    token = mnas::read_token_file(o.token_file);
  }
  mnas::LocalDevice device;
  const mnas::DeviceInfo info = device.info();
  mnas::DeviceService service(device, token, o.limits);
  std::mutex log_mutex;
  mnas::ServerOptions so;
  so.host = host;
  so.port = port;
  so.workers = o.workers;
  so.read_timeout_seconds = o.read_timeout;
  so.max_connections = o.max_connections;
  raise_open_file_limit(o.max_connections + 64);
  mnas::DeviceServer server(service, so, [&](const std::string& line) {
    if (o.quiet) return;
    std::lock_guard<std::mutex> lock(log_mutex);
    std::fprintf(stderr, "%s\n", line.c_str());
  });
  const int bound = server.bind();

  std::printf("mnas-device %s: %s (%s, %d logical CPUs, %s %s), device id %s\n",
              info.mnas_version.c_str(), info.cpu_model.c_str(), info.machine.c_str(),
              info.logical_cpus, info.engine.c_str(), info.engine_version.c_str(), info.id.c_str());
  std::printf("listening on http://%s:%d\n", host.c_str(), bound);
  if (generated) {
    std::printf(
        "token: %s\n(generated for this run; give it to clients with --device-token-file FILE "
        "or MNAS_DEVICE_TOKEN, or start with --token-file FILE to keep one)\n",
        token.c_str());
  }
  if (host != "127.0.0.1" && host != "localhost" && host != "::1") {
    std::printf(
        "note: serving beyond this machine; the token is sent in clear over HTTP: use a "
        "trusted network or a TLS proxy (docs/devices.md)\n");
  }
  if (looks_emulated(info)) {
    std::printf(
        "warning: an %s build on an x86 CPU model (%s): this looks emulated (qemu-user); timings "
        "mean nothing here, "
        "shapes and multiply-adds do\n",
        info.machine.c_str(), info.cpu_model.c_str());
  }
  std::fflush(stdout);

  int signal_number = 0;
  std::thread waiter([&] {
    sigwait(&stop_signals, &signal_number);
    server.stop();
  });
  server.serve();
  if (signal_number == 0) pthread_kill(waiter.native_handle(), SIGTERM);  // stopped otherwise
  waiter.join();
  std::fprintf(stderr, "mnas-device: stopped (%s)\n",
               signal_number == SIGINT ? "SIGINT" : "SIGTERM");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{
      "mnas-device: times networks for mnas on this device (the search's target), over "
      "HTTP/JSON.\nPoint mnas at it with --device http://HOST:PORT and the token it prints. "
      "See docs/devices.md."};
  app.name("mnas-device");
  app.set_version_flag("--version", "mnas-device " MNAS_VERSION);
  app.add_option("--bind", o.bind,
                 "Address to listen on, HOST:PORT (default 127.0.0.1:8765: this machine only; "
                 "0.0.0.0:8765 for every interface)");
  app.add_option("--token-file", o.token_file,
                 "File whose first line is the token clients must send (at least 16 "
                 "characters); default: a new random token, printed at start");
  app.add_option("--queue", o.limits.max_queue,
                 "Measurements that may wait behind the running one; beyond, 503 with "
                 "Retry-After (default 8)");
  app.add_option("--max-body", o.limits.max_body_bytes,
                 "Largest request body in bytes (default 1 MiB)");
  app.add_option("--max-macs", o.limits.max_macs, "Largest network in multiply-adds (default 5e9)");
  app.add_option("--max-params", o.limits.max_params,
                 "Largest network in parameters (default 1e8)");
  app.add_option(
      "--max-request-seconds", o.limits.max_request_seconds,
      "Refuse requests whose protocol could take longer in the worst case (default 600)");
  app.add_option("--max-threads", o.limits.max_threads,
                 "Most inference threads a request may ask (default: this machine's CPUs)");
  app.add_option("--workers", o.workers,
                 "Threads answering requests; connections themselves hold none (default: --queue "
                 "+ 4)");
  app.add_option("--read-timeout", o.read_timeout,
                 "Seconds a client may take to send a whole request, however slowly its bytes "
                 "come (408 after), and to take its answer; an idle connection is closed after "
                 "it (default 5)");
  app.add_option("--max-connections", o.max_connections,
                 "Connections open at once; at the limit the one waiting longest for its "
                 "request is closed to admit a new one (default 1000)");
  app.add_flag("--quiet", o.quiet, "No log line per request");
  // Integers as exact decimal text (integer_text_problem): CLI11 alone turns --max-body -1 into
  // 2^64 − 1, i.e. no limit at all.
  for (CLI::Option* opt : app.get_options()) {
    const std::string type = opt->get_type_name();
    if (type != "INT" && type != "UINT") continue;
    opt->check(CLI::Validator(
        [is_signed = type == "INT"](std::string& text) {
          return mnas::integer_text_problem(text, is_signed);
        },
        "", "decimal integer"));
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    return run(o);
  } catch (const mnas::Error& e) {
    std::cerr << "mnas-device: error: " << e.what() << "\n";
    return e.kind() == mnas::Error::Kind::kIo ? 1 : 2;
  } catch (const std::exception& e) {
    std::cerr << "mnas-device: failed: " << e.what() << "\n";
    return 1;
  }
}
