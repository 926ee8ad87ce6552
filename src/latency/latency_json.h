#ifndef MNAS_LATENCY_LATENCY_JSON_H_
#define MNAS_LATENCY_LATENCY_JSON_H_

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "latency/device.h"
#include "latency/latency_result.h"
#include "latency/measurement.h"
#include "latency/operator_profile.h"

namespace mnas {

// The JSON of latency results: what `mnas latency --json` prints, what the store keeps with a
// trial and what an mnas-device server answers. Every reader validates what it reads (types,
// finite non-negative numbers) and throws mnas::Error naming the field, prefixed with `path`
// ("device http://board:8765: provenance.threads: expected an integer, got string").

// {median_ms, min_ms, mean_ms, std_ms, p90_ms, cv, runs, engine, provenance{...}, attempts[...]}
nlohmann::json latency_json(const LatencyResult& result);
LatencyResult latency_result_from_json(const nlohmann::json& j, const std::string& path);

// {device, device_id, engine, engine_version, cpu_model, logical_cpus, pinned_cpu, threads,
//  input_shape, timestamp}; device and device_id may be missing when read (older records).
nlohmann::json provenance_json(const Provenance& p);
Provenance provenance_from_json(const nlohmann::json& j, const std::string& path);

// The measurement's own settings, so that a result can be reproduced:
// {warmup_runs, warmup_seconds, min_runs, min_seconds, max_seconds, max_cv, max_attempts, cpu}
nlohmann::json protocol_json(const MeasureOptions& o);
// Reads a protocol: a preset name ("search", measure_presets.h) or an object with any of the
// fields above and an optional "preset" (Default: "latency") that the fields override. Validated
// (measurement.h's validate), unknown fields refused.
MeasureOptions protocol_from_json(const nlohmann::json& j, const std::string& path);

// Per-operator times (`--profile`): [{op, kind, name, input, output, kernel, stride, macs,
// median_ms}, ...]
nlohmann::json operators_json(const std::vector<OperatorTiming>& operators);
std::vector<OperatorTiming> operators_from_json(const nlohmann::json& j, const std::string& path);

// {id, cpu_model, machine, logical_cpus, engine, engine_version, mnas_version}
nlohmann::json device_info_json(const DeviceInfo& info);
DeviceInfo device_info_from_json(const nlohmann::json& j, const std::string& path);

// {candidate: latency_json, reference: latency_json}
nlohmann::json paired_latency_json(const PairedLatency& p);
PairedLatency paired_latency_from_json(const nlohmann::json& j, const std::string& path);

// [{key, median_ms, std_ms, runs}, ...]
nlohmann::json lut_entries_json(const std::vector<LutEntryTiming>& entries);
std::vector<LutEntryTiming> lut_entries_from_json(const nlohmann::json& j, const std::string& path);

// "HxWxC" of a ValueShape, read back; throws naming `path`.
ValueShape value_shape_from_string(const std::string& text, const std::string& path);

}  // namespace mnas

#endif  // MNAS_LATENCY_LATENCY_JSON_H_
