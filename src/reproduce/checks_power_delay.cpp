// Verdict check of Power et al. 2022's Fig. 1 (catalog PW-1; science.md §4.1): on x/y mod 97 with half of the table
// for training, a 2-layer transformer trained with Adam and no weight decay fits the training set in < 10^3 steps,
// its validation accuracy stays near chance until ~10^5 steps and reaches ~100% near 10^6. The check measures the
// three times on the accuracy columns (train fitted, validation onset, validation at 99%) and judges their order and
// their ratios; the ratios it asks for are the catalog file's (one decade at the quick scale, the figure's at paper).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "check_util.h"

namespace grokscope::reproduce {

namespace {

double first_step_at_least(const std::vector<double>& step, const std::vector<double>& acc, double level) {
  const int64_t i = first_crossing(acc, level, false);
  return i < 0 || static_cast<size_t>(i) >= step.size() ? kNaN : step[static_cast<size_t>(i)];
}

}  // namespace

PowerDelayTimes power_delay_times(const PowerDelaySeries& s, const PowerDelayLimits& limits) {
  PowerDelayTimes t;
  t.t_fit = first_step_at_least(s.step, s.acc_train, limits.fit_acc);
  t.t_onset = first_step_at_least(s.step, s.acc_test, limits.onset_acc);
  t.t_gen = first_step_at_least(s.step, s.acc_test, limits.gen_acc);
  if (std::isfinite(t.t_fit)) {
    const auto it = std::lower_bound(s.step.begin(), s.step.end(), t.t_fit);
    const auto i = static_cast<size_t>(it - s.step.begin());
    if (i < s.acc_test.size()) t.acc_test_at_fit = s.acc_test[i];
  }
  return t;
}

std::vector<Verdict> power_delay_verdicts(const PowerDelaySeries& s, const PowerDelayLimits& limits,
                                          const std::string& tag) {
  const PowerDelayTimes t = power_delay_times(s, limits);
  std::vector<Verdict> out;
  out.push_back(Verdict{"train_fits" + tag,
                        fmt::format("the training set is fitted: train accuracy reaches {}", num(limits.fit_acc)),
                        std::isfinite(t.t_fit) ? fmt::format("first at step {}", num(t.t_fit))
                                               : std::string("never within the budget"),
                        std::isfinite(t.t_fit), t.t_fit, kNaN});
  out.push_back(at_most("validation_low_at_fit" + tag,
                        fmt::format("when the training set is fitted the validation accuracy is still near chance "
                                    "({}): at most {}",
                                    num(s.chance), num(limits.max_acc_at_fit)),
                        t.acc_test_at_fit, limits.max_acc_at_fit, "validation accuracy at the fit"));
  // A validation accuracy that never rises stayed low to the last evaluation at least: that step bounds the onset.
  const bool risen = std::isfinite(t.t_onset);
  const double onset = risen ? t.t_onset : (s.step.empty() ? kNaN : s.step.back());
  out.push_back(at_least("validation_plateau" + tag,
                         fmt::format("the validation accuracy stays low long after the fit: (first step with validation "
                                     "accuracy >= {}) / (first step with train accuracy >= {}) >= {}",
                                     num(limits.onset_acc), num(limits.fit_acc), num(limits.min_onset_ratio)),
                         onset / t.t_fit, limits.min_onset_ratio,
                         fmt::format("{}{} / {}{}", risen ? "" : "> ", num(onset), num(t.t_fit),
                                     risen ? "" : " (never rose: the last evaluation bounds the onset)")));
  out.push_back(Verdict{"validation_generalizes" + tag,
                        fmt::format("the validation accuracy eventually reaches {} within the budget",
                                    num(limits.gen_acc)),
                        std::isfinite(t.t_gen) ? fmt::format("first at step {}", num(t.t_gen))
                                               : std::string("never within the budget"),
                        std::isfinite(t.t_gen), t.t_gen, kNaN});
  out.push_back(at_least("generalization_delay" + tag,
                         fmt::format("validation reaches {} long after train: t_gen / t_fit >= {}",
                                     num(limits.gen_acc), num(limits.min_gen_ratio)),
                         t.t_gen / t.t_fit, limits.min_gen_ratio, fmt::format("{} / {}", num(t.t_gen), num(t.t_fit))));
  return out;
}

namespace detail {

CheckOutput check_power_delay(const CheckInput& in, plot::FigureSet* figs) {
  CheckOutput out;
  PowerDelayLimits limits;
  limits.fit_acc = in.param("fit_acc", limits.fit_acc);
  limits.gen_acc = in.param("gen_acc", limits.gen_acc);
  limits.onset_acc = in.param("onset_acc", limits.onset_acc);
  limits.max_acc_at_fit = in.param("max_acc_at_fit", limits.max_acc_at_fit);
  limits.min_onset_ratio = in.param("min_onset_ratio", limits.min_onset_ratio);
  limits.min_gen_ratio = in.param("min_gen_ratio", limits.min_gen_ratio);
  if (in.runs.empty()) {
    out.verdicts.push_back(missing("train_fits", "a finished run", "no finished run"));
    return out;
  }
  for (const auto& run : in.runs) {
    const std::string tag = in.runs.size() > 1 ? " " + run_label(run) : "";
    PowerDelaySeries s;
    s.chance = 1.0 / run.config_number("task.p");
    s.step = run.column("step");
    s.acc_train = run.column("acc_train");
    s.acc_test = run.column("acc_test");
    const auto v = power_delay_verdicts(s, limits, tag);
    out.verdicts.insert(out.verdicts.end(), v.begin(), v.end());
    const PowerDelayTimes t = power_delay_times(s, limits);
    const auto norm = run.column("norm_total");
    out.measured.push_back(fmt::format(
        "{}: train accuracy >= {} at step {}, validation accuracy there {} (chance {}); validation >= {} first at "
        "step {} ({}x the fit), >= {} at step {} ({}x the fit); last evaluation step {} (validation {}); |theta| {} "
        "at step 0, {} at the end; weight decay {}",
        run.name, num(limits.fit_acc), num(t.t_fit), num(t.acc_test_at_fit), num(s.chance), num(limits.onset_acc),
        num(t.t_onset), num(t.t_onset / t.t_fit), num(limits.gen_acc), num(t.t_gen), num(t.t_gen / t.t_fit),
        num(s.step.empty() ? kNaN : s.step.back()), num(s.acc_test.empty() ? kNaN : s.acc_test.back()),
        num(norm.empty() ? kNaN : norm.front()), num(norm.empty() ? kNaN : norm.back()),
        num(run.config_number("optim.weight_decay"))));
  }
  add_curve_figure(figs, "pw1_accuracy",
                   "PW-1 (Power et al. Fig. 1): train and validation accuracy against step (log axis)", in.runs,
                   {"acc_train", "acc_test"}, {"train", "validation"}, false, kNaN, "");
  add_curve_figure(figs, "pw1_loss", "PW-1: train and validation loss against step (log axes)", in.runs,
                   {"loss_train", "loss_test"}, {"train loss", "validation loss"}, true, kNaN, "");
  return out;
}

}  // namespace detail
}  // namespace grokscope::reproduce
