// The grid of a sweep: the cartesian product of the axes (first axis slowest), times the seeds. Each grid point
// has a stable directory name made of its readable axis values and a short hash of its own overrides, so the same
// point gets the same name whatever else changes in the sweep file (other axis values, the base config).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "grokscope/sweep/spec.h"
#include "grokscope/theory/isolated_dynamics.h"
#include "grokscope/theory/landscape_run.h"
#include "grokscope/train/config.h"

namespace grokscope {
class RunDirWriter;
class RunObserver;
}  // namespace grokscope

namespace grokscope::sweep {

struct GridPoint {
  std::string name;                      // run directory name: "alpha=2_wd=0.001_seed=0_1a2b3c4d"
  std::string cell;                      // the same without the seed: "alpha=2_wd=0.001_5e6f7a8b" ("base" without axes)
  int64_t cell_index = 0;                // position of the cell in the grid (axis order, first axis slowest)
  std::vector<nlohmann::json> values;    // one value per axis
  int64_t seed = 0;
  std::vector<std::string> overrides;    // every override, in order: base, [set], train.threads, axes, seeds
};

// Every grid point, cells in order and the seeds innermost.
std::vector<GridPoint> expand_grid(const SweepSpec& spec);

// A point resolved for its instrument: the config of its run directory (config.toml), the config hash that marks
// a finished run as current, and the run itself (it adds the instrument's files to the writer, then runs with the
// observer). The one place that dispatches on spec.instrument to run something.
struct InstrumentRun {
  RunConfig config;
  std::string hash;
  std::function<void(RunDirWriter& writer, RunObserver& observer)> run;
};
// Throws ConfigError (every config resolves and validates here, before anything is written).
InstrumentRun resolve_run(const SweepSpec& spec, const GridPoint& point);

// The resolved config of a point: the base text with the point's overrides, then validate(). Throws ConfigError.
// For instrument "isolated": the network of the isolated config (theory::isolated_run_config); "landscape":
// theory::landscape_run_config.
RunConfig resolve_config(const SweepSpec& spec, const GridPoint& point);
// The isolated-dynamics config of a point of an instrument = "isolated" sweep, validated. Throws ConfigError.
theory::IsolatedConfig resolve_isolated_config(const SweepSpec& spec, const GridPoint& point);
// The toy-landscape config of a point of an instrument = "landscape" sweep, validated. Throws ConfigError.
theory::LandscapeConfig resolve_landscape_config(const SweepSpec& spec, const GridPoint& point);

// The readable form of a value in names and labels: 0.001, 1e-05, 256x256, relu (at most 4 significant digits).
std::string value_label(const nlohmann::json& value);

}  // namespace grokscope::sweep
