// Verdict check of Lyu et al.'s transition law over a sweep of the initialization scale alpha at fixed eta, lambda
// (science.md §2.3, §2.7 item 2): t* = (1/lambda)(ln alpha + const) in continuous time, so the transition step grows
// linearly in ln(alpha) with slope 1/(eta lambda). The fit itself is the sweep's (sweep/aggregate.h, fits.json:
// t_gen against model.init_scale with law log, which also carries the predicted slope); this check judges it.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "check_util.h"

namespace grokscope::reproduce {

std::vector<Verdict> alpha_slope_verdicts(const std::vector<double>& alpha, const std::vector<double>& t_gen,
                                          double slope, double r2, double predicted, double slope_tol, double min_r2) {
  std::vector<Verdict> out;
  out.push_back(within_relative("slope_vs_log_alpha",
                                fmt::format("d t_gen / d ln(alpha) = 1/(eta lambda) steps (relative tolerance {})",
                                            num(slope_tol)),
                                slope, predicted, slope_tol, "steps"));
  out.push_back(at_least("linear_in_log_alpha", "t_gen is linear in ln(alpha): R^2 of the fit", r2, min_r2, "R^2"));
  std::vector<double> neg(t_gen.size());
  for (size_t i = 0; i < t_gen.size(); ++i) neg[i] = -t_gen[i];
  std::string m;
  for (size_t i = 0; i < alpha.size(); ++i) m += fmt::format("{}alpha={}: {}", i ? ", " : "", num(alpha[i]), num(t_gen[i]));
  out.push_back(Verdict{"later_for_larger_alpha", "the transition is delayed as alpha grows", "t_gen: " + m,
                        alpha.size() >= 2 && monotone_decreasing(alpha, neg, true), kNaN, kNaN});
  return out;
}

namespace detail {

namespace {

// The kernel phase of one run of a classification alpha sweep (LY-2), each verdict opted into by its parameter:
//   max_acc_at_fit  the training set is fitted (train accuracy >= fit_acc, default 1) while the test accuracy is
//                   still at most this: the kernel predictor does not generalize;
//   decay_tol       ln|theta| falls at rate lambda in continuous time over [0.1, 0.7] t* (relative tolerance).
void kernel_phase_verdicts(const CheckInput& in, const RunData& run, CheckOutput& out) {
  const double alpha = run.config_number("model.init_scale"), t_star = lyu_t_star(run);
  const std::string tag = " alpha=" + num(alpha);
  std::string m = "alpha=" + num(alpha) + ":";
  if (in.params.count("max_acc_at_fit")) {
    const double fit_acc = in.param("fit_acc", 1.0);
    const auto s = run.column("step");
    const int64_t i = first_crossing(run.column("acc_train"), fit_acc, false);
    const double t_fit = i < 0 ? kNaN : s[static_cast<size_t>(i)];
    const double acc = value_at_step(run, "acc_test", t_fit);
    out.verdicts.push_back(at_most("kernel_memorizes" + tag,
                                   fmt::format("kernel phase: the training set is fitted (train accuracy >= {}) while "
                                               "the test accuracy is still low",
                                               num(fit_acc)),
                                   acc, in.param("max_acc_at_fit", 0.2), "test accuracy at the fit"));
    m += fmt::format(" train accuracy >= {} at step {} with test accuracy {};", num(fit_acc), num(t_fit), num(acc));
  }
  if (in.params.count("decay_tol")) {
    out.verdicts.push_back(kernel_norm_decay_verdict(run, t_star, in.param("decay_tol", 0.2), tag));
    m += fmt::format(" norm decay rate {} over [0.1, 0.7] t* = [{}, {}] steps (lambda = {});",
                     num(out.verdicts.back().value), num(0.1 * t_star), num(0.7 * t_star),
                     num(run.config_number("optim.weight_decay")));
  }
  m.pop_back();
  out.measured.push_back(m);
}

}  // namespace

CheckOutput check_ly_alpha_sweep(const CheckInput& in, plot::FigureSet* figs) {
  CheckOutput out;
  const nlohmann::json* fit = nullptr;
  if (in.fits)
    for (const auto& f : *in.fits)
      if (f.value("clock", "") == "t_gen" && f.value("x", "") == "model.init_scale" && f.value("law", "") == "log")
        fit = &f;
  std::vector<double> alpha, t_gen;
  for (const auto& run : in.runs) {
    alpha.push_back(run.config_number("model.init_scale"));
    t_gen.push_back(run.clock_step("t_gen"));
    out.measured.push_back(fmt::format("alpha={}: t_fit {}, t_gen {}, ln(alpha)/(eta lambda) = {}", num(alpha.back()),
                                       num(run.clock_step("t_fit")), num(t_gen.back()),
                                       num(std::log(alpha.back()) / (run.config_number("optim.lr") *
                                                                     run.config_number("optim.weight_decay")))));
  }
  if (in.params.count("max_acc_at_fit") || in.params.count("decay_tol"))
    for (const auto& run : in.runs)
      if (run.config_number("model.init_scale") > 1) kernel_phase_verdicts(in, run, out);   // alpha = 1: no kernel phase
  auto number = [](const nlohmann::json* j, const char* key) {
    return j && j->contains(key) && (*j)[key].is_number() ? (*j)[key].get<double>() : kNaN;
  };
  const double slope = number(fit, "slope"), r2 = number(fit, "r2"), predicted = number(fit, "predicted_slope");
  const double intercept = number(fit, "intercept");
  if (!fit) out.measured.push_back("no fit of t_gen against ln(alpha) in fits.json (fewer than two cells fired t_gen?)");
  else
    out.measured.push_back(fmt::format("fit t_gen = {} + {} ln(alpha), R^2 {}, over {} cells ({} censored); "
                                       "predicted slope 1/(eta lambda) = {}; as Lyu's t* = (ln alpha + c)/(eta lambda) "
                                       "with the fitted slope: c = intercept / slope = {} (with the predicted slope: "
                                       "c = intercept / (1/(eta lambda)) = {})",
                                       num(intercept), num(slope), num(r2), fit->value("n", 0), fit->value("censored", 0),
                                       num(predicted), num(intercept / slope), num(intercept / predicted)));
  const auto law = alpha_slope_verdicts(alpha, t_gen, slope, r2, predicted, in.param("slope_tol", 0.25),
                                       in.param("min_r2", 0.95));
  out.verdicts.insert(out.verdicts.begin(), law.begin(), law.end());
  if (!figs || alpha.empty()) return out;
  const auto acc = in.runs.front().column("acc_test");
  if (std::any_of(acc.begin(), acc.end(), [](double a) { return std::isfinite(a); })) {   // classification (LY-2):
                                                                                           // Fig. 2b
    add_curve_figure(figs, "ly_alpha_accuracy", "Test accuracy against step (linear axis) for each alpha: the "
                     "transition moves right by ln(alpha)/(eta lambda)", in.runs, {"acc_test"}, {"test"}, false, kNaN,
                     "", false);
    add_curve_figure(figs, "ly_alpha_norm", "Parameter norm |theta| for each alpha: alpha e^{-lambda t} in the "
                     "kernel phase, then the rich phase", in.runs, {"norm_total"}, {"|theta|"}, true, kNaN, "", false);
  }
  std::vector<double> la(alpha.size()), fitted(alpha.size()), pred(alpha.size());
  double mx = 0, my = 0;
  int n = 0;
  for (size_t i = 0; i < alpha.size(); ++i)
    if (std::isfinite(t_gen[i])) mx += std::log(alpha[i]), my += t_gen[i], ++n;
  mx /= std::max(n, 1);
  my /= std::max(n, 1);
  for (size_t i = 0; i < alpha.size(); ++i) {
    la[i] = std::log(alpha[i]);
    fitted[i] = intercept + slope * la[i];
    pred[i] = my + predicted * (la[i] - mx);   // the predicted slope through the points' centroid
  }
  figs->data("ly_alpha.dat", columns_text({"ln_alpha", "t_gen", "fit", "predicted"}, {la, t_gen, fitted, pred}));
  figs->figure("ly_alpha_slope",
               "Transition step t_gen against ln(alpha): measured (points), least-squares fit (solid) and Lyu's slope "
               "1/(eta lambda) through the points' centroid (dashed)",
               fmt::format("set xlabel 'ln(alpha)'\nset ylabel 't_gen (steps)' noenhanced\nset key top left noenhanced\n"
                           "plot 'ly_alpha.dat' using 1:2 with points pt 7 ps 1.5 title 'measured t_gen', "
                           "'' using 1:3 with lines lt 1 title 'fit: slope {}, R^2 {}', "
                           "'' using 1:4 with lines lt 2 dt 2 title 'predicted slope 1/(eta lambda) = {}'\n",
                           num(slope), num(r2), num(predicted)));
  return out;
}

}  // namespace detail
}  // namespace grokscope::reproduce
