#include "python/json_convert.h"

#include <string>

#include "base/error.h"

namespace py = pybind11;

namespace mnas::python {

py::object to_python(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::object: {
      py::dict d;
      for (const auto& [k, v] : j.items()) d[py::str(k)] = to_python(v);
      return std::move(d);
    }
    case nlohmann::json::value_t::array: {
      py::list l;
      for (const nlohmann::json& v : j) l.append(to_python(v));
      return std::move(l);
    }
    case nlohmann::json::value_t::string: return py::str(j.get<std::string>());
    case nlohmann::json::value_t::boolean: return py::bool_(j.get<bool>());
    case nlohmann::json::value_t::number_integer: return py::int_(j.get<int64_t>());
    case nlohmann::json::value_t::number_unsigned: return py::int_(j.get<uint64_t>());
    case nlohmann::json::value_t::number_float: return py::float_(j.get<double>());
    default: return py::none();
  }
}

nlohmann::json from_python(const py::handle& v, const std::string& field) {
  if (v.is_none()) return nullptr;
  if (py::isinstance<py::bool_>(v)) return v.cast<bool>();
  if (py::isinstance<py::int_>(v)) {
    try {
      return v.cast<int64_t>();
    } catch (const py::cast_error&) {
      throw Error::about(field, "an integer beyond 64 bits");
    }
  }
  if (py::isinstance<py::float_>(v)) return v.cast<double>();
  if (py::isinstance<py::str>(v)) return v.cast<std::string>();
  if (py::isinstance<py::dict>(v)) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [k, item] : v.cast<py::dict>()) {
      if (!py::isinstance<py::str>(k)) throw Error::about(field, "a dict's keys must be str");
      const std::string key = k.cast<std::string>();
      out[key] = from_python(item, field + "." + key);
    }
    return out;
  }
  if (py::isinstance<py::list>(v) || py::isinstance<py::tuple>(v)) {
    nlohmann::json out = nlohmann::json::array();
    size_t i = 0;
    for (const py::handle item : v) {
      out.push_back(from_python(item, field + "[" + std::to_string(i++) + "]"));
    }
    return out;
  }
  throw Error::about(field, "a " + std::string(py::str(v.get_type().attr("__name__"))) +
                                " is not a JSON value (dict, list, str, int, float, bool, None)");
}

}  // namespace mnas::python
