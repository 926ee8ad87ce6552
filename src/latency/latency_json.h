#ifndef MNAS_LATENCY_LATENCY_JSON_H_
#define MNAS_LATENCY_LATENCY_JSON_H_

#include <nlohmann/json.hpp>

#include "latency/latency_model.h"
#include "latency/measurement.h"

namespace mnas {

// {median_ms, min_ms, mean_ms, std_ms, p90_ms, cv, runs, engine, provenance{...}, attempts[...]}
nlohmann::json latency_json(const LatencyResult& result);
nlohmann::json provenance_json(const Provenance& p);
// The measurement's own settings, so that a result can be reproduced:
// {warmup_runs, warmup_seconds, min_runs, min_seconds, max_seconds, max_cv, max_attempts, cpu}
nlohmann::json protocol_json(const MeasureOptions& o);

}  // namespace mnas

#endif  // MNAS_LATENCY_LATENCY_JSON_H_
