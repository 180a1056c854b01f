// Verdict checks of Nanda et al. 2023 (catalog NA-1 and NA-2; science.md §4.2): the 1-layer transformer on a + b mod p.
// NA-1 judges the three phases on one run's progress measures (docs/diagnostics.md, "Transformer progress
// measures"); NA-2 judges a grid over weight decay and training fraction. The verdict logic is na1_verdicts /
// na2_verdicts (pure, reproduce/checks_nanda.h); this file reads the runs and draws the figures.
#include "grokscope/reproduce/checks_nanda.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "check_util.h"

namespace grokscope::reproduce {

namespace {

// Index of the first evaluation with step >= t (n when none).
size_t index_at(const std::vector<double>& step, double t) {
  size_t i = 0;
  while (i < step.size() && step[i] < t) ++i;
  return i;
}

double at(const std::vector<double>& v, size_t i) { return i < v.size() ? v[i] : kNaN; }

double step_of_first_below(const std::vector<double>& step, const std::vector<double>& v, double level) {
  const int64_t i = first_crossing(v, level, true);
  return i < 0 ? kNaN : at(step, static_cast<size_t>(i));
}

}  // namespace

std::vector<Verdict> na1_verdicts(const Na1Series& s, const Na1Params& p) {
  const std::string tag = s.label.empty() ? "" : " " + s.label;
  std::vector<Verdict> out;
  const bool clocks = std::isfinite(s.t_fit) && std::isfinite(s.t_gen);
  const std::string why = std::isfinite(s.t_fit) ? "t_gen never fired" : "t_fit never fired";
  out.push_back(clocks ? at_least("fits_first" + tag,
                                  fmt::format("the training set is fitted first: t_gen / t_fit >= {}", num(p.min_delay)),
                                  s.t_gen / s.t_fit, p.min_delay,
                                  fmt::format("t_gen {} / t_fit {}", num(s.t_gen), num(s.t_fit)))
                       : missing("fits_first" + tag, "the training set is fitted first", why));

  // The restricted loss falls before the test loss.
  const double t_r = step_of_first_below(s.step, s.loss_restricted, p.fall_level);
  const double t_t = step_of_first_below(s.step, s.loss_test, p.fall_level);
  const std::string pred_r =
      fmt::format("the restricted loss falls before the test loss: first step with loss_restricted <= {} comes before "
                  "the first with loss_test <= {}", num(p.fall_level), num(p.fall_level));
  if (!std::isfinite(t_r))
    out.push_back(missing("restricted_before_test" + tag, pred_r, "loss_restricted never reached the level"));
  else
    out.push_back(Verdict{"restricted_before_test" + tag, pred_r,
                          fmt::format("restricted loss at step {}, test loss at step {}", num(t_r), num(t_t)),
                          !std::isfinite(t_t) || t_r < t_t, std::isfinite(t_t) ? t_r / t_t : 0.0, 1.0});

  // The excluded loss rises during circuit formation.
  const std::string pred_x = fmt::format(
      "the excluded loss rises during circuit formation: max of loss_excluded over [t_fit, t_gen] / its value at "
      "t_fit >= {}", num(p.min_excluded_rise));
  if (!clocks) {
    out.push_back(missing("excluded_rises" + tag, pred_x, why));
  } else {
    const size_t i_fit = index_at(s.step, s.t_fit), i_gen = index_at(s.step, s.t_gen);
    const double x_fit = at(s.loss_excluded, i_fit);
    double x_max = kNaN, t_max = kNaN;
    for (size_t i = i_fit; i <= i_gen && i < s.loss_excluded.size(); ++i)
      if (std::isfinite(s.loss_excluded[i]) && !(s.loss_excluded[i] <= x_max)) {
        x_max = s.loss_excluded[i];
        t_max = at(s.step, i);
      }
    out.push_back(at_least("excluded_rises" + tag, pred_x, x_max / x_fit, p.min_excluded_rise,
                           fmt::format("max {} (step {}) / {} (t_fit)", num(x_max), num(t_max), num(x_fit))));
  }

  const double keys = s.keys_wl.empty() ? kNaN : s.keys_wl.back();
  out.push_back(Verdict{"key_count" + tag,
                        fmt::format("a few key frequencies: the final number of W_L's keys is in [{}, {}]",
                                    num(p.min_keys), num(p.max_keys)),
                        fmt::format("{} key frequencies at the end", num(keys)),
                        keys >= p.min_keys && keys <= p.max_keys, keys, kNaN});

  auto gini_verdict = [&](const char* name, const char* matrix, const std::vector<double>& g) {
    const std::string pred = fmt::format("the Gini coefficient of {}'s Fourier norms rises: final - at t_fit >= {}",
                                         matrix, num(p.min_gini_rise));
    if (!std::isfinite(s.t_fit) || g.empty()) {
      out.push_back(missing(name + tag, pred, g.empty() ? "no Gini column" : "t_fit never fired"));
      return;
    }
    const double g_fit = at(g, index_at(s.step, s.t_fit)), g_end = g.back();
    out.push_back(at_least(name + tag, pred, g_end - g_fit, p.min_gini_rise,
                           fmt::format("{} (end) - {} (t_fit)", num(g_end), num(g_fit))));
  };
  gini_verdict("gini_rises_we", "W_E", s.gini_we);
  gini_verdict("gini_rises_wl", "W_L", s.gini_wl);
  return out;
}

std::vector<Verdict> na2_verdicts(const std::vector<Na2Run>& runs, const Na2Params& p) {
  std::vector<Verdict> out;
  bool any_no_wd = false, any_wd = false, any_large = false;
  for (const auto& r : runs) {
    const std::string tag = " " + r.label;
    const bool small = r.train_fraction <= p.max_small_fraction, large = r.train_fraction >= p.min_large_fraction;
    if (r.weight_decay == 0.0 && small) {
      any_no_wd = true;
      const std::string pred = fmt::format("without weight decay the model fits but does not grok within {} steps",
                                           num(r.steps));
      out.push_back(Verdict{"no_wd_no_grokking" + tag, pred,
                            fmt::format("t_fit {}, t_gen {}, final test accuracy {}", num(r.t_fit), num(r.t_gen),
                                        num(r.final_acc_test)),
                            std::isfinite(r.t_fit) && !std::isfinite(r.t_gen), r.final_acc_test, kNaN});
    } else if (r.weight_decay > 0.0 && small) {
      any_wd = true;
      const std::string pred =
          fmt::format("with weight decay the model groks (the reference): t_gen / t_fit >= {}", num(p.min_delay));
      if (!std::isfinite(r.t_fit) || !std::isfinite(r.t_gen))
        out.push_back(missing("wd_groks" + tag, pred,
                              fmt::format("t_fit {}, t_gen {} (never fired within {} steps)", num(r.t_fit),
                                          num(r.t_gen), num(r.steps))));
      else
        out.push_back(at_least("wd_groks" + tag, pred, r.t_gen / r.t_fit, p.min_delay,
                               fmt::format("t_gen {} / t_fit {}", num(r.t_gen), num(r.t_fit))));
    } else if (r.weight_decay > 0.0 && large) {
      any_large = true;
      const std::string pred = fmt::format(
          "a large training fraction generalizes at once: t_gen / t_fit <= {}", num(p.max_immediate_ratio));
      if (!std::isfinite(r.t_fit) || !std::isfinite(r.t_gen))
        out.push_back(missing("large_fraction_immediate" + tag, pred,
                              fmt::format("t_fit {}, t_gen {}", num(r.t_fit), num(r.t_gen))));
      else
        out.push_back(at_most("large_fraction_immediate" + tag, pred, r.t_gen / r.t_fit, p.max_immediate_ratio,
                              fmt::format("t_gen {} / t_fit {}", num(r.t_gen), num(r.t_fit))));
    }
  }
  if (!any_no_wd)
    out.push_back(missing("no_wd_no_grokking", "without weight decay the model does not grok", "no such run"));
  if (!any_wd) out.push_back(missing("wd_groks", "with weight decay the model groks", "no such run"));
  if (!any_large)
    out.push_back(missing("large_fraction_immediate", "a large training fraction generalizes at once", "no such run"));
  return out;
}

namespace detail {

CheckOutput check_na1(const CheckInput& in, plot::FigureSet* figs) {
  CheckOutput out;
  Na1Params p;
  p.min_delay = in.param("min_delay", p.min_delay);
  p.fall_level = in.param("fall_level", p.fall_level);
  p.min_excluded_rise = in.param("min_excluded_rise", p.min_excluded_rise);
  p.min_keys = in.param("min_keys", p.min_keys);
  p.max_keys = in.param("max_keys", p.max_keys);
  p.min_gini_rise = in.param("min_gini_rise", p.min_gini_rise);
  for (const auto& run : in.runs) {
    Na1Series s;
    s.label = in.runs.size() > 1 ? run_label(run) : "";
    s.t_fit = run.clock_step("t_fit");
    s.t_gen = run.clock_step("t_gen");
    s.step = run.column("step");
    s.loss_train = run.column("loss_train");
    s.loss_test = run.column("loss_test");
    s.loss_restricted = run.column("loss_restricted");
    s.loss_excluded = run.column("loss_excluded");
    s.keys_wl = run.column("fourier_keys_wl");
    s.gini_we = run.column("fourier_gini_we");
    s.gini_wl = run.column("fourier_gini_wl");
    const auto v = na1_verdicts(s, p);
    out.verdicts.insert(out.verdicts.end(), v.begin(), v.end());
    const auto norm = run.column("norm_total"), keys_we = run.column("fourier_keys_we");
    auto first = [](const std::vector<double>& x) { return x.empty() ? kNaN : x.front(); };
    auto last = [](const std::vector<double>& x) { return x.empty() ? kNaN : x.back(); };
    auto sq = [](double x) { return x * x; };
    out.measured.push_back(fmt::format(
        "{}: t_fit {}, t_gen {}; loss_restricted {} at t_fit, {} at t_gen; loss_excluded {} at t_fit, {} at t_gen; "
        "keys of W_L {} (of W_E {}) at the end; Gini of W_E {} -> {} -> {}, of W_L {} -> {} -> {} (init, t_fit, "
        "end); sum of squared weights {} -> {} -> {} (init, t_fit, t_gen), {} at the end",
        run_label(run), num(s.t_fit), num(s.t_gen), num(value_at_step(run, "loss_restricted", s.t_fit)),
        num(value_at_step(run, "loss_restricted", s.t_gen)), num(value_at_step(run, "loss_excluded", s.t_fit)),
        num(value_at_step(run, "loss_excluded", s.t_gen)), num(last(s.keys_wl)), num(last(keys_we)),
        num(first(s.gini_we)), num(value_at_step(run, "fourier_gini_we", s.t_fit)), num(last(s.gini_we)),
        num(first(s.gini_wl)), num(value_at_step(run, "fourier_gini_wl", s.t_fit)), num(last(s.gini_wl)),
        num(sq(first(norm))), num(sq(value_at_step(run, "norm_total", s.t_fit))),
        num(sq(value_at_step(run, "norm_total", s.t_gen))), num(sq(last(norm)))));
  }
  const double mark = in.runs.size() == 1 ? in.runs[0].clock_step("t_gen") : kNaN;
  add_curve_figure(figs, "na1_losses",
                   "NA-1: train, test, restricted (key frequencies of W_L only, all pairs) and excluded (keys removed, "
                   "training pairs) losses; dashed: t_gen",
                   in.runs, {"loss_train", "loss_test", "loss_restricted", "loss_excluded"},
                   {"train", "test", "restricted", "excluded"}, true, mark, "t_gen");
  add_curve_figure(figs, "na1_gini", "NA-1: Gini coefficient of the Fourier-frequency norms of W_E and W_L",
                   in.runs, {"fourier_gini_we", "fourier_gini_wl"}, {"W_E", "W_L"}, false, mark, "t_gen");
  add_curve_figure(figs, "na1_keys", "NA-1: number of key frequencies of W_E and W_L (gap rule)", in.runs,
                   {"fourier_keys_we", "fourier_keys_wl"}, {"W_E", "W_L"}, false, mark, "t_gen");
  add_curve_figure(figs, "na1_norm", "NA-1: ||theta||_2 (its square is Nanda's sum of squared weights)", in.runs,
                   {"norm_total"}, {"norm"}, false, mark, "t_gen");
  return out;
}

CheckOutput check_na2(const CheckInput& in, plot::FigureSet* figs) {
  CheckOutput out;
  Na2Params p;
  p.max_small_fraction = in.param("max_small_fraction", p.max_small_fraction);
  p.min_large_fraction = in.param("min_large_fraction", p.min_large_fraction);
  p.min_delay = in.param("min_delay", p.min_delay);
  p.max_immediate_ratio = in.param("max_immediate_ratio", p.max_immediate_ratio);
  std::vector<Na2Run> runs;
  for (const auto& run : in.runs) {
    Na2Run r;
    r.label = run_label(run);
    r.weight_decay = run.config_number("optim.weight_decay");
    r.train_fraction = run.config_number("task.train_fraction");
    r.t_fit = run.clock_step("t_fit");
    r.t_gen = run.clock_step("t_gen");
    const auto acc = run.column("acc_test"), step = run.column("step");
    r.final_acc_test = acc.empty() ? kNaN : acc.back();
    r.steps = step.empty() ? kNaN : step.back();
    runs.push_back(r);
    out.measured.push_back(fmt::format(
        "{}: t_fit {}, t_gen {}, t_gen / t_fit {}; test accuracy {} at t_fit, {} at the end (step {})", r.label,
        num(r.t_fit), num(r.t_gen), num(r.t_gen / r.t_fit), num(value_at_step(run, "acc_test", r.t_fit)),
        num(r.final_acc_test), num(r.steps)));
  }
  out.verdicts = na2_verdicts(runs, p);
  add_curve_figure(figs, "na2_accuracy", "NA-2: test accuracy of every run (weight decay, training fraction)",
                   in.runs, {"acc_test"}, {"test"}, false, kNaN, "");
  add_curve_figure(figs, "na2_train_accuracy", "NA-2: train accuracy of every run", in.runs, {"acc_train"},
                   {"train"}, false, kNaN, "");
  return out;
}

}  // namespace detail
}  // namespace grokscope::reproduce
