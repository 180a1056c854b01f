// The figures of one run, drawn from its saved outputs (metrics.csv, summary.json, config.toml, params_*.npz,
// split.npz, trajectory.csv) into RUN/figures/ (docs/plot.md):
//   loss          train/test loss against steps (log-log), clocks t_fit, t_gen and t_cls(eps) marked
//   accuracy      train/test accuracy against steps (log x), t_fit and t_gen marked (tasks with labels)
//   norms         every norm_* column (log x)
//   diagnostics   margins and every other metrics column (probes such as stable rank), one panel per name prefix
//   fourier       Fourier spectrum of the input embedding at step 0 and at the end (modular tasks, mlp and
//                 embedding_mlp): the share of ||E||_F^2 in each frequency k of Z_p
//   trajectory    parameter trajectory of a toy model (eval.record_trajectory): the path in parameter space with
//                 the zero-loss set {w : x.w = y} drawn for a linear model with one training sample; otherwise
//                 every parameter against steps
// A figure whose data is missing is left out with a note; a run that is still going plots what it has.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "grokscope/io/metrics_csv.h"
#include "grokscope/plot/gnuplot.h"

namespace grokscope::plot {

struct RunView {
  std::filesystem::path dir;
  std::string name;              // the directory's name
  MetricsTable metrics;          // empty when metrics.csv is missing
  nlohmann::json summary;        // null when summary.json is missing (a run still going, or killed)
  std::string config_text;       // config.toml ("" when missing)
  nlohmann::json config;         // the resolved config as JSON (from summary.json, else config.toml), or null
};

// Reads what the run directory holds. Throws IoError when dir holds neither metrics.csv nor summary.json.
RunView load_run_view(const std::filesystem::path& dir);

struct DrawnFigures {
  std::vector<Figure> figures;
  std::vector<std::string> notes;   // figures left out and why
};

// Draws the run's figures into RUN/figures with the given gnuplot. Throws IoError when gnuplot fails.
DrawnFigures plot_run(const RunView& run, const std::string& gnuplot);

}  // namespace grokscope::plot
