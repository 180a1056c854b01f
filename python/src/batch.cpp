// _sweep, _reproduce and _catalog: `grokscope sweep` and `grokscope reproduce ID` (apps/grokscope/cmd_sweep.cpp,
// cmd_reproduce.cpp) without their printing: the same library calls, the same defaults, the same figures. Both run
// on a worker thread while the calling thread watches for Ctrl-C (run_interruptible): a KeyboardInterrupt stops the
// running runs (status stopped, resumable like the CLI's) and is re-raised.
#include <pybind11/stl.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "bindings.h"
#include "grokscope/core/error.h"
#include "grokscope/plot/report.h"
#include "grokscope/reproduce/reproduce.h"
#include "grokscope/sweep/runner.h"

namespace py = pybind11;

namespace grokscope::python {

void run_interruptible(const std::function<void()>& work, std::atomic<bool>& stop) {
  std::exception_ptr failure;
  std::optional<py::error_already_set> interrupt;
  std::mutex mutex;
  std::condition_variable finished;
  bool done = false;
  {
    const py::gil_scoped_release nogil;
    std::thread worker([&] {
      try {
        work();
      } catch (...) {
        failure = std::current_exception();
      }
      const std::lock_guard<std::mutex> lock(mutex);
      done = true;
      finished.notify_all();
    });
    std::unique_lock<std::mutex> lock(mutex);
    while (!finished.wait_for(lock, std::chrono::milliseconds(100), [&] { return done; })) {
      if (interrupt) continue;
      lock.unlock();
      {
        const py::gil_scoped_acquire gil;
        if (PyErr_CheckSignals() != 0) {
          interrupt = py::error_already_set();
          stop.store(true);
        }
      }
      lock.lock();
    }
    lock.unlock();
    worker.join();
  }
  if (interrupt) throw std::move(*interrupt);
  if (failure) std::rethrow_exception(failure);
}

namespace {

std::optional<std::string> gnuplot_if(bool plot) { return plot ? plot::find_gnuplot() : std::nullopt; }

py::dict sweep_run(const std::string& spec_path, const std::string& spec_text, const std::string& out_dir, int workers,
                   bool force, bool plot) {
  const sweep::SweepSpec spec =
      spec_path.empty() ? sweep::parse_sweep_spec(spec_text, "") : sweep::load_sweep_spec(spec_path);
  const std::string out = out_dir.empty() ? (std::filesystem::path("runs") / spec.name).string() : out_dir;
  const auto gnuplot = gnuplot_if(plot);
  std::atomic<bool> stop{false};
  sweep::SweepOptions so;
  so.out = out;
  so.workers = workers;
  so.force = force;
  so.stop = &stop;
  if (gnuplot) so.after_run = [gnuplot](const std::filesystem::path& dir) { plot::redraw_run(dir, gnuplot); };
  sweep::SweepResult result;
  std::vector<std::string> notes;
  run_interruptible(
      [&] {
        result = sweep::run_sweep(spec, so);
        if (gnuplot) notes = plot::redraw_sweep(out, gnuplot);
      },
      stop);
  py::dict d;
  d["out"] = out;
  d["total"] = result.total;
  d["skipped"] = result.skipped;
  d["ran"] = result.ran;
  d["unfinished"] = result.unfinished;
  d["seconds"] = result.seconds;
  d["notes"] = notes;
  return d;
}

py::dict reproduce_run(const std::string& id, const std::string& scale, const std::string& out, int workers,
                       int seeds, bool force, bool plot, const std::string& catalog) {
  const auto entries = reproduce::load_catalog(reproduce::catalog_dir(catalog));
  if (scale != "quick" && scale != "paper") throw ConfigError("--scale", scale, "must be quick or paper");
  const reproduce::CatalogEntry entry = reproduce::find_entry(entries, id);
  std::atomic<bool> stop{false};
  reproduce::ReproduceOptions ro;
  ro.scale = scale;
  ro.out = out;
  ro.force = force;
  ro.workers = workers;
  ro.seeds = seeds;
  ro.stop = &stop;
  ro.gnuplot = gnuplot_if(plot);
  reproduce::ReproduceResult r;
  run_interruptible([&] { r = reproduce::run_reproduction(entry, ro); }, stop);
  py::dict d;
  d["out"] = r.out.string();
  d["pass"] = r.pass();
  d["seconds"] = r.seconds;
  return d;
}

py::list catalog_list(const std::string& catalog) {
  py::list out;
  for (const auto& e : reproduce::load_catalog(reproduce::catalog_dir(catalog))) {
    py::dict scales;
    for (const auto& s : e.scales)
      scales[py::str(s.name)] = py::dict(py::arg("changes") = s.changes, py::arg("time") = s.time);
    out.append(py::dict(py::arg("id") = e.id, py::arg("title") = e.title, py::arg("source") = e.source,
                        py::arg("claim") = e.claim, py::arg("check") = e.check, py::arg("scales") = scales));
  }
  return out;
}

}  // namespace

void init_batch(py::module_& m) {
  m.def("_sweep", &sweep_run, py::arg("spec_path"), py::arg("spec_text"), py::arg("out"), py::arg("workers"),
        py::arg("force"), py::arg("plot"), "Run (or resume) a sweep; returns its counts");
  m.def("_reproduce", &reproduce_run, py::arg("id"), py::arg("scale"), py::arg("out"), py::arg("workers"),
        py::arg("seeds"), py::arg("force"), py::arg("plot"), py::arg("catalog"),
        "Run (or resume) one experiment of the catalog; returns {'out', 'pass', 'seconds'}");
  m.def("_catalog", &catalog_list, py::arg("catalog"), "The experiments of the catalog");
}

}  // namespace grokscope::python
