#include "mpi/mpi_protocol.h"

#include "base/error.h"
#include "base/json_fields.h"
#include "store/trial_latencies.h"

namespace mnas::mpi {

namespace jf = json_fields;

nlohmann::json runtime_json(const EvaluatorRuntime& r) {
  return {{"data_dir", r.data_dir},
          {"threads", r.threads},
          {"surrogate_cost_ms", r.surrogate_cost_ms},
          {"work_dir", r.work_dir},
          {"train_device", r.train_device}};
}

EvaluatorRuntime runtime_from_json(const nlohmann::json& j) {
  jf::require_object(j, "runtime");
  jf::reject_unknown_keys(
      j, {"data_dir", "threads", "surrogate_cost_ms", "work_dir", "train_device"}, "runtime");
  EvaluatorRuntime r;
  r.data_dir = jf::as_string(jf::required(j, "data_dir", "runtime"), "runtime.data_dir");
  r.threads = jf::as_int(jf::required(j, "threads", "runtime"), "runtime.threads", 0, 1024);
  r.surrogate_cost_ms =
      jf::as_double(jf::required(j, "surrogate_cost_ms", "runtime"), "runtime.surrogate_cost_ms");
  r.work_dir = jf::as_string(jf::required(j, "work_dir", "runtime"), "runtime.work_dir");
  r.train_device =
      jf::as_string(jf::required(j, "train_device", "runtime"), "runtime.train_device");
  return r;
}

nlohmann::json evaluation_json(const Evaluation& e) {
  return {{"ok", e.ok},
          {"failure", e.failure},
          {"accuracy", e.accuracy},
          {"latency_ms", e.latency_ms},
          {"latency_json", e.latency_json},
          {"latencies", e.latencies.empty() ? "" : encode_latencies(e.latencies)},
          {"seconds", e.seconds},
          {"metrics", e.metrics_json}};
}

Evaluation evaluation_from_json(const nlohmann::json& j, const std::string& where) {
  jf::require_object(j, where);
  jf::reject_unknown_keys(
      j, {"ok", "failure", "accuracy", "latency_ms", "latency_json", "latencies", "seconds",
          "metrics"},
      where);
  Evaluation e;
  const nlohmann::json& ok = jf::required(j, "ok", where);
  if (!ok.is_boolean()) throw Error(where + ".ok: expected a boolean");
  e.ok = ok.get<bool>();
  e.failure = jf::as_string(jf::required(j, "failure", where), where + ".failure");
  e.accuracy = jf::as_double(jf::required(j, "accuracy", where), where + ".accuracy");
  e.latency_ms = jf::as_double(jf::required(j, "latency_ms", where), where + ".latency_ms");
  e.latency_json = jf::as_string(jf::required(j, "latency_json", where), where + ".latency_json");
  e.latencies = decode_latencies(
      jf::as_string(jf::required(j, "latencies", where), where + ".latencies"), where);
  e.seconds = jf::as_double(jf::required(j, "seconds", where), where + ".seconds");
  e.metrics_json = checked_metrics_text(
      jf::as_string(jf::required(j, "metrics", where), where + ".metrics"), where + ".metrics");
  return e;
}

}  // namespace mnas::mpi
