// What a training run reports: the observer interface (metrics rows as they are produced, saved arrays, progress)
// and the final summary. The trainer calls these; io/run_dir.h writes them to a run directory; front ends add
// progress lines. Nothing here does I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "grokscope/core/clock.h"
#include "grokscope/core/npy_array.h"

namespace grokscope {

// failed: the run could not go on (an output could not be written, memory ran out); its message says why.
enum class RunStatus { completed, diverged, stopped, failed };
const char* to_string(RunStatus s);

struct RunStart {
  std::vector<std::string> columns;     // metrics.csv header, in order
  std::vector<NpyArray> split;          // train_idx, test_idx and the table (a, b, c)
  std::vector<NpyArray> params_init;    // w1, b1, ... in PyTorch orientation
  int64_t n_params = 0;
  int64_t n_train = 0, n_test = 0;
  int blas_threads = 0;
  std::vector<std::string> trajectory_columns;  // parameter names, when eval.record_trajectory is on
};

struct Progress {
  int64_t step = 0;
  int64_t total_steps = 0;
  double seconds = 0.0;          // since training started
  double steps_per_second = 0.0; // recent rate
  double acc_train = 0.0;        // at the last evaluation
  double acc_test = 0.0;
  double loss_train = 0.0;
  bool early_stop = false;       // train.early_stop is on: the run may end before total_steps
  int64_t early_stop_at = -1;    // the step an early stop is due at if the conditions keep holding (-1: not yet)
};

struct RunTiming {
  double seconds = 0.0;          // training loop wall time (setup excluded)
  double setup_seconds = 0.0;
  double eval_seconds = 0.0;     // part of `seconds` spent in evaluations
  double steps_per_second = 0.0;
  double cpu_seconds = 0.0;      // process CPU time (all threads) of the training loop, setup excluded
  double eval_cpu_seconds = 0.0; // part of `cpu_seconds` spent in evaluations
};

// optim.kind = "gradient_flow": the integrator's options (from the config) and its work.
struct FlowSummary {
  double rtol = 0.0, atol = 0.0;
  double dt_max = 0.0;                // 0: no limit
  double dt_floor = 0.0;              // 0: off
  int64_t gradient_evaluations = 0;   // by the integrator: the cost, comparable with GD's steps_done
  int64_t metric_passes = 0;          // extra full-batch passes for metrics rows off the integrator's last point
  int64_t accepted_steps = 0, rejected_steps = 0, forced_steps = 0;   // forced: accepted at dt_floor, error > 1
  double last_dt = 0.0;               // the last accepted step
};

struct RunSummary {
  RunStatus status = RunStatus::completed;
  std::string message;           // one line: why the run ended
  int64_t steps_done = 0;        // optimizer updates applied to the saved final parameters
  double time = 0.0;             // continuous time at steps_done
  std::vector<Clock> clocks;     // t_fit, t_gen, t_cls..., then t_rep (eps holds its eta)
  std::string rep_metric;        // the column behind t_rep
  std::vector<std::pair<std::string, double>> analysis;  // clock ratios and rate fits, dotted names
  std::vector<std::string> final_columns;  // the last metrics row (names and values)
  std::vector<double> final_values;
  RunTiming timing;
  std::optional<FlowSummary> flow;  // gradient-flow runs only
  int64_t memory_estimate = 0;      // bytes: the estimate the run was admitted with (train/memory_estimate.h)
  int64_t peak_rss = 0;             // bytes: the process's peak resident set size at the end (all threads)
};

class RunObserver {
 public:
  virtual ~RunObserver() = default;
  virtual void on_start(const RunStart& start) {}
  virtual void on_eval(const std::vector<double>& row) {}   // one value per RunStart::columns
  virtual void on_progress(const Progress& progress) {}
  // Every step's parameters (flat, layout order), only when eval.record_trajectory is on.
  virtual void on_trajectory(int64_t step, double time, const std::vector<double>& params) {}
  virtual void on_finish(const RunSummary& summary, const std::vector<NpyArray>& params_final) {}
  // Polled every step: return true to end the run early with status `stopped` (e.g. on Ctrl-C).
  virtual bool stop_requested() { return false; }
};

}  // namespace grokscope
