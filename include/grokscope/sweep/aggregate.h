// Aggregation of a sweep's finished runs: per grid cell, the median and spread of every clock across seeds; and the
// scaling-law fits of the spec (docs/sweep.md).
//
// Censoring: a clock that never fired in a finished run counts as +infinity, so a cell's median is finite only when
// more than half of its finished runs fired it (and the quartiles likewise). Runs that are not finished (pending,
// running, stopped, failed) are left out of every statistic.
//
// Fits: one straight-line least-squares fit (metrics/fits.h fit_line, with R^2) per group of cells that share the
// values of every axis but x, on the cells' median clocks, in the coordinates of the law (spec.h FitLaw). For
// t_gen with law log against model.init_scale the fit also gives Lyu et al.'s prediction: t* = (1/lambda) ln(alpha) + const
// in continuous time, so the slope is 1/(eta lambda) in steps (1/lambda in time), from the cells' optim.lr and
// optim.weight_decay. t_cls against eps fits each cell's median t_cls(eps) against ln(1/eps) (fast clock: the slope
// is 1/nu). Cells with a censored median are left out of a fit and counted.
#pragma once

#include <cstdint>
#include <filesystem>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "grokscope/metrics/fits.h"
#include "grokscope/sweep/record.h"
#include "grokscope/sweep/spec.h"

namespace grokscope::sweep {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Order statistics of one clock in one cell. Values are steps (the ratio itself for gen_over_fit); *_time are the
// same statistics of the continuous time. NaN where censored (more than half, or a quarter, never fired).
struct ClockStats {
  std::string clock;
  double eps = 0.0;           // t_cls only
  int n = 0;                  // finished runs
  int n_fired = 0;
  double median = kNaN, q25 = kNaN, q75 = kNaN, min = kNaN, max = kNaN;   // min/max over the fired runs
  double median_time = kNaN, q25_time = kNaN, q75_time = kNaN;
};

struct CellSummary {
  std::string cell;
  int64_t cell_index = 0;
  std::vector<nlohmann::json> values;         // one per axis, in axis order
  int n_runs = 0, n_finished = 0;
  std::vector<ClockStats> clocks;             // in the order of SweepAnalysis::clock_names
  std::map<std::string, int> phase_counts;    // label -> runs
  std::string phase;                          // the most frequent label ("" when none)
  double acc_test_median = kNaN;              // median final test accuracy over finished runs
  double lr = kNaN, weight_decay = kNaN;      // optim.lr, optim.weight_decay of the cell's runs (NaN if unknown)

  const ClockStats* clock(const std::string& name) const;
};

struct FitResult {
  FitSpec spec;
  std::vector<std::pair<std::string, nlohmann::json>> group;   // the other axes' values (empty with one axis)
  std::string cell;                 // for t_cls vs eps: the cell fitted
  std::vector<double> x, y;         // the points used, in raw coordinates (x: axis value or eps; y: median clock)
  std::vector<double> y_lo, y_hi;   // their quartiles
  metrics::LineFit line;            // in transformed coordinates
  int64_t censored = 0;             // cells left out because their median is censored
  double predicted_slope = kNaN;    // Lyu's 1/(eta lambda) (steps) or 1/lambda (time): t_gen, law log vs init_scale
  std::string x_name, y_name;       // axis titles in transformed coordinates: "ln(init_scale)", "t_gen (steps)"
  std::string group_label() const;  // "wd=0.001, lr=0.1", or "" / the cell
};

struct SweepAnalysis {
  std::vector<std::string> clock_names;   // t_fit, t_gen, t_cls(...)..., t_rep, t_below, gen_over_fit
  std::vector<CellSummary> cells;         // in grid order
  std::vector<FitResult> fits;
  int n_runs = 0, n_finished = 0;
  std::map<std::string, int> status_counts;
};

SweepAnalysis analyze(const SweepSpec& spec, const std::vector<RunRecord>& runs);

// Linear-interpolated quantile (q in [0, 1]) of sorted values, some of which may be +inf. NaN for an empty vector
// or an infinite result.
double censored_quantile(const std::vector<double>& sorted, double q);

// Transformed coordinates of a law: x' and y' (NaN when undefined, e.g. ln of a non-positive value).
double law_x(FitLaw law, double x);
double law_y(FitLaw law, double y);
// The fitted curve in raw coordinates: y(x) for the law and a line (intercept a, slope b).
double law_curve(FitLaw law, double a, double b, double x);

// cells.csv: one row per cell: cell, axis values, n_runs, n_finished, phase, acc_test_median, then for each clock
// <clock>_n_fired, _median, _q25, _q75, _min, _max, _median_time. fits.csv: one row per fit. fits.json: the same
// with the points. All written atomically.
void write_cells_csv(const std::filesystem::path& path, const SweepSpec& spec, const SweepAnalysis& analysis);
void write_fits(const std::filesystem::path& csv_path, const std::filesystem::path& json_path,
                const SweepAnalysis& analysis);

}  // namespace grokscope::sweep
