#include "cli/device_options.h"

#include "base/error.h"
#include "base/number_format.h"
#include "devices/open_device.h"
#include "latency/remote_device.h"
#include "search/search_config.h"

namespace mnas::cli {

void add_device_options(CLI::App* cmd, DeviceOptions& o, bool per_layer) {
  cmd->add_option("--device", o.device,
                  per_layer ? "Where to measure: local (default: this machine) or the URL of an "
                              "mnas-device server on the target (http://HOST:PORT); a cmd: "
                              "device times whole networks only (docs/devices.md)"
                            : "Where to measure: local (default: this machine), the URL of an "
                              "mnas-device server on the target (http://HOST:PORT), or "
                              "cmd:COMMAND, any runtime that times the exported ONNX file "
                              "{model} and prints {\"median_ms\": ...} (docs/devices.md)");
  cmd->add_option("--device-token-file", o.token_file,
                  "File whose first line is the device's token (default: the MNAS_DEVICE_TOKEN "
                  "variable)");
  cmd->add_option("--device-retries", o.retries,
                  "Tries again this many times, waiting 0.5 s, 1 s, 2 s, ... up to 8 s, when a "
                  "remote device does not answer or is busy (default " +
                      std::to_string(o.retries) + ")");
  cmd->add_option("--device-timeout", o.timeout,
                  "Seconds one measurement may take: a remote device's answer, a cmd: device's "
                  "command (then it is killed; default " +
                      format_double(o.timeout) + ")");
}

void require_per_layer_device(const DeviceOptions& o) {
  if (o.device.rfind("cmd:", 0) == 0) {
    throw Error("--device: a cmd: device times whole exported networks only, not the layers a "
                "lookup table holds; use local or an mnas-device URL (docs/devices.md)");
  }
}

namespace {

// --device-retries and --device-timeout, checked: how every device is reached (the timeout
// bounds a remote answer and a cmd: device's command alike).
DeviceAccess checked_access(int retries, double timeout_seconds) {
  DeviceAccess access;
  if (retries < 0 || retries > 100) throw Error("--device-retries: must be in [0, 100]");
  access.retries = retries;
  if (!(timeout_seconds > 0 && timeout_seconds <= 86400)) {
    throw Error("--device-timeout: must be a number of seconds in (0, 86400]");
  }
  access.timeout_seconds = access.command_timeout_seconds = timeout_seconds;
  return access;
}

}  // namespace

std::shared_ptr<Device> open_device(const DeviceOptions& o) {
  DeviceAccess access = checked_access(o.retries, o.timeout);
  try {
    access.token = resolve_device_token(o.token_file);
  } catch (const Error& e) {
    throw Error(std::string("--device-token-file: ") + e.what(), e.kind());
  }
  return mnas::open_device(o.device, access, "", "--device");
}

void add_search_device_access_options(CLI::App* cmd, std::vector<std::string>& token_files,
                                      int& retries, double& timeout_seconds) {
  cmd->add_option("--device-token-file", token_files,
                  "FILE (every device) or NAME=FILE: the first line is the device's token "
                  "(default: the MNAS_DEVICE_TOKEN variable)");
  cmd->add_option("--device-retries", retries,
                  "Tries again this many times (0.5 s, 1 s, ... up to 8 s apart) when a device "
                  "does not answer; then the command pauses (exit code 75) and running it again "
                  "(a search with --resume) continues (default " +
                      std::to_string(retries) + ")");
  cmd->add_option("--device-timeout", timeout_seconds,
                  "Seconds one measurement may take: a remote device's answer, a cmd: device's "
                  "command (then it is killed and that network failed; default " +
                      format_double(timeout_seconds) + ")");
}

DeviceAccess search_device_access(const std::vector<std::string>& token_files, int retries,
                                  double timeout_seconds) {
  DeviceAccess access = checked_access(retries, timeout_seconds);
  try {
    access.token = resolve_device_token("");  // MNAS_DEVICE_TOKEN
    for (const std::string& spec : token_files) {
      const auto [name, file] = split_named(spec, "--device-token-file", "*");
      const std::string token = resolve_device_token(file);
      if (name == "*") {
        access.token = token;
      } else {
        access.tokens[name] = token;
      }
    }
  } catch (const Error& e) {
    throw Error(std::string("--device-token-file: ") + e.what(), e.kind());
  }
  return access;
}

}  // namespace mnas::cli
