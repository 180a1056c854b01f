// What the sweep index keeps of one run: its grid point, status, clocks, phase label and final metrics, read back
// from the run directory's summary.json and metrics.csv (docs/outputs.md). Nothing here writes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "grokscope/sweep/spec.h"

namespace grokscope::sweep {

// Run states in the index. completed and diverged are finished (a resumed sweep skips them); the others are rerun.
//   pending  not started     running  started, not finished (or the sweep was killed)
//   stopped  ended by Ctrl-C  failed   ended by an error (message says which)
bool is_finished_status(const std::string& status);

struct ClockValue {
  std::string name;        // t_fit, t_gen, t_cls(0.01), t_rep, t_below, gen_over_fit
  double eps = 0.0;        // t_cls only
  bool fired = false;
  double step = std::numeric_limits<double>::quiet_NaN();   // the ratio itself for gen_over_fit
  double time = std::numeric_limits<double>::quiet_NaN();
};

struct RunRecord {
  std::string name, cell;
  int64_t cell_index = 0;
  int64_t seed = 0;
  std::vector<std::pair<std::string, nlohmann::json>> axes;   // config key -> value, in axis order
  std::string status = "pending";
  std::string message;
  std::string phase;                   // comprehension | grokking | memorization | confusion | "" (no accuracy)
  int64_t steps_done = 0;
  double time = 0.0;
  std::vector<ClockValue> clocks;      // t_fit, t_gen, t_cls(...)..., t_rep, [t_below], gen_over_fit
  std::vector<std::pair<std::string, double>> final_metrics;
  double seconds = 0.0, steps_per_second = 0.0;
  std::string config_hash;             // expected (from the grid) before the run; summary.json's after it
  nlohmann::json config;               // resolved config (to_json), for predictions of fits
  std::string started_at, finished_at; // UTC, ISO 8601
  bool in_grid = true;

  const ClockValue* clock(const std::string& name) const;
  std::optional<double> final_metric(const std::string& name) const;
};

// Phase label from a metrics table (columns step, acc_train, acc_test): see PhaseSpec. "" when the table has no
// finite accuracies (regression tasks).
std::string phase_label(const std::vector<double>& step, const std::vector<double>& acc_train,
                        const std::vector<double>& acc_test, const PhaseSpec& spec);

// Fills the outcome fields of `record` (status, message, clocks, final metrics, timing, phase, t_below, config hash
// and config) from dir/summary.json and dir/metrics.csv. Returns false, leaving the record alone, when there is no
// readable summary.json.
bool read_run_outputs(const std::filesystem::path& dir, const SweepSpec& spec, RunRecord& record);

// Recomputes only the derived fields (phase and t_below) from dir/metrics.csv with the spec's settings.
void refresh_derived(const std::filesystem::path& dir, const SweepSpec& spec, RunRecord& record);

// Current UTC time as 2026-06-04T12:34:56Z.
std::string utc_now();

}  // namespace grokscope::sweep
