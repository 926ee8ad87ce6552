#ifndef MNAS_CLI_DEVICE_OPTIONS_H_
#define MNAS_CLI_DEVICE_OPTIONS_H_

#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "latency/device.h"
#include "latency/remote_device.h"
#include "search/latency_objective.h"

namespace mnas::cli {

// The device a command measures on, as every command that takes one declares it.
struct DeviceOptions {
  std::string device = "local";  // "local" or an mnas-device URL
  std::string token_file;        // else MNAS_DEVICE_TOKEN
  int retries = RemoteOptions{}.retries;
  double timeout = RemoteOptions{}.read_timeout_seconds;
};

// Declares --device, --device-token-file, --device-retries and --device-timeout on `cmd`; `options`
// must outlive `cmd`. `per_layer`: the command times layers, not whole networks (lookup tables), so
// a cmd: device is not offered (require_per_layer_device refuses it).
void add_device_options(CLI::App* cmd, DeviceOptions& options, bool per_layer = false);
// Throws mnas::Error naming --device when `options` names a cmd: device (it times whole
// exported networks only).
void require_per_layer_device(const DeviceOptions& options);

// How a search reaches its named devices (mnas search, mnas finalize): `token_files` as
// --device-token-file gives them (FILE for every device, NAME=FILE for one; MNAS_DEVICE_TOKEN
// otherwise), --device-retries and --device-timeout. Throws mnas::Error naming the flag.
// Declares those three flags on `cmd` (the variables must outlive it).
void add_search_device_access_options(CLI::App* cmd, std::vector<std::string>& token_files,
                                      int& retries, double& timeout_seconds);
DeviceAccess search_device_access(const std::vector<std::string>& token_files, int retries,
                                  double timeout_seconds);

// The device `options` name, with its token resolved (latency/remote_device.h). Throws
// mnas::Error naming the bad flag.
std::shared_ptr<Device> open_device(const DeviceOptions& options);

}  // namespace mnas::cli

#endif  // MNAS_CLI_DEVICE_OPTIONS_H_
