#include "cli/device_options.h"

#include "latency/remote_device.h"
#include "space/error.h"

namespace mnas::cli {

void add_device_options(CLI::App* cmd, DeviceOptions& o) {
  cmd->add_option("--device", o.device,
                  "Where to measure: local (default: this machine) or the URL of an mnas-device "
                  "server on the target (http://HOST:PORT; docs/devices.md)");
  cmd->add_option("--device-token-file", o.token_file,
                  "File whose first line is the device's token (default: the MNAS_DEVICE_TOKEN "
                  "variable)");
}

std::shared_ptr<Device> open_device(const DeviceOptions& o) {
  RemoteOptions remote;
  try {
    remote.token = resolve_device_token(o.token_file);
  } catch (const Error& e) {
    throw Error(std::string("--device-token-file: ") + e.what(), e.kind());
  }
  return mnas::open_device(o.device, remote, "--device");
}

}  // namespace mnas::cli
