#ifndef MNAS_SEARCH_DEVICE_IDENTITY_H_
#define MNAS_SEARCH_DEVICE_IDENTITY_H_

#include <string>
#include <utility>
#include <vector>

#include "latency/device.h"
#include "store/store.h"

namespace mnas {

// Whether a resumed search still times on the kind of device its trials were timed on: for each
// device, the provenance of the latest trial measured there (its CPU model and engine version)
// against what the device says of itself now. Latencies of another CPU or another XNNPACK do not
// compare with the stored ones, and the reward would mix them.
//
// Throws mnas::Error naming the device, both descriptions and what to do when a device is now
// another kind. Returns one note per device that is another machine of the same kind (another id:
// a board swapped for an identical one), whose latencies do compare. Devices without a stored
// measurement (a new search, a device added on resume, old stores) pass.
std::vector<std::string> check_device_identity(
    const std::vector<StoredTrial>& trials,
    const std::vector<std::pair<std::string, DeviceInfo>>& devices);

}  // namespace mnas

#endif  // MNAS_SEARCH_DEVICE_IDENTITY_H_
