#include "latency/latency_json.h"

namespace mnas {

nlohmann::json provenance_json(const Provenance& p) {
  return {{"engine", p.engine},           {"engine_version", p.engine_version},
          {"cpu_model", p.cpu_model},     {"logical_cpus", p.logical_cpus},
          {"pinned_cpu", p.pinned_cpu},   {"threads", p.threads},
          {"input_shape", p.input_shape}, {"timestamp", p.timestamp}};
}

nlohmann::json protocol_json(const MeasureOptions& o) {
  return {{"warmup_runs", o.warmup_runs},   {"warmup_seconds", o.warmup_seconds},
          {"min_runs", o.min_runs},         {"min_seconds", o.min_seconds},
          {"max_seconds", o.max_seconds},   {"max_cv", o.max_cv},
          {"max_attempts", o.max_attempts}, {"cpu", o.cpu}};
}

nlohmann::json latency_json(const LatencyResult& r) {
  const LatencyStats& s = r.measurement.stats;
  nlohmann::json attempts = nlohmann::json::array();
  for (const LatencyStats& a : r.measurement.attempts) {
    attempts.push_back({{"median_ms", a.median_ms}, {"cv", a.cv}, {"runs", a.runs}});
  }
  return {{"median_ms", r.median_ms},
          {"min_ms", s.min_ms},
          {"mean_ms", s.mean_ms},
          {"std_ms", s.std_ms},
          {"p90_ms", s.p90_ms},
          {"cv", s.cv},
          {"runs", s.runs},
          {"engine", r.provenance.engine},
          {"provenance", provenance_json(r.provenance)},
          {"attempts", attempts}};
}

}  // namespace mnas
