#include "devices/open_device.h"

#include "base/error.h"
#include "export/command_device.h"
#include "latency/device.h"
#include "latency/remote_device.h"

namespace mnas {

const std::string& DeviceAccess::token_for(const std::string& name) const {
  const auto own = tokens.find(name);
  return own != tokens.end() ? own->second : token;
}

std::shared_ptr<Device> open_device(const std::string& spec, const DeviceAccess& access,
                                    const std::string& name, const std::string& field) {
  try {
    if (spec == "local") return std::make_shared<LocalDevice>();
    if (spec.rfind("http://", 0) == 0 || spec.rfind("https://", 0) == 0) {
      RemoteOptions remote;
      remote.token = access.token_for(name);
      remote.retries = access.retries;
      remote.read_timeout_seconds = access.timeout_seconds;
      return std::make_shared<RemoteDevice>(spec, remote);
    }
    if (spec.rfind("cmd:", 0) == 0) {
      CommandDeviceOptions command;
      command.command = spec.substr(4);
      command.timeout_seconds = access.command_timeout_seconds;
      return std::make_shared<CommandDevice>(command);
    }
  } catch (const Error& e) {
    throw Error(field + ": " + e.what(), e.kind());
  }
  throw Error(field + ": '" + spec +
              "' is not a device; use local, the URL of an mnas-device server "
              "(http://HOST:PORT) or cmd:COMMAND (a runtime that times the exported model)");
}

}  // namespace mnas
