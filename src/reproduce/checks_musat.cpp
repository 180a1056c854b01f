// Verdict check of Musat's toy 1+1=2 (MU-1, science.md §3.1, §3.8 item 1). With loss (w1 + w2 - 2)^2 and PyTorch's
// coupled weight decay wd (= 2 lambda of Musat's L + lambda |w|^2), GD on the difference d = w1 - w2 is exactly
//   d_{t+1} = (1 - eta wd) d_t,
// because the loss gradient is symmetric in (w1, w2); the sum s = w1 + w2 converges fast (rate 1 - eta (4 + wd)) to
// the zero-loss line, then d decays slowly: memorization first, then norm minimization along the line to the
// min-norm point w1 = w2 = 4 / (4 + wd) (= 2 / (2 + lambda)).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "check_util.h"

namespace grokscope::reproduce {

using detail::settle_index;

std::vector<Verdict> mu1_verdicts(const std::vector<Mu1Series>& series, double rate_tol, double path_tol,
                                  double end_tol, double min_ratio) {
  std::vector<Verdict> out;
  std::vector<double> wds, t_gens;
  for (const auto& s : series) {
    const std::string tag = fmt::format("wd={}", num(s.weight_decay));
    const size_t n = std::min({s.step.size(), s.w1.size(), s.w2.size()});
    if (n < 3) {
      out.push_back(missing("decay_rate " + tag, "w1 - w2 decays at 1 - eta wd per step", "no trajectory.csv"));
      continue;
    }
    std::vector<double> d(n), sum(n);
    for (size_t i = 0; i < n; ++i) d[i] = s.w1[i] - s.w2[i], sum[i] = s.w1[i] + s.w2[i];
    const double predicted = s.lr * s.weight_decay;   // 1 - rate
    const double r = geometric_rate(s.step, d, 1e-9);
    out.push_back(within_relative("decay_rate " + tag,
                                  fmt::format("1 - rate of w1 - w2 per step = eta wd = 2 eta lambda (relative "
                                              "tolerance {})", num(rate_tol)),
                                  1.0 - r, predicted, rate_tol));
    double worst = 0.0;
    for (size_t i = 0; i < n; ++i)
      worst = std::max(worst, std::abs(d[i] - d[0] * std::pow(1.0 - predicted, s.step[i])));
    out.push_back(at_most("closed_form " + tag,
                          fmt::format("w1 - w2 = d0 (1 - eta wd)^t at every step (d0 = {})", num(d[0])), worst,
                          path_tol, "max |deviation|"));
    const double w_star = 4.0 / (4.0 + s.weight_decay);
    const double end_err = std::max(std::abs(s.w1[n - 1] - w_star), std::abs(s.w2[n - 1] - w_star));
    out.push_back(at_most("min_norm_end " + tag,
                          fmt::format("(w1, w2) ends at the min-norm point of the regularized loss, 4/(4+wd) = {}",
                                      num(w_star)),
                          end_err, end_tol, "max |w - w*|"));
    const double s_inf = 2.0 * w_star;
    const int64_t i_mem = settle_index(sum, s_inf, 0.01), i_gen = settle_index(d, 0.0, 0.01);
    const double t_mem = i_mem < 0 ? kNaN : s.step[static_cast<size_t>(i_mem)];
    const double t_gen = i_gen < 0 ? kNaN : s.step[static_cast<size_t>(i_gen)];
    out.push_back(at_least("memorize_first " + tag,
                           fmt::format("the fit (w1 + w2 within 1% of its limit) comes long before the rule (w1 - w2 "
                                       "within 1% of 0): ratio >= {}", num(min_ratio)),
                           t_gen / std::max(t_mem, 1.0), min_ratio,
                           fmt::format("t_rule / t_fit = {} / {}", num(t_gen), num(t_mem))));
    wds.push_back(s.weight_decay);
    t_gens.push_back(t_gen);
  }
  if (series.size() >= 2) {
    const bool ok = monotone_decreasing(wds, t_gens, true);
    std::string m;
    for (size_t i = 0; i < wds.size(); ++i) m += fmt::format("{}wd={}: {}", i ? ", " : "", num(wds[i]), num(t_gens[i]));
    out.push_back(Verdict{"slower_for_smaller_lambda", "smaller weight decay generalizes later (t_rule decreasing in wd)",
                          "t_rule: " + m, ok, kNaN, kNaN});
  }
  return out;
}

namespace detail {

CheckOutput check_mu1(const CheckInput& in, plot::FigureSet* figs) {
  CheckOutput out;
  std::vector<Mu1Series> series;
  for (const auto& run : in.runs) {
    Mu1Series s;
    s.lr = run.config_number("optim.lr");
    s.weight_decay = run.config_number("optim.weight_decay");
    const int c0 = run.trajectory.find("w1[0]"), c1 = run.trajectory.find("w1[1]"), cs = run.trajectory.find("step");
    if (c0 >= 0 && c1 >= 0 && cs >= 0) {
      s.step = run.trajectory.values[static_cast<size_t>(cs)];
      s.w1 = run.trajectory.values[static_cast<size_t>(c0)];
      s.w2 = run.trajectory.values[static_cast<size_t>(c1)];
    }
    s.eval_step = run.column("step");
    s.loss_train = run.column("loss_train");
    s.loss_test = run.column("loss_test");
    if (!s.w1.empty())
      out.measured.push_back(fmt::format("wd={} (Musat lambda={}), eta={}: end point ({}, {}), train loss {} -> {}, "
                                         "test loss {} -> {}",
                                         num(s.weight_decay), num(s.weight_decay / 2), num(s.lr), num(s.w1.back()),
                                         num(s.w2.back()), num(s.loss_train.empty() ? kNaN : s.loss_train.front()),
                                         num(s.loss_train.empty() ? kNaN : s.loss_train.back()),
                                         num(s.loss_test.empty() ? kNaN : s.loss_test.front()),
                                         num(s.loss_test.empty() ? kNaN : s.loss_test.back())));
    series.push_back(std::move(s));
  }
  out.verdicts = mu1_verdicts(series, in.param("rate_tol", 1e-6), in.param("path_tol", 1e-9),
                              in.param("end_tol", 1e-3), in.param("min_ratio", 10));
  if (!figs) return out;

  std::string paths = "set size ratio -1\nset xlabel 'w1'\nset ylabel 'w2'\nset key top left\n"
                      "set xrange [-1.2:2.2]\nset yrange [-0.2:2.4]\n"
                      "plot 2 - x dt 2 lc rgb '#7f7f7f' title 'zero-loss line w1 + w2 = 2'";
  std::string decay = "set logscale y\nset format y '10^{%L}'\nset yrange [1e-14:10]\nset xlabel 'step'\nset ylabel '|w1 - w2|'\n"
                      "set key top right\nplot ";
  std::string losses = "set logscale xy\nset format y '10^{%L}'\nset xlabel 'step'\nset ylabel 'loss'\n"
                       "set key bottom left\nplot ";
  for (size_t k = 0; k < series.size(); ++k) {
    const auto& s = series[k];
    if (s.w1.empty()) continue;
    std::vector<double> absd(s.w1.size()), pred(s.w1.size());
    const double d0 = s.w1[0] - s.w2[0];
    for (size_t i = 0; i < s.w1.size(); ++i)
      absd[i] = std::abs(s.w1[i] - s.w2[i]), pred[i] = std::abs(d0) * std::pow(1 - s.lr * s.weight_decay, s.step[i]);
    const std::string file = fmt::format("mu1_{}.dat", k);
    figs->data(file, columns_text({"step", "w1", "w2", "abs_d", "predicted"}, {s.step, s.w1, s.w2, absd, pred}));
    const std::string lossfile = fmt::format("mu1_loss_{}.dat", k);
    figs->data(lossfile, columns_text({"step", "loss_train", "loss_test"}, {s.eval_step, s.loss_train, s.loss_test}));
    const std::string label = fmt::format("wd = {}", num(s.weight_decay));
    paths += fmt::format(", '{}' using 2:3 with lines lt {} title '{}'", file, k + 1, label);
    paths += fmt::format(", '-' using 1:2 with points lt {} pt 7 ps 1.5 notitle", k + 1);
    decay += fmt::format("{}'{}' using 1:4 with lines lt {} title '{} measured', '' using 1:5 with lines lt {} dt 2 lw 3 "
                         "title '{} predicted (1 - eta wd)^t'",
                         k ? ", " : "", file, k + 1, label, k + 1, label);
    losses += fmt::format("{}'{}' using ($1+1):2 with lines lt {} title '{} train', '' using ($1+1):3 with lines lt {} "
                          "dt 2 title '{} test'",
                          k ? ", " : "", lossfile, k + 1, label, k + 1, label);
  }
  paths += "\n";
  for (const auto& s : series)
    if (!s.w1.empty()) paths += fmt::format("{} {}\ne\n", 4.0 / (4.0 + s.weight_decay), 4.0 / (4.0 + s.weight_decay));
  figs->figure("mu1_paths", "MU-1: GD paths of (w1, w2) from (-1, 1): to the zero-loss line, then along it to the "
                            "min-norm point (dots)", paths, 800, 700);
  figs->figure("mu1_decay", "MU-1: |w1 - w2| against step, measured (solid) and the exact prediction "
                            "2 (1 - eta wd)^t (dashed)", decay + "\n");
  figs->figure("mu1_losses", "MU-1: train and test loss against step + 1 (log-log): memorization, then "
                             "generalization", losses + "\n");
  return out;
}

}  // namespace detail
}  // namespace grokscope::reproduce
