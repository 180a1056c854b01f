// Helpers shared by the checks of Lyu et al.'s experiments (checks_lyu_models.cpp, checks_lyu_sweep.cpp): the
// predicted transition step, the kernel-phase norm decay, and the per-run curve figures.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "check_util.h"
#include "grokscope/metrics/fits.h"
#include "grokscope/plot/gnuplot.h"

namespace grokscope::reproduce::detail {

double lyu_t_star(const RunData& run) {
  return std::log(run.config_number("model.init_scale")) /
         (run.config_number("optim.lr") * run.config_number("optim.weight_decay"));
}

double kernel_norm_decay_rate(const RunData& run, double t_star, double lo, double hi) {
  const double eta = run.config_number("optim.lr");
  const auto time = run.column("time"), norm = run.column("norm_total");
  std::vector<double> x, y;
  for (size_t i = 0; i < time.size() && i < norm.size(); ++i)
    if (time[i] >= lo * t_star * eta && time[i] <= hi * t_star * eta && norm[i] > 0)
      x.push_back(time[i]), y.push_back(std::log(norm[i]));
  const metrics::LineFit f = metrics::fit_line(x, y);
  return f.ok ? -f.slope : kNaN;
}

Verdict kernel_norm_decay_verdict(const RunData& run, double t_star, double tol, const std::string& tag) {
  return within_relative("kernel_norm_decay" + tag,
                         fmt::format("kernel phase: ln|theta| falls at rate lambda in continuous time over [0.1, 0.7] "
                                     "t* (tolerance {})",
                                     num(tol)),
                         kernel_norm_decay_rate(run, t_star), run.config_number("optim.weight_decay"), tol,
                         "per unit time");
}

void add_curve_figure(plot::FigureSet* figs, const std::string& name, const std::string& caption,
                      const std::vector<RunData>& runs, const std::vector<std::string>& cols,
                      const std::vector<std::string>& titles, bool log_y, double mark_step, const std::string& mark,
                      bool log_x) {
  if (!figs) return;
  std::string ylabel;   // the curves' titles, so that every figure says what its y axis is
  for (const auto& t : titles) ylabel += (ylabel.empty() ? "" : ", ") + t;
  std::string body = fmt::format("{}set xlabel 'step'\nset ylabel {} noenhanced\nset title {} noenhanced\n"
                                 "set key outside top center horizontal\n",
                                 log_x ? "set logscale x\n" : "", plot::gp_quote(ylabel), plot::gp_quote(name));
  if (log_y) body += "set logscale y\nset format y '10^{%L}'\n";
  if (std::isfinite(mark_step))
    body += fmt::format("set arrow from {0},graph 0 to {0},graph 1 nohead dt 2 lc rgb '#555555'\n"
                        "set label {1} at {0},graph 0.95 left offset 0.5,0 noenhanced\n",
                        mark_step, plot::gp_quote(mark));
  body += "plot ";
  int lt = 1;
  for (size_t r = 0; r < runs.size(); ++r) {
    std::vector<std::vector<double>> data = {runs[r].column("step")};
    for (const auto& c : cols) {
      auto v = runs[r].column(c);
      v.resize(data[0].size(), kNaN);
      data.push_back(v);
    }
    if (log_x)
      for (auto& s : data[0]) s = std::max(s, 1.0);   // step 0 on a log axis
    const std::string file = fmt::format("{}_{}.dat", name, r);
    figs->data(file, columns_text(std::vector<std::string>{"step"}, data));
    for (size_t c = 0; c < cols.size(); ++c, ++lt)
      body += fmt::format("{}'{}' using 1:{} with {} lt {} title '{}{}'", lt > 1 ? ", " : "", file, c + 2,
                          log_x ? "linespoints" : "lines lw 2", lt, titles[c],
                          runs.size() > 1 ? " " + run_label(runs[r]) : "");
  }
  figs->figure(name, caption, body + "\n");
}

}  // namespace grokscope::reproduce::detail
