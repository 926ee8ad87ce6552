// `mnas._mnas_search`: the ask/tell search (search/ask_tell.h) for mnas.Search (mnas/_search.py).
// A module of its own because it links the search's strategies and evaluators, and so LibTorch:
// `import mnas` stays light, and LibTorch is loaded the first time mnas.Search is used.
// mnas::Error becomes mnas.Error / mnas.IOError (the classes of mnas._mnas, python/errors.h).
#include <malloc.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/machine.h"
#include "devices/open_device.h"
#include "latency/remote_device.h"
#include "python/errors.h"
#include "python/interruptible.h"
#include "python/json_convert.h"
#include "search/ask_tell.h"
#include "space/architecture_codec.h"
#include "train/train_device.h"

namespace py = pybind11;

namespace mnas::python {
namespace {

py::dict trial_dict(const AskedTrial& t, int64_t full_images) {
  py::dict d;
  d["id"] = t.id;
  d["step"] = t.step;
  d["index"] = t.index;
  d["rung"] = t.rung < 0 ? py::object(py::none()) : py::object(py::int_(t.rung));
  d["rungs"] = t.rungs;
  d["train_images"] = t.task.train_images > 0 ? t.task.train_images : full_images;
  d["holdout"] = t.task.holdout;
  d["run_images"] = t.task.run_images;
  d["measures_latency"] = t.task.latency;
  d["tokens"] = t.proposal.tokens;
  d["canonical"] = t.proposal.canonical.empty() ? to_canonical_string(t.proposal.arch)
                                                : t.proposal.canonical;
  return d;
}

py::dict result_dict(const ToldResult& r) {
  py::dict d;
  if (!r.ok) {
    d["failed"] = r.failure;
    return d;
  }
  d["accuracy"] = r.accuracy;
  if (r.latency_ms) d["latency_ms"] = *r.latency_ms;
  if (!r.metrics_json.empty()) d["metrics"] = to_python(nlohmann::json::parse(r.metrics_json));
  d["seconds"] = r.seconds;
  return d;
}

DeviceAccess access_from(const py::object& token, int retries, double timeout) {
  if (retries < 0 || retries > 100) throw Error::about("device_retries", "must be in [0, 100]");
  if (!(timeout > 0 && timeout <= 86400)) {
    throw Error::about("device_timeout", "must be in (0, 86400] seconds");
  }
  DeviceAccess a;
  a.retries = retries;
  a.timeout_seconds = a.command_timeout_seconds = timeout;
  if (token.is_none()) {
    a.token = resolve_device_token("");  // MNAS_DEVICE_TOKEN, as the CLI
  } else if (py::isinstance<py::str>(token)) {
    a.token = token.cast<std::string>();
  } else if (py::isinstance<py::dict>(token)) {
    for (const auto& [name, value] : token.cast<py::dict>()) {
      if (!py::isinstance<py::str>(name) || !py::isinstance<py::str>(value)) {
        throw Error::about("token", "a dict of device name → token, both str");
      }
      a.tokens[name.cast<std::string>()] = value.cast<std::string>();
    }
  } else {
    throw Error::about("token", "a str (every device's), a dict (name → token) or None");
  }
  return a;
}

// An ask/tell search held by Python: each call releases the GIL while it waits.
class SearchCore {
 public:
  SearchCore(const std::filesystem::path& path, bool resume, const py::object& config,
             std::optional<int64_t> trials, double time_budget, int threads,
             const std::string& data_dir, const std::string& train_device,
             const py::object& token, int device_retries, double device_timeout,
             const std::string& work_dir) {
    const nlohmann::json request =
        config.is_none() ? nlohmann::json::object() : from_python(config, "config");
    if (!request.is_object()) throw Error::about("config", "a dict of the search's fields");
    if (threads < 0 || threads > usable_cpus()) {
      throw Error::about("threads", "must be in [0, " + std::to_string(usable_cpus()) +
                                        "] (the CPUs this process may use; 0 = all)");
    }
    check_train_device_spec(train_device, "train_device");
    AskTellOptions o;
    o.trials = trials;
    o.time_budget_seconds = time_budget;
    o.runtime.threads = threads;
    o.runtime.data_dir = data_dir;
    o.runtime.train_device = train_device;
    o.runtime.work_dir = work_dir;
    o.devices = access_from(token, device_retries, device_timeout);
    // Building checks the devices and may load the proxy's data: without the GIL.
    search_ = run_interruptible(
        [&] { return std::make_shared<AskTellSearch>(path.string(), resume, request, o); });
  }

  py::list ask(int n, bool wait) {
    const std::shared_ptr<AskTellSearch> held = live();
    AskTellSearch& s = *held;
    while (true) {
      std::vector<AskedTrial> asked;
      {
        py::gil_scoped_release release;
        asked = s.ask(n, wait, 0.05);
      }
      if (!asked.empty() || s.finished()) {
        py::list out;
        for (const AskedTrial& t : asked) out.append(trial_dict(t, full_images()));
        return out;
      }
      if (PyErr_CheckSignals() != 0) throw py::error_already_set();  // Ctrl-C while waiting
    }
  }

