// Verdict check of OG-3 (Omnigrok, Liu, Michaud, Tegmark 2023, Fig. 7; papers.md §4.4): on the Nanda transformer the
// unconstrained run memorizes first while its weight norm rises, and generalizes once the norm has fallen below its
// initial value; the run held on a sphere (optim.fixed_norm) generalizes with the fit, without the delay.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "check_util.h"

namespace grokscope::reproduce {

namespace {
// The first step with values[i] >= level (NaN when none).
double first_step_at_least(const std::vector<double>& step, const std::vector<double>& values, double level) {
  for (size_t i = 0; i < std::min(step.size(), values.size()); ++i)
    if (values[i] >= level) return step[i];
  return kNaN;
}
double at_step(const std::vector<double>& step, const std::vector<double>& values, double t) {
  for (size_t i = 0; i < std::min(step.size(), values.size()); ++i)
    if (step[i] >= t) return values[i];
  return kNaN;
}
}  // namespace

std::vector<Verdict> og3_verdicts(const Og3Series& free_run, const Og3Series& fixed_run, const Og3Limits& lim) {
  std::vector<Verdict> out;
  const auto t_level = [&](const Og3Series& s) { return first_step_at_least(s.step, s.acc_test, lim.gen_level); };
  const auto t_fit = [&](const Og3Series& s) { return first_step_at_least(s.step, s.acc_train, 1.0); };
  // The unconstrained run: delay, the norm's rise and its fall below the initial value by generalization.
  const double f_fit = t_fit(free_run), f_gen = t_level(free_run);
  if (free_run.step.empty() || !std::isfinite(f_fit) || !std::isfinite(f_gen)) {
    out.push_back(missing("free_delay", "the unconstrained run fits, then generalizes much later",
                          free_run.step.empty() ? "no unconstrained run" : "it never fitted or never generalized"));
  } else {
    out.push_back(at_least("free_delay",
                           fmt::format("the unconstrained run generalizes late: t({}% test) / t_fit >= {}",
                                       num(100 * lim.gen_level), num(lim.min_free_delay)),
                           f_gen / f_fit, lim.min_free_delay, fmt::format("{} / {}", num(f_gen), num(f_fit))));
    const double n0 = free_run.norm.front();
    double peak = n0;
    for (size_t i = 0; i < std::min(free_run.step.size(), free_run.norm.size()) && free_run.step[i] <= f_gen; ++i)
      peak = std::max(peak, free_run.norm[i]);
    out.push_back(at_least("norm_rises", "the unconstrained norm rises while the run memorizes: max ||theta|| "
                                          "before generalization / ||theta_0||",
                           peak / n0, 1 + lim.min_norm_rise, fmt::format("{} / {}", num(peak), num(n0))));
    const double at_gen = at_step(free_run.step, free_run.norm, f_gen);
    out.push_back(at_most("norm_below_init_at_generalization",
                          "it generalizes once the norm is below its initial value: ||theta(t_gen)|| / ||theta_0||",
                          at_gen / n0, 1.0, fmt::format("{} / {}", num(at_gen), num(n0))));
  }
  // The constrained run: the norm is held and generalization comes with the fit.
  if (fixed_run.step.empty()) {
    out.push_back(missing("fixed_no_delay", "the constrained run generalizes with the fit", "no constrained run"));
    return out;
  }
  double drift = 0;
  for (double n : fixed_run.norm) drift = std::max(drift, std::abs(n / fixed_run.norm.front() - 1));
  out.push_back(at_most("norm_held", "optim.fixed_norm holds ||theta||: max | ||theta_t|| / ||theta_0|| - 1 |", drift,
                        lim.max_norm_drift));
  const double c_fit = t_fit(fixed_run), c_gen = t_level(fixed_run);
  if (!std::isfinite(c_fit) || !std::isfinite(c_gen)) {
    out.push_back(missing("fixed_no_delay", "the constrained run generalizes with the fit",
                          "it never fitted or never generalized"));
    return out;
  }
  out.push_back(at_most("fixed_no_delay",
                        fmt::format("the constrained run generalizes with the fit: t({}% test) / t_fit <= {}",
                                    num(100 * lim.gen_level), num(lim.max_fixed_delay)),
                        c_gen / c_fit, lim.max_fixed_delay, fmt::format("{} / {}", num(c_gen), num(c_fit))));
  return out;
}

namespace detail {

CheckOutput check_og3(const CheckInput& in, plot::FigureSet* figs) {
  CheckOutput out;
  Og3Series free_run, fixed_run;
  for (const auto& run : in.runs) {
    Og3Series s{run.column("step"), run.column("acc_train"), run.column("acc_test"), run.column("norm_total")};
    const double fixed = run.config_number("optim.fixed_norm");
    (fixed > 0 ? fixed_run : free_run) = s;
    out.measured.push_back(fmt::format(
        "{}: fixed_norm {}, t_fit {}, t_gen {}; ||theta|| {} at step 0, max {}, {} at t_gen, {} at the end; best test "
        "accuracy {}",
        run_label(run), num(fixed), num(run.clock_step("t_fit")), num(run.clock_step("t_gen")),
        num(s.norm.empty() ? kNaN : s.norm.front()),
        num(s.norm.empty() ? kNaN : *std::max_element(s.norm.begin(), s.norm.end())),
        num(value_at_step(run, "norm_total", run.clock_step("t_gen"))), num(s.norm.empty() ? kNaN : s.norm.back()),
        num(s.acc_test.empty() ? kNaN : *std::max_element(s.acc_test.begin(), s.acc_test.end()))));
  }
  Og3Limits lim;
  lim.gen_level = in.param("gen_level", lim.gen_level);
  lim.min_free_delay = in.param("min_free_delay", lim.min_free_delay);
  lim.max_fixed_delay = in.param("max_fixed_delay", lim.max_fixed_delay);
  lim.min_norm_rise = in.param("min_norm_rise", lim.min_norm_rise);
  lim.max_norm_drift = in.param("max_norm_drift", lim.max_norm_drift);
  out.verdicts = og3_verdicts(free_run, fixed_run, lim);
  add_curve_figure(figs, "og3_norm", "OG-3: ||theta|| against step: unconstrained (rises, then falls below its "
                   "initial value) and held on the sphere", in.runs, {"norm_total"}, {"norm"}, false, kNaN, "");
  add_curve_figure(figs, "og3_accuracy", "OG-3: train and test accuracy", in.runs, {"acc_train", "acc_test"},
                   {"train", "test"}, false, kNaN, "");
  return out;
}

}  // namespace detail
}  // namespace grokscope::reproduce
