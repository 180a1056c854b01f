// PYBIND11_MODULE of grokscope._grokscope, the library's version and BLAS, and the translation of the library's
// errors into the package's exception classes (defined in Python, grokscope/_errors.py, so that they carry the
// offending key and value as attributes).
#include <pybind11/stl.h>

#include "bindings.h"
#include "grokscope/core/error.h"
#include "grokscope/core/version.h"
#include "grokscope/kernels/blas.h"

namespace py = pybind11;

namespace grokscope::python {

void init_errors(py::module_& m) {
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const ConfigError& e) {
      const py::object cls = py::module_::import("grokscope._errors").attr("ConfigError");
      PyErr_SetObject(cls.ptr(), py::make_tuple(e.what(), e.key(), e.value()).ptr());
    } catch (const IoError& e) {
      const py::object cls = py::module_::import("grokscope._errors").attr("IoError");
      PyErr_SetObject(cls.ptr(), py::make_tuple(e.what()).ptr());
    }
  });
}

}  // namespace grokscope::python

PYBIND11_MODULE(_grokscope, m) {
  m.doc() = "grokscope's C++ engine; use the package grokscope (docs/python.md), not this module";
  grokscope::python::init_errors(m);
  grokscope::python::init_train(m);
  grokscope::python::init_batch(m);
  m.def("version", [] { return std::string(grokscope::version()) + " (" + grokscope::git_describe() + ")"; });
  m.def("blas_core", [] { return std::string(grokscope::kernels::blas_core()); },
        "The OpenBLAS kernel set in use (chosen when OpenBLAS was loaded)");
  m.def("preferred_blas_core", &grokscope::kernels::preferred_blas_core,
        "The OPENBLAS_CORETYPE the CLI would run with, when OpenBLAS chose a generic fallback; else ''");
}
