// mnas.Store: a search's store read from Python — its trials, references, Pareto front per
// device and configuration as lists of dicts (no pandas needed). Read-only: the search that
// writes it (mnas search, or later the ask/tell API) is its one writer.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <filesystem>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/json_fields.h"
#include "python/json_convert.h"
#include "store/results_views.h"
#include "store/store.h"
#include "store/trial_latencies.h"

namespace py = pybind11;

namespace mnas::python {
namespace {

nlohmann::json outcome_json(const StoredOutcome& o) {
  return {{"status", o.status},          {"failure", o.failure},
          {"accuracy", o.accuracy},      {"latency_ms", o.latency_ms},
          {"reward", o.reward},          {"seconds", o.seconds},
          {"latencies", latency_rows(o.latencies, false)}};
}

nlohmann::json trial_json(const StoredTrial& t) {
  nlohmann::json j = outcome_json(t);
  j["id"] = t.id;
  j["step"] = t.step;
  j["index"] = t.index;
  j["canonical"] = t.canonical;
  j["tokens"] = t.tokens;
  j["cached"] = t.cached;
  j["rung"] = t.rung;
  j["partial"] = t.partial;
  j["metrics"] = t.metrics_json.empty() ? nlohmann::json::object()
                                        : nlohmann::json::parse(t.metrics_json);
  return j;
}

nlohmann::json reference_json(const StoredReference& r) {
  nlohmann::json j = outcome_json(r);
  j["name"] = r.name;
  j["canonical"] = r.canonical;
  return j;
}

// The trials as `device` saw them ("" = the search's own latency, the first device's).
std::vector<StoredTrial> trials_on(const Store& s, const std::string& device) {
  const std::vector<StoredTrial> trials = s.trials();
  return device.empty() ? trials : on_device(trials, device);
}

}  // namespace

void bind_store(py::module_& m) {
  py::class_<Store>(m, "Store",
                    "A search's store (the SQLite file of mnas search --store), read-only.")
      .def(py::init([](const std::filesystem::path& path) {
             return std::make_unique<Store>(path.string(), Store::Mode::kReadOnly);
           }),
           py::arg("path"))
      .def_property_readonly("path", &Store::path)
      .def("config",
           [](const Store& s) {
             const std::string text = s.config();
             if (text.empty()) return py::object(py::none());
             return to_python(json_fields::parse(text, "store '" + s.path() + "': config"));
           },
           "The search's configuration as stored (the JSON of docs/store.md), or None")
      .def("trials",
           [](const Store& s, const std::string& device) {
             py::list out;
             for (const StoredTrial& t : trials_on(s, device)) out.append(to_python(trial_json(t)));
             return out;
           },
           py::arg("device") = "",
           "Every trial in the order stored, as dicts; with device, latency_ms is that device's")
      .def("pareto",
           [](const Store& s, const std::string& device) {
             py::list out;
             for (const StoredTrial& t : pareto_front(trials_on(s, device))) {
               out.append(to_python(trial_json(t)));
             }
             return out;
           },
           py::arg("device") = "",
           "The Pareto front (accuracy vs latency on `device`, or the search's own), by latency")
      .def("references",
           [](const Store& s, const std::string& device) {
             std::vector<StoredReference> refs = s.references();
             if (!device.empty()) refs = on_device(refs, device);
             py::list out;
             for (const StoredReference& r : refs) out.append(to_python(reference_json(r)));
             return out;
           },
           py::arg("device") = "", "The zoo references evaluated the same way, as dicts")
      .def("devices", [](const Store& s) { return measured_devices(s.trials()); },
           "The devices the trials were measured on")
      .def("__len__", [](const Store& s) { return s.trial_count(); });
}

}  // namespace mnas::python
