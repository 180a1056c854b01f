// The figures of a sweep, drawn from its index and analysis into SWEEP/figures/ (docs/plot.md):
//   clocks_vs_<axis>   median clocks (t_fit, t_gen, t_rep) per cell against each numeric axis, quartiles as error
//                      bars, every finished run as a faint point; one series per value of the other axes
//   fit_<n>            each fit of the spec in the coordinates where its law is a straight line: the cells' median
//                      clocks, the fitted lines, and slope, R^2 and (for Lyu's law) the predicted slope in the key
//   phase_ratio_*      heatmap of log10 of the median t_gen/t_fit over the first two axes (one per value of the
//                      other axes), cells where t_gen never fired marked "never"
//   phase_labels_*     heatmap of the majority phase label (comprehension, grokking, memorization, confusion)
#pragma once

#include "grokscope/plot/run_figures.h"
#include "grokscope/sweep/runner.h"

namespace grokscope::plot {

DrawnFigures plot_sweep(const std::filesystem::path& dir, const sweep::SweepData& data, const std::string& gnuplot);

}  // namespace grokscope::plot
