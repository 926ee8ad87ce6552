#ifndef MNAS_LATENCY_LATENCY_JSON_H_
#define MNAS_LATENCY_LATENCY_JSON_H_

#include <nlohmann/json.hpp>

#include "latency/latency_model.h"

namespace mnas {

// {median_ms, min_ms, mean_ms, std_ms, p90_ms, cv, runs, engine, provenance{...}, attempts[...]}
nlohmann::json latency_json(const LatencyResult& result);
nlohmann::json provenance_json(const Provenance& p);

}  // namespace mnas

#endif  // MNAS_LATENCY_LATENCY_JSON_H_
