// Shared pieces of the per-run figures (private to src/plot).
#pragma once

#include <string>
#include <vector>

#include "grokscope/plot/run_figures.h"

namespace grokscope::plot {

void fourier_figure(const RunView& run, FigureSet& set, DrawnFigures& out);
void trajectory_figure(const RunView& run, FigureSet& set, DrawnFigures& out);

namespace detail {

struct Mark {
  std::string label;
  double step;
  std::string color;
  int dt;        // gnuplot dash type
  bool top;      // label at the top of the plot (else only in the key)
};

// t_fit, t_gen (and the t_cls clocks when with_cls) of summary.json that fired.
std::vector<Mark> clock_marks(const RunView& run, bool with_cls);
std::string mark_commands(const std::vector<Mark>& marks);   // vertical lines and their labels
std::string mark_keys(const std::vector<Mark>& marks);       // ", NaN with lines ... title 't_fit = 562'"
std::string log_x_axis(const MetricsTable& t);
std::string title_line(const RunView& run, const std::string& what);
bool has_finite(const MetricsTable& t, const std::string& col, bool positive);

}  // namespace detail
}  // namespace grokscope::plot
