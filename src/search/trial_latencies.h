#ifndef MNAS_SEARCH_TRIAL_LATENCIES_H_
#define MNAS_SEARCH_TRIAL_LATENCIES_H_

#include <string>
#include <vector>

#include "search/trial.h"

namespace mnas {

// The per-device latencies as the store keeps them in a trial's latency_json:
// {"devices": [{"device", "latency_ms", "target_ms", "ratio", "stats": {...}}, ...]}, and back.
// Reading validates every value (names, finite numbers > 0) and throws mnas::Error naming `where`
// and the field; a latency_json without "devices" (one measurement, older stores) gives {}.
std::string encode_latencies(const std::vector<DeviceLatency>& latencies);
std::vector<DeviceLatency> decode_latencies(const std::string& latency_json,
                                            const std::string& where);

}  // namespace mnas

#endif  // MNAS_SEARCH_TRIAL_LATENCIES_H_
