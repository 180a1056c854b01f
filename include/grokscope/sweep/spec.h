// A sweep: a base run config, axes over config keys, seeds, and the analysis to make of the finished runs
// (docs/sweep.md). This header is the typed form of a sweep file; parsing (toml++) is private to src/sweep/spec.cpp.
// Every error is a ConfigError naming the sweep key ("axis[2].points = 1: ...").
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace grokscope::sweep {

enum class AxisScale { list, linear, log };   // as written: values = [...], linear = [lo, hi], log = [lo, hi]

struct AxisSpec {
  std::string key;                       // dotted config key, e.g. "model.init_scale"
  std::string label;                     // short name in run names and figures (default: the key's last segment)
  AxisScale scale = AxisScale::list;
  std::vector<nlohmann::json> values;    // in grid order: numbers, strings, bools or arrays (already expanded)
  bool numeric() const;                  // every value a number
};

// Scaling laws, each a straight line y' = a + b x' in transformed coordinates:
//   linear       y = a + b x            log          y = a + b ln x        log_inverse  y = a + b ln(1/x)
//   inverse      y = a + b / x          power        ln y = a + b ln x
enum class FitLaw { linear, log, log_inverse, inverse, power };
const char* to_string(FitLaw law);

struct FitSpec {
  std::string clock;     // t_fit, t_gen, t_cls(<eps>), t_rep, t_below, gen_over_fit; or t_cls with x = "eps"
  std::string x;         // an axis key, or "eps" (the t_cls thresholds of each cell: t_cls(eps) vs log(1/eps))
  FitLaw law = FitLaw::log;
  bool in_time = false;  // unit: steps (false) or continuous time, the sum of learning rates (true)
  double x_min = -std::numeric_limits<double>::infinity();   // points with x outside [x_min, x_max] are left out
  double x_max = std::numeric_limits<double>::infinity();
};

// Phase labels after Liu et al. 2022 (Table 1): with s_train / s_test the first evaluated step where train / test
// accuracy >= threshold within the run:  confusion (s_train never), memorization (s_test never), grokking (s_test >=
// gap_ratio * s_train and s_test - s_train >= gap_steps), comprehension (otherwise). The default rule is the ratio
// alone (scale-free: generalization takes at least twice as long as fitting); Liu et al.'s own rule, an absolute gap
// of 1000 steps, is gap_ratio = 1, gap_steps = 1000.
struct PhaseSpec {
  double threshold = 0.9;
  double gap_ratio = 2.0;
  int64_t gap_steps = 0;
};

// Threshold clock t_below: first evaluation where `column` of metrics.csv is <= eta for `hold` evaluations in a row
// (metrics/fits.h structural_clock). Disabled when column is empty. Not the run's own representation clock t_rep
// (summary.json, eval.rep_metric / eval.rep_eta), which every run records and the sweep indexes as it is.
struct BelowClockSpec {
  std::string column;
  double eta = 0.0;
  int hold = 1;
};

// What each run of a sweep is (see SweepSpec::instrument).
enum class Instrument { train, isolated, landscape };
const char* to_string(Instrument instrument);
// "train", "isolated" or "landscape"; throws ConfigError naming sweep.instrument otherwise.
Instrument parse_instrument(const std::string& name);

struct SweepSpec {
  std::string name;                      // default: the file name without .toml
  std::string source;                    // the sweep file path ("" when parsed from text)
  std::string text;                      // the sweep file as written
  std::string base_source;               // the base config file, or "[base]" for an inline base, or "" (defaults)
  std::string base_text;                 // the base config file's text ("" for an inline base or none)
  std::vector<std::string> base_overrides;   // the inline [base] table as key=value overrides
  // What each run is: train (grokscope train; config keys of docs/config.md), isolated (Musat's isolated
  // dynamics, grokscope theory isolated; keys isolated.* of docs/theory.md, seed key isolated.seed) or landscape
  // (GD on Musat's toy landscapes, grokscope theory landscape; keys landscape.*, no seed key).
  Instrument instrument = Instrument::train;
  std::vector<std::string> set;          // [set] overrides (key=value), applied after the base
  int threads_per_run = 1;               // train.threads of every run
  int workers = 0;                       // default worker count; 0 = as many as cores
  std::vector<AxisSpec> axes;
  std::vector<std::string> seed_keys = {"train.seed"};
  std::vector<int64_t> seeds = {0};
  std::vector<FitSpec> fits;             // as written; empty means default_fits()
  PhaseSpec phase;
  BelowClockSpec t_below;

  const AxisSpec* find_axis(std::string_view key_or_label) const;
  // The fits to compute: `fits`, or when none are written the defaults: for every numeric axis with >= 2 values,
  // t_fit and t_gen (and t_below when enabled) with law log for model.init_scale, inverse for a weight_decay key,
  // power for a log axis, linear otherwise; and t_cls vs eps (log_inverse).
  std::vector<FitSpec> effective_fits() const;
};

// Parses a sweep file. source_path is used for messages and to find a relative `base` path (relative to the sweep
// file's directory). Checks: known keys only, axis keys are config keys, ranges and seeds are sane, fits refer to
// axes and known clocks. Does not resolve or validate the run configs (grid.h does).
SweepSpec parse_sweep_spec(std::string_view text, const std::string& source_path);
// Reads the file (ConfigError("sweep", path, "cannot read file") when missing) and parses it.
SweepSpec load_sweep_spec(const std::string& path);

// The analysis part of a spec as JSON (axes with their values, seed keys, seeds, fits, phase, t_below) and back:
// stored in the sweep index, so a sweep directory can be re-analysed and re-plotted without the original files.
nlohmann::json spec_to_json(const SweepSpec& spec);
SweepSpec spec_from_json(const nlohmann::json& j);

// A JSON value as the text of a TOML value (for --set style overrides): 1e-05, 8, "f64", [256, 256], true.
// Floats always carry a '.' or an exponent, so they stay floats. Throws ConfigError on null.
std::string toml_value_text(const nlohmann::json& value);

}  // namespace grokscope::sweep
