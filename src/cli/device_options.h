#ifndef MNAS_CLI_DEVICE_OPTIONS_H_
#define MNAS_CLI_DEVICE_OPTIONS_H_

#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "latency/device.h"
#include "latency/remote_device.h"

namespace mnas::cli {

// The device a command measures on, as every command that takes one declares it.
struct DeviceOptions {
  std::string device = "local";  // "local" or an mnas-device URL
  std::string token_file;        // else MNAS_DEVICE_TOKEN
  int retries = RemoteOptions{}.retries;
  double timeout = RemoteOptions{}.read_timeout_seconds;
};

// Declares --device, --device-token-file, --device-retries and --device-timeout on `cmd`; `options` must outlive
// `cmd`.
void add_device_options(CLI::App* cmd, DeviceOptions& options);

// The device `options` name, with its token resolved (latency/remote_device.h). Throws
// mnas::Error naming the bad flag.
std::shared_ptr<Device> open_device(const DeviceOptions& options);

}  // namespace mnas::cli

#endif  // MNAS_CLI_DEVICE_OPTIONS_H_
