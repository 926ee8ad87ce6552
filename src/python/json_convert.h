#ifndef MNAS_PYTHON_JSON_CONVERT_H_
#define MNAS_PYTHON_JSON_CONVERT_H_

// JSON values (what the library reads and writes) to Python objects and back: dicts, lists,
// str, int, float, bool, None. A Python value of another type is a mnas.Error naming it.

#include <pybind11/pybind11.h>

#include <nlohmann/json.hpp>

namespace mnas::python {

pybind11::object to_python(const nlohmann::json& j);
nlohmann::json from_python(const pybind11::handle& value, const std::string& field = "value");

}  // namespace mnas::python

#endif  // MNAS_PYTHON_JSON_CONVERT_H_