  void tell(int64_t id, const py::object& accuracy, const py::object& latency_ms,
            const py::object& metrics, const py::object& failed, const py::object& seconds) {
    ToldResult r;
    if (!failed.is_none()) {
      if (!py::isinstance<py::str>(failed)) throw Error::about("failed", "the reason, a str");
      if (!accuracy.is_none()) {
        throw Error::about("accuracy", "a failed trial has none; give accuracy or failed");
      }
      r.ok = false;
      r.failure = failed.cast<std::string>();
    } else {
      if (accuracy.is_none()) {
        throw Error::about("accuracy", "give the trial's accuracy (a fraction in [0, 1]), or "
                                       "failed='why'");
      }
      r.accuracy = number(accuracy, "accuracy");
      if (!latency_ms.is_none()) r.latency_ms = number(latency_ms, "latency_ms");
      if (!metrics.is_none()) {
        if (!py::isinstance<py::dict>(metrics)) {
          throw Error::about("metrics", "a dict of name → number");
        }
        r.metrics_json = from_python(metrics, "metrics").dump();
      }
    }
    if (!seconds.is_none()) {
      r.seconds = number(seconds, "seconds");
      if (r.seconds < 0) throw Error::about("seconds", "must be ≥ 0");
    }
    const std::shared_ptr<AskTellSearch> held = live();
    py::gil_scoped_release release;  // the latency is measured now; Ctrl-C acts once it is stored
    held->tell(id, r);
  }

  py::dict evaluate(int64_t id) {
    const std::shared_ptr<AskTellSearch> held = live();
    AskTellSearch& s = *held;
    for (const AskedTrial& t : s.pending()) {
      if (t.id == id) return result_dict(run_interruptible([&] { return s.evaluate(t); }));
    }
    throw Error::about("trial", "trial " + std::to_string(id) + " is not out (asked, not told)");
  }

  py::list pending() {
    py::list out;
    for (const AskedTrial& t : live()->pending()) out.append(trial_dict(t, full_images()));
    return out;
  }

  std::vector<std::string> take_warnings() {
    return search_ ? search_->take_warnings() : std::vector<std::string>{};
  }
  bool finished() const { return !search_ || search_->finished(); }
  void close() {
    if (!search_) return;
    const std::shared_ptr<AskTellSearch> held = std::move(search_);
    py::gil_scoped_release release;  // waits for the loop to store what it holds
    held->close();  // the object itself goes with the last call still using it (another thread's)
  }
  py::object config() { return to_python(search_config_json(live()->config())); }
  int64_t length() { return live()->length(); }
  bool is_new() { return live()->is_new(); }
  std::string evaluator() { return live()->evaluator_name(); }

 private:
  static double number(const py::object& value, const char* field) {
    if (py::isinstance<py::bool_>(value) ||
        !(py::isinstance<py::int_>(value) || py::isinstance<py::float_>(value))) {
      throw Error::about(field, "must be a number, not " +
                                    std::string(py::str(value.get_type().attr("__name__"))));
    }
    return value.cast<double>();
  }
  int64_t full_images() { return live()->config().proxy.train_images; }
  // The search, held by the caller for the length of its call: a close() from another thread
  // meanwhile does not free it under that call.
  std::shared_ptr<AskTellSearch> live() const {
    if (!search_) throw Error::about("search", "closed");
    return search_;
  }

  std::shared_ptr<AskTellSearch> search_;
};

// glibc returns large freed buffers to the OS and faults them back in on the next allocation:
// with LibTorch's buffers (the controller's updates, a training) that costs up to 5× (shared
// facts; bench/ask_tell_overhead.py: 1.18× the CLI's time without this, 0.99× with it). As the
// mnas command does, keep freed memory in this process — unless the user chose glibc's
// thresholds (MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_) or MNAS_TUNE_MALLOC=0.
void keep_freed_memory() {
  const char* tune = std::getenv("MNAS_TUNE_MALLOC");
  if ((tune && std::string(tune) == "0") || std::getenv("MALLOC_MMAP_THRESHOLD_") ||
      std::getenv("MALLOC_TRIM_THRESHOLD_")) {
    return;
  }
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
}

}  // namespace

PYBIND11_MODULE(_mnas_search, m) {
  m.doc() = "mnas's ask/tell search (mnas.Search); loads LibTorch.";
  keep_freed_memory();
  py::module_ native = py::module_::import("mnas._mnas");
  error_classes().invalid = py::object(native.attr("Error")).release().ptr();
  error_classes().io = py::object(native.attr("IOError")).release().ptr();
  translate_mnas_errors();

  py::class_<SearchCore>(m, "SearchCore")
      .def(py::init<const std::filesystem::path&, bool, const py::object&, std::optional<int64_t>,
                    double, int, const std::string&, const std::string&, const py::object&, int,
                    double, const std::string&>(),
           py::arg("path"), py::arg("resume"), py::arg("config"), py::arg("trials"),
           py::arg("time_budget"), py::arg("threads"), py::arg("data_dir"), py::arg("train_device"),
           py::arg("token"), py::arg("device_retries"), py::arg("device_timeout"),
           py::arg("work_dir"))
      .def("ask", &SearchCore::ask, py::arg("n"), py::arg("wait"))
      .def("tell", &SearchCore::tell, py::arg("id"), py::arg("accuracy"), py::arg("latency_ms"),
           py::arg("metrics"), py::arg("failed"), py::arg("seconds"))
      .def("evaluate", &SearchCore::evaluate, py::arg("id"))
      .def("pending", &SearchCore::pending)
      .def("take_warnings", &SearchCore::take_warnings)
      .def("finished", &SearchCore::finished)
      .def("close", &SearchCore::close)
      .def("config", &SearchCore::config)
      .def("length", &SearchCore::length)
      .def("is_new", &SearchCore::is_new)
      .def("evaluator", &SearchCore::evaluator);
}

}  // namespace mnas::python
