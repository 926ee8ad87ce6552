// The `mnas` Python module's native part (`mnas._mnas`): the search space and architectures,
// their costs, the zoo, and latency on any device, over the same library as the `mnas` command.
// mnas/__init__.py re-exports it. Every mnas::Error becomes mnas.Error (a ValueError: bad input)
// or mnas.IOError (an OSError: the environment failed), with the field it is about as `.field`;
// a measurement releases the GIL, and Ctrl-C stops a local one at its next run as
// KeyboardInterrupt (a remote device's answer is awaited: its request has a timeout).
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <filesystem>

#include <atomic>
#include <chrono>
#include <future>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/number_format.h"
#include "base/stop.h"
#include "devices/open_device.h"
#include "latency/latency_json.h"
#include "latency/lookup_table.h"
#include "latency/measure_presets.h"
#include "python/errors.h"
#include "python/interruptible.h"
#include "python/json_convert.h"
#include "space/architecture_codec.h"
#include "space/cost_model.h"
#include "space/scaling.h"
#include "space/search_space.h"
#include "space/zoo.h"

namespace py = pybind11;

namespace mnas::python {

void bind_store(py::module_& m);  // store_bindings.cc

namespace {

InputShape input_of(const std::string& text, const char* field) {
  return parse_input_shape(text, field);
}

// "mnasnet-a1", "mobilenetv2@0.35", a canonical string or architecture JSON; `input`, `classes`
// and `multiplier` adjust a zoo model (and the input and classes of any architecture).
Architecture architecture(const std::string& text, const std::optional<std::string>& input,
                          const std::optional<int>& classes, double multiplier) {
  if (is_zoo_name(text.substr(0, text.find('@')))) {
    ZooOptions z;
    if (input) z.input = input_of(*input, "input");
    if (classes) z.classes = *classes;
    z.multiplier = multiplier;
    return zoo_model_from_spec(text, z);
  }
  Architecture a;
  if (!text.empty() && text.find_first_not_of(" \t\r\n") != std::string::npos &&
      text[text.find_first_not_of(" \t\r\n")] == '{') {
    a = parse_architecture_json(text);
  } else {
    a = parse_architecture_string(text);
  }
  if (multiplier != 1.0) a = scale_depth(a, multiplier);
  if (input) a.input = input_of(*input, "input");
  if (classes) a.classes = *classes;
  validate(a);
  return a;
}

SearchSpace space_with(SearchSpace s, const std::optional<std::string>& input,
                       const std::optional<int>& classes, double multiplier) {
  if (input) s.set_input(input_of(*input, "input"));
  if (classes) s.set_classes(*classes);
  if (multiplier != 1.0) s.scale_width(multiplier, "multiplier");
  return s;
}

std::mt19937_64 rng_of(const py::object& seed) {
  if (seed.is_none()) return std::mt19937_64(std::random_device{}());
  return std::mt19937_64(seed.cast<uint64_t>());
}

nlohmann::json describe(const Architecture& a) {
  const CostReport r = estimate_cost(a);
  nlohmann::json layers = nlohmann::json::array();
  const auto shape = [](const TensorShape& s) {
    return std::to_string(s.height) + "x" + std::to_string(s.width) + "x" +
           std::to_string(s.channels);
  };
  for (const LayerCost& l : r.layers) {
    layers.push_back({{"name", l.name},
                      {"description", l.description},
                      {"input", shape(l.in)},
                      {"output", shape(l.out)},
                      {"params", l.params},
                      {"macs", l.macs}});
  }
  return {{"canonical", to_canonical_string(a)},
          {"input", to_string(a.input)},
          {"classes", a.classes},
          {"params", r.params},
          {"macs", r.macs},
          {"layers", layers}};
}

// The latency of `a` on `device` ("local", an mnas-device URL, "cmd:COMMAND"), as
// `mnas latency --json` prints it. `protocol`: a preset's name or a dict of its fields.
nlohmann::json measure_latency(const Architecture& a, const std::string& device, int threads,
                               const nlohmann::json& protocol, const std::string& token,
                               double timeout, const std::string& precision) {
  DeviceAccess access;
  access.token = token;
  if (!(timeout > 0)) throw Error::about("timeout", "must be > 0 seconds");
  access.timeout_seconds = access.command_timeout_seconds = timeout;
  TimingRequest request;
  request.threads = threads;
  request.protocol = protocol_from_json(protocol, "protocol");
  request.precision = parse_precision(precision, "precision");
  validate(request, device == "local");
  const LatencyResult result = run_interruptible([&] {
    const std::shared_ptr<Device> d = open_device(device, access, "device", "device");
    return d->measure(a, request);
  });
  nlohmann::json j = latency_json(result);
  j["canonical"] = to_canonical_string(a);
  j["protocol"] = protocol_json(request.protocol);
  return j;
}

}  // namespace

PYBIND11_MODULE(_mnas, m) {
  m.doc() = "mnas's native part: the search space, architectures, the zoo and latency.";
  ErrorClasses& errors = error_classes();
  errors.invalid = PyErr_NewException("mnas.Error", PyExc_ValueError, nullptr);
  errors.io = PyErr_NewException("mnas.IOError", PyExc_OSError, nullptr);
  m.attr("Error") = py::handle(errors.invalid);
  m.attr("IOError") = py::handle(errors.io);
  translate_mnas_errors();
  m.attr("__version__") = MNAS_VERSION;

  py::class_<Architecture>(m, "Architecture",
                           "A network of the space: stem, blocks, head and classifier.")
      .def_property_readonly(
          "canonical", [](const Architecture& a) { return to_canonical_string(a); },
          "The canonical string (docs/architecture-format.md)")
      .def_property_readonly("input", [](const Architecture& a) { return to_string(a.input); })
      .def_property_readonly("classes", [](const Architecture& a) { return a.classes; })
      .def(
          "to_json", [](const Architecture& a) { return to_json_string(a, 2); },
          "The architecture as JSON text")
      .def(
          "describe", [](const Architecture& a) { return to_python(describe(a)); },
          "Parameters, multiply-adds and the per-layer table (a list of dicts)")
      .def("__eq__",
           [](const Architecture& a, const Architecture& b) {
             return to_canonical_string(a) == to_canonical_string(b);
           })
      .def("__hash__",
           [](const Architecture& a) { return py::hash(py::str(to_canonical_string(a))); })
      .def("__str__", [](const Architecture& a) { return to_canonical_string(a); })
      .def("__repr__", [](const Architecture& a) {
        return "mnas.Architecture('" + to_canonical_string(a) + "')";
      });

  m.def("architecture", &architecture, py::arg("text"), py::arg("input") = py::none(),
        py::arg("classes") = py::none(), py::arg("multiplier") = 1.0,
        "An architecture from a zoo name (mobilenetv2, mnasnet-a1@0.5, ...), a canonical string or "
        "architecture JSON; input ('HxWxC'), classes and multiplier adjust it.");
  m.def("zoo_names", &zoo_names, "The reference models' names.");

  py::class_<SearchSpace>(m, "Space", "A factorized hierarchical search space.")
      .def_property_readonly("input", [](const SearchSpace& s) { return to_string(s.input()); })
      .def_property_readonly("classes", &SearchSpace::classes)
      .def_property_readonly("size", &SearchSpace::size_exact,
                             "The number of architectures, exactly")
      .def_property_readonly("log10_size", &SearchSpace::log10_size)
      .def(
          "decisions",
          [](const SearchSpace& s) {
            py::list out;
            for (const Decision& d : s.decisions()) {
              py::dict row;
              row["name"] = d.name;
              row["block"] = d.block;
              row["vocab"] = d.vocab;
              row["choices"] = d.choices;
              out.append(row);
            }
            return out;
          },
          "One dict per decision (token position): name, block, vocab, choices")
      .def(
          "sample",
          [](const SearchSpace& s, const py::object& seed) {
            std::mt19937_64 rng = rng_of(seed);
            return s.sample(rng);
          },
          py::arg("seed") = py::none(), "A uniformly random architecture")
      .def(
          "sample_tokens",
          [](const SearchSpace& s, const py::object& seed) {
            std::mt19937_64 rng = rng_of(seed);
            return s.sample_tokens(rng);
          },
          py::arg("seed") = py::none())
      .def("decode", &SearchSpace::decode, py::arg("tokens"), "Tokens to an architecture")
      .def("encode", &SearchSpace::encode, py::arg("architecture"), "An architecture to tokens")
      .def("skeleton", &SearchSpace::skeleton_architecture, "The skeleton's own architecture")
      .def("to_json", [](const SearchSpace& s) { return s.to_json(2); });

  m.def("default_space",
        [](const std::string& input, int classes, double multiplier) {
          SearchSpace s;
          return space_with(s, input, classes, multiplier);
        },
        py::arg("input") = "28x28x1", py::arg("classes") = 10, py::arg("multiplier") = 1.0,
        "The paper's space (the small-input skeleton below 64 pixels) at this input and classes.");
  m.def("load_space",
        [](const std::filesystem::path& path, const std::optional<std::string>& input,
           const std::optional<int>& classes, double multiplier) {
          return space_with(SearchSpace::from_file(path.string()), input, classes, multiplier);
        },
        py::arg("path"), py::arg("input") = py::none(), py::arg("classes") = py::none(),
        py::arg("multiplier") = 1.0, "A search-space JSON file (docs/search-space.md).");

  m.def(
      "measure_latency",
      [](const Architecture& a, const std::string& device, int threads, const py::object& protocol,
         const std::string& token, double timeout, const std::string& precision) {
        return to_python(
            measure_latency(a, device, threads, from_python(protocol), token, timeout, precision));
      },
      py::arg("architecture"), py::arg("device") = "local", py::arg("threads") = 1,
      py::arg("protocol") = "latency", py::arg("token") = "", py::arg("timeout") = 900.0,
      py::arg("precision") = "fp32",
      "Times the architecture on a device: 'local', an mnas-device URL (with its token) or "
      "'cmd:COMMAND'. protocol: a preset (latency, search, lut-entry, lut-network, quick) or a "
      "dict of its fields. precision: fp32 or int8 (not on a cmd: device so far). Returns the dict "
      "`mnas latency --json` prints.");
  m.def("measure_presets", &measure_preset_names);
  bind_store(m);

  py::class_<LookupTable>(m, "LookupTable", "A per-layer latency lookup table (mnas lut build).")
      .def(py::init(
               [](const std::filesystem::path& path) { return LookupTable::load(path.string()); }),
           py::arg("path"))
      .def("predict_ms", &LookupTable::predict_ms, py::arg("architecture"),
           "The calibrated prediction in milliseconds");
}

}  // namespace mnas::python
