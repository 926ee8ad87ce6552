#ifndef MNAS_PYTHON_ERRORS_H_
#define MNAS_PYTHON_ERRORS_H_

#include <pybind11/pybind11.h>

#include <exception>

#include "base/error.h"

namespace mnas::python {

// mnas.Error (a ValueError: bad input) and mnas.IOError (an OSError: the environment failed),
// created by mnas._mnas and shared with mnas._mnas_search. Held for the life of the process
// (a static py::object would be released after the interpreter is gone).
struct ErrorClasses {
  PyObject* invalid = nullptr;
  PyObject* io = nullptr;
};
inline ErrorClasses& error_classes() {
  static ErrorClasses classes;  // one per module: each links its own copy
  return classes;
}

// Registers the translation of every mnas::Error thrown in this module into the class of its
// kind, with the field it is about as `.field`.
inline void translate_mnas_errors() {
  pybind11::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const Error& e) {
      PyObject* type = e.kind() == Error::Kind::kIo ? error_classes().io : error_classes().invalid;
      pybind11::object instance = pybind11::reinterpret_borrow<pybind11::object>(type)(e.what());
      instance.attr("field") = e.field();
      PyErr_SetObject(type, instance.ptr());
    }
  });
}

}  // namespace mnas::python

#endif  // MNAS_PYTHON_ERRORS_H_
