// Post-hoc analysis of a finished run's metrics rows: the representation clock t_rep and the rate fits of the two
// clocks (science.md §1.2-1.3, §6). Computed once at the end, from the recorded curves.
//   t_rep(eta): S(t) = |x(t) - x(T)| / |x(0) - x(T)| for the chosen column x (default srank of the first-layer or
//               embedding matrix); t_rep is the first evaluation from which S <= eta for the rest of the run. A clock
//               that only settles at the last evaluation is reported as not fired (the metric was still moving).
//               x(0) is the first finite value (a metric can be undefined at initialization).
//   fast clock: nu from the fit log(train loss) ~ a - nu t over [t_fit, time of the lowest train loss], with R^2.
//   slow clock: exponent beta of S ~ C (t - t_fit)^beta over [t_fit, t_rep] (and the KL exponent
//               theta = (1 - 1/beta) / 2 of the two-clocks paper when beta < -1), with R^2.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "grokscope/metrics/clocks.h"
#include "grokscope/train/config.h"

namespace grokscope {

struct ClockAnalysis {
  Clock t_rep;                                          // name "t_rep"
  std::string rep_metric;                               // the column used ("" when none applies)
  std::vector<std::pair<std::string, double>> values;   // dotted names for summary.json, e.g. "fast_clock.nu"
};

ClockAnalysis analyze_clocks(const EvalConfig& config, const std::vector<std::string>& columns,
                             const std::vector<std::vector<double>>& rows, const std::vector<Clock>& clocks);

}  // namespace grokscope
