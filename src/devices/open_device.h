#ifndef MNAS_DEVICES_OPEN_DEVICE_H_
#define MNAS_DEVICES_OPEN_DEVICE_H_

#include <map>
#include <memory>
#include <string>

#include "latency/device.h"

namespace mnas {

// How to reach devices: never stored with a search (tokens are secrets, and a board may move).
struct DeviceAccess {
  std::string token;                          // an mnas-device's token, for every device...
  std::map<std::string, std::string> tokens;  // ...without its own here (by device name)
  int retries = 6;                // a remote device's transient failures retried per call
  double timeout_seconds = 900;   // a remote device's answer to one measurement; Default: 900 s
  double command_timeout_seconds = 900;  // a cmd: device's command per network; Default: 900 s

  // The token of the device named `name` (its own, else the common one).
  const std::string& token_for(const std::string& name) const;
};

// The one way every command and the library open a device from its spec:
//   "local"                          this machine (LocalDevice)
//   "http://HOST:PORT" or "https://" an mnas-device server (RemoteDevice, with `access`)
//   "cmd:COMMAND"                    a runtime that times exported models (CommandDevice)
// `name` picks the device's own token in `access`. Throws mnas::Error naming `field` for
// anything else or a malformed spec.
std::shared_ptr<Device> open_device(const std::string& spec, const DeviceAccess& access,
                                    const std::string& name, const std::string& field);

}  // namespace mnas

#endif  // MNAS_DEVICES_OPEN_DEVICE_H_
