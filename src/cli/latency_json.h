#ifndef MNAS_CLI_LATENCY_JSON_H_
#define MNAS_CLI_LATENCY_JSON_H_

#include <nlohmann/json.hpp>

#include "latency/latency_model.h"

namespace mnas::cli {

// {median_ms, min_ms, mean_ms, std_ms, p90_ms, cv, runs, engine, provenance{...}, attempts[...]}
nlohmann::json latency_json(const LatencyResult& result);
nlohmann::json provenance_json(const Provenance& p);

}  // namespace mnas::cli

#endif  // MNAS_CLI_LATENCY_JSON_H_
