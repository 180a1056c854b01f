// Verdict check of Lyu et al.'s no-weight-decay run (LY-7, science.md §2.6 "No-weight-decay variant", App. B.1,
// Fig. 4): full-batch GD at lr eta / L(theta) on the modular-addition MLP. The paper: grokking still happens but not
// sharply -- test accuracy moves from ~0% to 100% as the continuous time CT = sum eta_t goes from 10^(10^2) to
// 10^(10^4) (a slow max-margin convergence, O(log log t / log t)), while the norm grows. Everything is judged against
// log CT (the log_time column), since CT itself is far beyond a double. The verdict logic is ly7_verdicts (pure); this
// file also draws the figures against log10 CT on a log axis (Lyu's double-log axis) and on a plain axis.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "check_util.h"
#include "grokscope/metrics/fits.h"

namespace grokscope::reproduce {

namespace {

// Rows with a finite positive log CT and finite values in every column (Lyu's CT starts at 1).
Ly7Series usable_rows(const Ly7Series& s) {
  Ly7Series out;
  out.label = s.label;
  out.t_fit = s.t_fit;
  const size_t n = std::min({s.step.size(), s.log_time.size(), s.acc_test.size(), s.nmargin.size(), s.norm.size()});
  for (size_t i = 0; i < n; ++i) {
    if (!(std::isfinite(s.log_time[i]) && s.log_time[i] > 0.0 && std::isfinite(s.acc_test[i]) &&
          std::isfinite(s.norm[i])))
      continue;
    out.step.push_back(s.step[i]);
    out.log_time.push_back(s.log_time[i]);
    out.acc_test.push_back(s.acc_test[i]);
    out.nmargin.push_back(s.nmargin[i]);
    out.norm.push_back(s.norm[i]);
  }
  return out;
}

// First row index >= from whose x is >= value (n when none).
size_t first_at_least(const std::vector<double>& x, size_t from, double value) {
  for (size_t i = from; i < x.size(); ++i)
    if (x[i] >= value) return i;
  return x.size();
}

}  // namespace

std::vector<Verdict> ly7_verdicts(const Ly7Series& raw, double max_acc_at_fit, double min_final_acc, double min_gain,
                                  double min_span, double min_norm_slope) {
  const std::string tag = raw.label.empty() ? "" : " " + raw.label;
  const Ly7Series s = usable_rows(raw);
  const size_t n = s.step.size();
  const size_t fit = std::isfinite(s.t_fit) ? first_at_least(s.step, 0, s.t_fit) : n;
  std::vector<Verdict> out;
  const char* names[] = {"late_generalization", "eventual_generalization", "gradual_rise", "margin_grows",
                         "norm_unbounded"};
  if (fit + 2 >= n) {
    for (const char* name : names)
      out.push_back(missing(name + tag, "the run fits the training set",
                            std::isfinite(s.t_fit) ? "fewer than 3 evaluations with log CT > 0 after t_fit"
                                                   : "t_fit never fired"));
    return out;
  }
  const double acc_fit = s.acc_test[fit], acc_end = s.acc_test[n - 1];
  out.push_back(at_most(names[0] + tag,
                        fmt::format("generalization is late: test accuracy at t_fit (log CT {}) stays near chance "
                                    "(<= {})", num(s.log_time[fit]), num(max_acc_at_fit)),
                        acc_fit, max_acc_at_fit, "test accuracy at t_fit"));
  out.push_back(at_least(names[1] + tag,
                         fmt::format("grokking still occurs: the final test accuracy (log CT {}) >= {}",
                                     num(s.log_time[n - 1]), num(min_final_acc)),
                         acc_end, min_final_acc, "final test accuracy"));

  // Gradual: log CT at 90% of the gain over log CT at 10%, both first reached after the fit.
  const double gain = acc_end - acc_fit;
  const std::string gradual_pred =
      fmt::format("not sharp: with gain = final - t_fit test accuracy (>= {}), log CT at 90% of the gain / log CT at "
                  "10% >= {} (a decade of log CT)", num(min_gain), num(min_span));
  if (!(gain >= min_gain)) {
    out.push_back(Verdict{names[2] + tag, gradual_pred,
                          fmt::format("not reached: the gain is {} ({} -> {}), below {}", num(gain), num(acc_fit),
                                      num(acc_end), num(min_gain)),
                          false, kNaN, min_span});
  } else {
    const size_t i10 = first_at_least(s.acc_test, fit, acc_fit + 0.1 * gain);
    const size_t i90 = first_at_least(s.acc_test, fit, acc_fit + 0.9 * gain);
    const double ratio = s.log_time[i90] / s.log_time[i10];
    Verdict v = at_least(names[2] + tag, gradual_pred, ratio, min_span, "log CT ratio");
    v.measured += fmt::format(": 10% at log CT {} (step {}), 90% at log CT {} (step {}); gain {}", num(s.log_time[i10]),
                              num(s.step[i10]), num(s.log_time[i90]), num(s.step[i90]), num(gain));
    out.push_back(v);
  }

  // Margin growth: the end above the fit and above the midpoint of [fit, end] in ln log CT.
  const double ll_fit = std::log(s.log_time[fit]), ll_end = std::log(s.log_time[n - 1]);
  const size_t mid = std::min(first_at_least(s.log_time, fit, std::exp(0.5 * (ll_fit + ll_end))), n - 1);
  const double m_fit = s.nmargin[fit], m_mid = s.nmargin[mid], m_end = s.nmargin[n - 1];
  out.push_back(Verdict{names[3] + tag,
                        "the normalized margin q_min / |theta|^2 grows: end > value at t_fit and end > value at the "
                        "midpoint of [t_fit, end] in ln log CT",
                        fmt::format("{} at t_fit, {} at the midpoint (log CT {}), {} at the end", num(m_fit),
                                    num(m_mid), num(s.log_time[mid]), num(m_end)),
                        m_end > m_fit && m_end > m_mid, m_end, std::max(m_fit, m_mid)});

  // Unbounded norm: no fall after the fit, and a positive slope of ln|theta| against ln log CT at the end.
  double worst_drop = 0.0;
  for (size_t i = fit + 1; i < n; ++i) worst_drop = std::max(worst_drop, (s.norm[i - 1] - s.norm[i]) / s.norm[i - 1]);
  std::vector<double> x, y;
  for (size_t i = fit; i < n; ++i)
    if (std::log(s.log_time[i]) >= ll_fit + 0.75 * (ll_end - ll_fit))
      x.push_back(std::log(s.log_time[i])), y.push_back(std::log(s.norm[i]));
  const double slope = x.size() >= 3 ? metrics::fit_line(x, y).slope : kNaN;
  out.push_back(Verdict{names[4] + tag,
                        fmt::format("the norm grows without bound: |theta| never falls after t_fit (relative drop <= "
                                    "1e-6) and d ln|theta| / d ln log CT over the last quarter of that axis >= {} "
                                    "(2-homogeneity with a settled margin: 1/2)", num(min_norm_slope)),
                        fmt::format("|theta| {} at t_fit -> {} at the end; largest relative drop {}; slope {} over {} "
                                    "evaluations", num(s.norm[fit]), num(s.norm[n - 1]), num(worst_drop), num(slope),
                                    x.size()),
                        worst_drop <= 1e-6 && slope >= min_norm_slope, slope, min_norm_slope});
  return out;
}

namespace detail {

CheckOutput check_ly_no_wd(const CheckInput& in, plot::FigureSet* figs) {
  CheckOutput out;
  std::string acc_log = "set logscale x\nset xlabel 'log_{10} CT (log axis)'\nset ylabel 'accuracy'\n"
                        "set yrange [-0.02:1.02]\nset key bottom right\nplot ";
  std::string acc_lin = "set xlabel 'log_{10} CT'\nset ylabel 'accuracy'\nset yrange [-0.02:1.02]\n"
                        "set key bottom right\nplot ";
  std::string margin = "set logscale x\nset xlabel 'log_{10} CT (log axis)'\nset ylabel 'q_{min} / |theta|^2'\n"
                       "set key bottom right\nplot ";
  std::string norm = "set logscale xy\nset xlabel 'log_{10} CT (log axis)'\nset ylabel '|theta|'\n"
                     "set key top left\nplot ";
  for (size_t r = 0; r < in.runs.size(); ++r) {
    const RunData& run = in.runs[r];
    Ly7Series s;
    s.label = in.runs.size() > 1 ? run_label(run) : "";
    s.t_fit = run.clock_step("t_fit");
    s.step = run.column("step");
    s.log_time = run.column("log_time");
    s.acc_test = run.column("acc_test");
    s.nmargin = run.column("nmargin_train");
    s.norm = run.column("norm_total");
    if (s.log_time.empty()) {
      out.verdicts.push_back(missing("log_time" + (s.label.empty() ? "" : " " + s.label),
                                     "a run with optim.schedule = \"loss_scaled\"", "no log_time column"));
      continue;
    }
    auto v = ly7_verdicts(s, in.param("max_acc_at_fit", 0.2), in.param("min_final_acc", 0.9),
                          in.param("min_gain", 0.5), in.param("min_span", 10), in.param("min_norm_slope", 0.1));
    out.verdicts.insert(out.verdicts.end(), v.begin(), v.end());
    const auto log_loss = run.column("log_loss_train");
    out.measured.push_back(fmt::format("{}: {} steps, t_fit step {}, final log CT {} (CT = 10^{}), final log L {}, "
                                       "final test accuracy {}",
                                       run.name, num(s.step.empty() ? kNaN : s.step.back()), num(s.t_fit),
                                       num(s.log_time.back()), num(s.log_time.back() / std::log(10.0)),
                                       num(log_loss.empty() ? kNaN : log_loss.back()),
                                       num(s.acc_test.empty() ? kNaN : s.acc_test.back())));
    if (!figs) continue;
    std::vector<double> log10_ct;
    for (double lt : s.log_time) log10_ct.push_back(lt > 0 && std::isfinite(lt) ? lt / std::log(10.0) : kNaN);
    const std::string file = fmt::format("ly7_{}.dat", r);
    figs->data(file, columns_text({"log10_ct", "acc_train", "acc_test", "nmargin_train", "norm_total"},
                                  {log10_ct, run.column("acc_train"), s.acc_test, s.nmargin, s.norm}));
    const std::string sep = r ? ", " : "", t = s.label.empty() ? "" : " " + s.label;
    for (std::string* body : {&acc_log, &acc_lin})
      *body += fmt::format("{}'{}' using 1:2 with lines lt {} lw 2 title 'train{}', '' using 1:3 with linespoints "
                           "lt {} pt 7 ps 0.4 title 'test{}'", sep, file, 2 * r + 1, t, 2 * r + 2, t);
    margin += fmt::format("{}'{}' using 1:4 with linespoints lt {} pt 7 ps 0.4 title 'normalized margin{}'", sep, file,
                          r + 1, t);
    norm += fmt::format("{}'{}' using 1:5 with linespoints lt {} pt 7 ps 0.4 title '|theta|{}'", sep, file, r + 1, t);
  }
  if (figs && !in.runs.empty()) {
    figs->figure("ly7_accuracy", "LY-7: train and test accuracy against log10 CT on a log axis (Lyu's Fig. 4 "
                                 "double-log axis: 10^2 means CT = 10^(10^2))", acc_log + "\n");
    figs->figure("ly7_accuracy_linear", "LY-7: train and test accuracy against log10 CT (plain axis)", acc_lin + "\n");
    figs->figure("ly7_margin", "LY-7: normalized margin q_min / |theta|^2 (train) against log10 CT", margin + "\n");
    figs->figure("ly7_norm", "LY-7: parameter norm |theta| against log10 CT (log-log: slope 1/2 when the normalized "
                             "margin has settled)", norm + "\n");
  }
  return out;
}

}  // namespace detail
}  // namespace grokscope::reproduce
