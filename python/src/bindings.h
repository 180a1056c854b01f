// The extension module grokscope._grokscope: a second thin front end over the library, beside the CLI (apps/).
// One init_<area>(m) per file. The pure-Python package (python/grokscope/) is the public API; these functions take
// plain strings and numbers and return plain dicts, and do what the CLI's commands do with the same library calls.
#pragma once

#include <pybind11/pybind11.h>

#include <atomic>
#include <functional>

namespace grokscope::python {

void init_errors(pybind11::module_& m);    // ConfigError / IoError -> grokscope.ConfigError / grokscope.IoError
void init_train(pybind11::module_& m);     // _train
void init_batch(pybind11::module_& m);     // _sweep, _reproduce, _catalog

// Runs work() with the GIL released on another thread while this (the calling) thread polls Python's signal
// handlers every 100 ms: a KeyboardInterrupt (or any exception a handler raises) sets *stop, then the work is
// waited for and the Python exception re-raised. An exception of work() is re-thrown here.
void run_interruptible(const std::function<void()>& work, std::atomic<bool>& stop);

}  // namespace grokscope::python
