// _train: one run into a run directory, as `grokscope train` does it (apps/grokscope/cmd_train.cpp): parse and
// validate the config, refuse a taken directory, then train with the GIL released. The observer forwards to the
// RunDirWriter, hands each metrics row to the Python callback (with the GIL) and, at most every 100 ms, runs
// Python's signal handlers, so that Ctrl-C (KeyboardInterrupt) ends the run with status `stopped`; the exception
// is re-raised once the run's files are written.
#include <pybind11/stl.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "bindings.h"
#include "grokscope/io/config_toml.h"
#include "grokscope/io/run_dir.h"
#include "grokscope/train/trainer.h"

namespace py = pybind11;

namespace grokscope::python {

namespace {

class PythonObserver : public RunObserver {
 public:
  PythonObserver(RunObserver& inner, py::object callback) : inner_(inner), callback_(std::move(callback)) {}

  void on_start(const RunStart& start) override {
    columns_ = start.columns;
    inner_.on_start(start);
  }
  void on_eval(const std::vector<double>& row) override {
    inner_.on_eval(row);
    if (callback_.is_none() || stop_) return;
    const py::gil_scoped_acquire gil;
    try {
      py::dict d;
      for (size_t i = 0; i < row.size() && i < columns_.size(); ++i) d[py::str(columns_[i])] = row[i];
      const py::object result = callback_(d);
      if (result.ptr() == Py_False) stop_ = true;   // only False stops; None (no return) goes on
    } catch (py::error_already_set& e) {
      error_ = std::move(e);
      stop_ = true;
    }
  }
  void on_progress(const Progress& p) override { inner_.on_progress(p); }
  void on_trajectory(int64_t step, double time, const std::vector<double>& params) override {
    inner_.on_trajectory(step, time, params);
  }
  void on_finish(const RunSummary& summary, const std::vector<NpyArray>& params_final) override {
    inner_.on_finish(summary, params_final);
  }
  bool stop_requested() override {
    if (stop_) return true;
    const auto now = std::chrono::steady_clock::now();
    if (now >= next_poll_) {
      next_poll_ = now + std::chrono::milliseconds(100);
      const py::gil_scoped_acquire gil;
      if (PyErr_CheckSignals() != 0) {   // a handler raised (KeyboardInterrupt): stop, re-raise after the run
        error_ = py::error_already_set();
        stop_ = true;
      }
    }
    return stop_ || inner_.stop_requested();
  }

  // The Python exception that stopped the run (the callback's, or a signal handler's), if any.
  std::optional<py::error_already_set>& error() { return error_; }

 private:
  RunObserver& inner_;
  py::object callback_;
  std::vector<std::string> columns_;
  bool stop_ = false;
  std::optional<py::error_already_set> error_;
  std::chrono::steady_clock::time_point next_poll_ = std::chrono::steady_clock::now();
};

// config_path non-empty: read the file (as `grokscope train PATH`); else parse config_text (source_name in messages).
py::dict train_run(const std::string& config_path, const std::string& config_text, const std::string& source_name,
                   const std::vector<std::string>& overrides, const std::string& out, bool force,
                   py::object callback) {
  const RunConfig config = config_path.empty() ? parse_run_config(config_text, overrides, source_name)
                                               : load_run_config(config_path, overrides);
  validate(config);   // every config error before anything is written
  const ExistingDir existing = force ? ExistingDir::replace : ExistingDir::refuse;
  check_run_dir(out, existing);

  RunDirWriter writer(out, config);
  writer.prepare_at_start(existing);
  PythonObserver observer(writer, std::move(callback));
  RunSummary summary;
  {
    const py::gil_scoped_release nogil;
    summary = train(config, observer);
  }
  if (observer.error()) throw std::move(*observer.error());
  py::dict result;
  result["status"] = to_string(summary.status);
  result["message"] = summary.message;
  return result;
}

}  // namespace

void init_train(py::module_& m) {
  m.def("_train", &train_run, py::arg("config_path"), py::arg("config_text"), py::arg("source_name"),
        py::arg("overrides"), py::arg("out"), py::arg("force"), py::arg("callback"),
        "Train one run into the run directory `out`; returns {'status', 'message'}");
}

}  // namespace grokscope::python
