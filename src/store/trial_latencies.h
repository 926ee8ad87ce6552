#ifndef MNAS_STORE_TRIAL_LATENCIES_H_
#define MNAS_STORE_TRIAL_LATENCIES_H_

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/trial.h"

namespace mnas {

// The per-device latencies as the store keeps them in a trial's latency_json:
// {"devices": [{"device", "latency_ms", "target_ms", "ratio", "stats": {...}}, ...]}, and back.
// Reading validates every value (names, finite numbers > 0) and throws mnas::Error naming `where`
// and the field; a latency_json without "devices" (one measurement, older stores) gives {}.
std::string encode_latencies(const std::vector<DeviceLatency>& latencies);
// The "devices" array of that JSON; without each device's "stats" unless `with_stats` (what the
// Python API lists).
nlohmann::json latency_rows(const std::vector<DeviceLatency>& latencies, bool with_stats);
std::vector<DeviceLatency> decode_latencies(const std::string& latency_json,
                                            const std::string& where);

// An evaluator's extra metrics as the store keeps them: a JSON object of at most 32 names (1 to 64
// letters, digits, '_', '-', '.') → finite numbers, dumped compactly; "" for none (null or an
// empty object). Throws mnas::Error naming `where` and the metric for anything else.
std::string checked_metrics(const nlohmann::json& metrics, const std::string& where);
// The same from stored text ("" stays "").
std::string checked_metrics_text(const std::string& text, const std::string& where);

}  // namespace mnas

#endif  // MNAS_STORE_TRIAL_LATENCIES_H_
