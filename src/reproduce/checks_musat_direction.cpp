// Verdict check of Musat's gradient-direction experiment (science.md §3.6, Fig. 5 / 7, App. D; catalog MU-4): after
// memorization, the update over the last c steps, dtheta, should follow the norm-minimizing direction g~ tangent to the
// zero-loss set, and Musat reports that cos(dtheta, g~) "is greatest exactly during the grokking stage". The check
// finds where the largest cosine lies against the test-accuracy rise (Fig. 7) and the test-loss fall (Fig. 5), on
// every seed, and also checks that the run groks at all (grokking_verdicts).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "check_util.h"

namespace grokscope::reproduce {

Mu4Windows mu4_windows(const Mu4Series& s) {
  Mu4Windows w;
  const size_t n = std::min({s.step.size(), s.cos.size(), s.acc_test.size(), s.loss_test.size()});
  for (size_t i = 0; i < n; ++i)
    if (std::isfinite(s.cos[i]) && !(s.cos[i] <= w.peak_cos)) w.peak_cos = s.cos[i], w.peak_step = s.step[i];
  w.t_gen = s.t_gen;
  if (!std::isfinite(s.t_fit) || n == 0) return w;
  size_t i_fit = 0;
  while (i_fit + 1 < n && s.step[i_fit] < s.t_fit) ++i_fit;
  for (size_t i = i_fit + 1; i < n; ++i)
    if (s.acc_test[i] > s.acc_test[i_fit]) {
      w.onset = s.step[i];
      break;
    }
  size_t i_max = i_fit;
  for (size_t i = i_fit; i < n; ++i)
    if (s.loss_test[i] > s.loss_test[i_max]) i_max = i;
  const double top = s.loss_test[i_max], fall = top - s.loss_test[n - 1];
  if (!(fall > 0)) return w;
  for (size_t i = i_max; i < n; ++i) {
    if (!std::isfinite(w.loss_lo) && s.loss_test[i] <= top - 0.1 * fall) w.loss_lo = s.step[i];
    if (s.loss_test[i] <= top - 0.9 * fall) {
      w.loss_hi = s.step[i];
      break;
    }
  }
  return w;
}

std::vector<Verdict> mu4_verdicts(const Mu4Series& s, const std::string& tag) {
  const Mu4Windows w = mu4_windows(s);
  std::vector<Verdict> out;
  const std::string acc_claim =
      "cos(dtheta, g~) is greatest during grokking, read as the test-accuracy rise (Fig. 7): the step of the largest "
      "cosine lies in [t_onset, t_gen] (t_onset: first evaluation after t_fit with a higher test accuracy than at t_fit)";
  const std::string loss_claim =
      "the same, read as the test-loss fall (Fig. 5): the step of the largest cosine lies where the test loss makes the "
      "middle 80% of its fall from its largest value after t_fit to its final value";
  if (!std::isfinite(w.peak_step)) {
    out.push_back(missing("peak_in_accuracy_rise" + tag, acc_claim, "no cos(dtheta, g~) column"));
    out.push_back(missing("peak_in_test_loss_drop" + tag, loss_claim, "no cos(dtheta, g~) column"));
    return out;
  }
  const bool in_acc = std::isfinite(w.onset) && std::isfinite(w.t_gen) && w.peak_step >= w.onset &&
                      w.peak_step <= w.t_gen;
  out.push_back(Verdict{"peak_in_accuracy_rise" + tag, acc_claim,
                        fmt::format("largest cos {} at step {}; test-accuracy rise [{}, {}] (t_fit {}); peak / t_gen = {}",
                                    num(w.peak_cos), num(w.peak_step), num(w.onset), num(w.t_gen), num(s.t_fit),
                                    num(w.peak_step / w.t_gen)),
                        in_acc, w.peak_step, kNaN});
  const bool in_loss = std::isfinite(w.loss_lo) && std::isfinite(w.loss_hi) && w.peak_step >= w.loss_lo &&
                       w.peak_step <= w.loss_hi;
  out.push_back(Verdict{"peak_in_test_loss_drop" + tag, loss_claim,
                        fmt::format("largest cos {} at step {}; test-loss fall 10%..90% over [{}, {}]", num(w.peak_cos),
                                    num(w.peak_step), num(w.loss_lo), num(w.loss_hi)),
                        in_loss, w.peak_step, kNaN});
  return out;
}

namespace detail {

CheckOutput check_mu4(const CheckInput& in, plot::FigureSet* figs) {
  CheckOutput out;
  double t_gen0 = kNaN;
  for (const auto& run : in.runs) {
    Mu4Series s;
    s.label = run_label(run);
    s.t_fit = run.clock_step("t_fit");
    s.t_gen = run.clock_step("t_gen");
    s.step = run.column("step");
    s.cos = run.column("zl_cos_dtheta_gtilde");
    s.acc_test = run.column("acc_test");
    s.loss_test = run.column("loss_test");
    const std::string tag = in.runs.size() > 1 ? " " + s.label : "";
    auto g = grokking_verdicts(grok_clocks(run), in.param("min_ratio", 10), in.param("max_acc_at_fit", 0.5), tag);
    out.verdicts.insert(out.verdicts.end(), g.begin(), g.end());
    auto v = mu4_verdicts(s, tag);
    out.verdicts.insert(out.verdicts.end(), v.begin(), v.end());
    const Mu4Windows w = mu4_windows(s);
    if (!std::isfinite(t_gen0)) t_gen0 = s.t_gen;
    out.measured.push_back(fmt::format(
        "{}: t_fit {}, test-accuracy rise [{}, {}], test-loss fall (10%..90%) [{}, {}]; largest cos(dtheta, g~) {} at "
        "step {} ({} x t_fit, {} x t_gen); cos at t_gen {}, at the end {}",
        s.label, num(s.t_fit), num(w.onset), num(w.t_gen), num(w.loss_lo), num(w.loss_hi), num(w.peak_cos),
        num(w.peak_step), num(w.peak_step / s.t_fit), num(w.peak_step / s.t_gen),
        num(value_at_step(run, "zl_cos_dtheta_gtilde", s.t_gen)), num(s.cos.empty() ? kNaN : s.cos.back())));
  }
  add_curve_figure(figs, "mu4_cosine",
                   "MU-4: cos(dtheta, g~), the update over the last 10 steps against the norm-minimizing tangent "
                   "direction, per seed (dashed: t_gen of the first seed)",
                   in.runs, {"zl_cos_dtheta_gtilde"}, {"cos(dtheta, g~)"}, false, t_gen0, "t_gen");
  add_curve_figure(figs, "mu4_accuracy", "MU-4: train and test accuracy per seed", in.runs, {"acc_train", "acc_test"},
                   {"train acc", "test acc"}, false, t_gen0, "t_gen");
  add_curve_figure(figs, "mu4_loss", "MU-4: train and test loss (MSE) per seed, log y", in.runs,
                   {"loss_train", "loss_test"}, {"train loss", "test loss"}, true, t_gen0, "t_gen");
  return out;
}

}  // namespace detail
}  // namespace grokscope::reproduce
