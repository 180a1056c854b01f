// Verdict checks of Tan, Gai & Zhang's two clocks on modular addition (science.md §1.7, §1.8 item 8):
//   TC-2  the stable rank of the embedding (srank_E) falls late, after the training loss has saturated (t_fit), inside
//         the generalization window: the representation clock runs after the classifier clock.
//   TC-1  train loss saturates at a lambda-independent time; the test loss (and accuracy) drop later, earlier for
//         larger weight decay lambda, with t_gen ~ lambda^-1 (the exponent of a log-log fit, Lyu et al. / Omnigrok).
//   TC-4  deep linear net with layerwise weight decay: the layer imbalance decays like e^{-2 lambda t} (GD:
//         (1 - eta lambda)^{2t}) and the balanced layers attain the induced Schatten penalty of Eq. 2.7.
// Also the grokking verdicts shared with LY-1 (grokking_verdicts).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <tuple>

#include "check_util.h"
#include "grokscope/metrics/fits.h"

namespace grokscope::reproduce {

std::vector<Verdict> grokking_verdicts(const GrokClocks& c, double min_ratio, double max_acc_at_fit,
                                       const std::string& tag) {
  std::vector<Verdict> out;
  out.push_back(Verdict{"fits" + tag, "the training set is fitted (t_fit: train accuracy 100%)",
                        std::isfinite(c.t_fit) ? "t_fit = " + num(c.t_fit) : "t_fit never fired", std::isfinite(c.t_fit),
                        c.t_fit, kNaN});
  out.push_back(at_most("memorizes_first" + tag,
                        fmt::format("at t_fit the test accuracy is still far from 100% (chance {})", num(c.chance)),
                        c.acc_test_at_fit, max_acc_at_fit, "test accuracy at t_fit"));
  out.push_back(at_least("late_generalization" + tag,
                         "test accuracy reaches 99% (or the check's gen_acc) much later: t_gen / t_fit", c.t_gen / c.t_fit, min_ratio,
                         fmt::format("t_gen / t_fit = {} / {}", num(c.t_gen), num(c.t_fit))));
  return out;
}

std::vector<Verdict> srank_verdicts(const std::vector<double>& step, const std::vector<double>& srank, double t_fit,
                                    double t_gen, double min_drop, double max_before, double max_lag,
                                    const std::string& tag) {
  std::vector<Verdict> out;
  const size_t n = std::min(step.size(), srank.size());
  if (n < 3 || !std::isfinite(t_fit)) {
    out.push_back(missing("srank_falls" + tag, "srank of the embedding falls after t_fit",
                          n < 3 ? "no srank column" : "t_fit never fired"));
    return out;
  }
  size_t i_fit = 0;
  while (i_fit + 1 < n && step[i_fit] < t_fit) ++i_fit;
  const double s0 = srank[0], s_fit = srank[i_fit], s_end = srank[n - 1];
  const double drop = (s_fit - s_end) / s_fit;
  out.push_back(at_least("srank_falls" + tag,
                         fmt::format("the stable rank falls after t_fit to <= {} of srank(t_fit) (paper: ~36 -> ~10-12, a "
                                     "~70% fall): (srank(t_fit) - srank(end)) / srank(t_fit) >= {}",
                                     num(1.0 - min_drop), num(min_drop)),
                         drop, min_drop, fmt::format("({} - {}) / {}", num(s_fit), num(s_end), num(s_fit))));
  const double before = (s0 - s_fit) / (s0 - s_end);
  out.push_back(at_most("late_not_early" + tag,
                        "the fall comes after the fit: share of the total change srank(0) -> srank(end) done before t_fit",
                        before, max_before, fmt::format("({} - {}) / ({} - {})", num(s0), num(s_fit), num(s0), num(s_end))));
  std::vector<double> tail(srank.begin() + static_cast<std::ptrdiff_t>(i_fit), srank.begin() + static_cast<std::ptrdiff_t>(n));
  const int64_t k = first_crossing(tail, 0.5 * (s_fit + s_end), true);
  const double t_mid = k < 0 ? kNaN : step[i_fit + static_cast<size_t>(k)];
  const bool ok = std::isfinite(t_mid) && t_mid > t_fit && std::isfinite(t_gen) && t_mid <= max_lag * t_gen;
  out.push_back(Verdict{"fall_in_generalization_window" + tag,
                        max_lag == 1.0 ? std::string("the midpoint of the fall lies between t_fit and t_gen")
                                       : fmt::format("the midpoint of the fall lies after t_fit and before {} x t_gen",
                                                     num(max_lag)),
                        fmt::format("midpoint step {} (t_fit {}, t_gen {})", num(t_mid), num(t_fit), num(t_gen)), ok,
                        t_mid, kNaN});
  return out;
}

LambdaExponent lambda_exponent(const std::vector<double>& lambda, const std::vector<double>& t_gen) {
  std::vector<double> x, y;
  for (size_t i = 0; i < lambda.size() && i < t_gen.size(); ++i)
    if (lambda[i] > 0 && t_gen[i] > 0 && std::isfinite(t_gen[i])) x.push_back(std::log(lambda[i])), y.push_back(std::log(t_gen[i]));
  LambdaExponent e;
  e.points = static_cast<int>(x.size());
  if (x.size() < 2 || x.size() < lambda.size()) return e;   // a run that never generalized: no exponent
  const metrics::LineFit f = metrics::fit_line(x, y);
  e.exponent = f.slope;
  e.r2 = f.r2;
  return e;
}

Verdict lambda_exponent_verdict(const LambdaExponent& e, double tol) {
  return Verdict{"t_gen_exponent",
                 fmt::format("t_gen ~ lambda^b with b = -1 (Lyu et al.'s t* ~ 1/lambda, Omnigrok): fitted exponent of "
                             "log t_gen against log lambda within {} of -1", num(tol)),
                 fmt::format("b = {} (R^2 {}, {} runs)", num(e.exponent), num(e.r2), e.points),
                 std::isfinite(e.exponent) && std::abs(e.exponent + 1.0) <= tol, e.exponent, -1.0};
}

namespace detail {

namespace {
std::string lambda_times(const std::vector<double>& lambda, const std::vector<double>& t_gen) {
  std::string m;
  for (size_t i = 0; i < lambda.size() && i < t_gen.size(); ++i)
    m += fmt::format("{}{}", i ? ", " : "", num(lambda[i] * t_gen[i]));
  return m;
}

void srank_figure(plot::FigureSet* figs, const std::string& name, const std::string& caption,
                  const std::vector<RunData>& runs) {
  if (!figs) return;
  std::string body =
      "set logscale x\nset logscale y\nset format y '10^{%L}'\nset y2tics\nset ytics nomirror\n"
      "set xlabel 'step'\nset ylabel 'loss (log)'\nset y2label 'stable rank of E'\nset key outside top center horizontal\n"
      "plot ";
  for (size_t r = 0; r < runs.size(); ++r) {
    std::vector<double> s = runs[r].column("step");
    for (auto& v : s) v = std::max(v, 1.0);
    auto col = [&](const char* c) {
      auto v = runs[r].column(c);
      v.resize(s.size(), kNaN);
      return v;
    };
    const std::string file = fmt::format("{}_{}.dat", name, r);
    figs->data(file, columns_text({"step", "loss_train", "loss_test", "srank_E"},
                                  {s, col("loss_train"), col("loss_test"), col("srank_E")}));
    const std::string label = runs.size() > 1 ? " " + run_label(runs[r]) : "";
    const int lt = static_cast<int>(r) + 1;
    body += fmt::format("{}'{}' using 1:2 with lines lt {} dt 3 title 'train loss{}', '' using 1:3 with lines lt {} "
                        "dt 2 title 'test loss{}', '' using 1:4 axes x1y2 with lines lt {} lw 3 title 'srank(E){}'",
                        r ? ", " : "", file, lt, label, lt, label, lt, label);
    const double t_fit = runs[r].clock_step("t_fit"), t_gen = runs[r].clock_step("t_gen");
    // Clock lines in the run's colour (dash-dot t_fit, dashed t_gen); text labels only for a single run.
    for (const auto& [t, what, dt, y] : {std::tuple{t_fit, "t_fit", 4, 0.97}, std::tuple{t_gen, "t_gen", 2, 0.92}}) {
      if (!std::isfinite(t)) continue;
      body.insert(0, fmt::format("set arrow from {0},graph 0 to {0},graph 1 nohead lt {1} lw 1 dt {2}\n", t, lt, dt));
      if (runs.size() == 1)
        body.insert(0, fmt::format("set label '{}' at {},graph {} left offset 0.3,0 noenhanced\n", what, t, y));
    }
  }
  figs->figure(name, caption, body + "\n");
}
}  // namespace

CheckOutput check_tc_srank(const CheckInput& in, plot::FigureSet* figs) {
  CheckOutput out;
  for (const auto& run : in.runs) {
    const std::string tag = in.runs.size() > 1 ? " " + run_label(run) : "";
    const double t_fit = run.clock_step("t_fit"), t_gen = run.clock_step("t_gen");
    auto v = srank_verdicts(run.column("step"), run.column("srank_E"), t_fit, t_gen, in.param("min_drop", 0.6),
                            in.param("max_before", 0.3), in.param("max_lag", 1.0), tag);
    out.verdicts.insert(out.verdicts.end(), v.begin(), v.end());
    const auto sr = run.column("srank_E");
    out.measured.push_back(fmt::format("{}: t_fit {}, t_gen {}, t_rep {}, srank(E): {} at step 0, {} at t_fit, {} at the end",
                                       run.name, num(t_fit), num(t_gen), num(run.clock_step("t_rep")),
                                       num(sr.empty() ? kNaN : sr.front()), num(value_at_step(run, "srank_E", t_fit)),
                                       num(sr.empty() ? kNaN : sr.back())));
  }
  srank_figure(figs, "tc2_srank", "TC-2: train/test loss (left, log) and stable rank of the embedding E (right); "
                                  "vertical lines: t_fit (dash-dot), t_gen (dashed)", in.runs);
  return out;
}

CheckOutput check_tc_lambda(const CheckInput& in, plot::FigureSet* figs) {
  CheckOutput out;
  std::vector<double> lambdas, t_fits, t_gens;
  for (const auto& run : in.runs) {
    const std::string tag = " " + run_label(run);
    const GrokClocks c = grok_clocks(run);
    auto v = grokking_verdicts(c, in.param("min_ratio", 2), in.param("max_acc_at_fit", 0.5), tag);
    out.verdicts.insert(out.verdicts.end(), v.begin(), v.end());
    lambdas.push_back(run.config_number("optim.weight_decay"));
    t_fits.push_back(c.t_fit);
    t_gens.push_back(c.t_gen);
    out.measured.push_back(fmt::format("{}: t_fit {}, t_cls(0.001) {}, t_gen {}, final test loss {}", run_label(run),
                                       num(c.t_fit), num(run.clock_step("t_cls(0.001)")), num(c.t_gen),
                                       num(run.column("loss_test").empty() ? kNaN : run.column("loss_test").back())));
  }
  if (lambdas.size() >= 2) {
    std::string m;
    for (size_t i = 0; i < lambdas.size(); ++i) m += fmt::format("{}lambda={}: {}", i ? ", " : "", num(lambdas[i]), num(t_gens[i]));
    out.verdicts.push_back(Verdict{"earlier_for_larger_lambda", "t_gen decreases as lambda grows", "t_gen: " + m,
                                   monotone_decreasing(lambdas, t_gens, true), kNaN, kNaN});
    const LambdaExponent e = lambda_exponent(lambdas, t_gens);
    out.verdicts.push_back(lambda_exponent_verdict(e, in.param("exponent_tol", 0.25)));
    out.measured.push_back(fmt::format("fit log t_gen = a + b log lambda over {} runs: b = {}, R^2 = {}; lambda t_gen: {}",
                                       e.points, num(e.exponent), num(e.r2), lambda_times(lambdas, t_gens)));
    const auto [lo, hi] = std::minmax_element(t_fits.begin(), t_fits.end());
    out.verdicts.push_back(at_most("fit_time_lambda_independent",
                                   "the fitting time hardly depends on lambda: max t_fit / min t_fit", *hi / *lo,
                                   in.param("max_fit_spread", 1.5), fmt::format("{} / {}", num(*hi), num(*lo))));
  }
  srank_figure(figs, "tc1_losses", "TC-1: train (dotted) and test (dashed) loss for each lambda, with the stable rank "
                                   "of E (right axis); vertical lines: t_fit (dash-dot), t_gen (dashed) per lambda", in.runs);
  return out;
}


CheckOutput check_tc_balance(const CheckInput& in, plot::FigureSet* figs) {
  CheckOutput out;
  std::string body = "set logscale y\nset format y '10^{%L}'\nset xlabel 'step'\nset ylabel 'layer imbalance'\n"
                     "set key outside top center horizontal noenhanced\nplot ";
  int series = 0;
  std::string energy = "set logscale xy\nset format y '10^{%L}'\nset xlabel 'step - T_{KL} (T_{KL} from the power-law fit)'\n"
                       "set ylabel 'energy gap E - E(inf)'\nset key bottom left noenhanced\nplot ";
  std::string sv = "set logscale xy\nset format y '10^{%L}'\nset xlabel 'step'\nset ylabel 'singular values of A'\n"
                   "set key outside top center horizontal noenhanced\nplot ";
  for (size_t r = 0; r < in.runs.size(); ++r) {
    const RunData& run = in.runs[r];
    tc4_slow_clock(run, in, out, r, energy, sv, figs);
    const std::string tag = " " + run_label(run);
    const double eta = run.config_number("optim.lr"), lambda = run.config_number("optim.weight_decay");
    const double t_fit = run.clock_step("t_fit"), predicted = 1.0 - (1.0 - eta * lambda) * (1.0 - eta * lambda);
    const auto step = run.column("step");
    // D_l = W_{l+1}^T W_{l+1} - W_l W_l^T: the loss part conserves it to first order in eta, weight decay shrinks it
    // by (1 - eta lambda)^2 per step. Fitted late (step >= from_fraction x the last step), where the eta^2 terms of
    // the loss gradient are small.
    for (int l = 1;; ++l) {
      const auto d = run.column("imbalance_" + std::to_string(l));
      if (d.empty()) break;
      std::vector<double> t, v;
      for (size_t i = 0; i < step.size() && i < d.size(); ++i)
        if (step[i] >= in.param("from_fraction", 0.25) * step.back() && d[i] > in.param("floor", 1e-9) * d[0])
          t.push_back(step[i]), v.push_back(d[i]);
      const double rate = geometric_rate(t, v);
      out.verdicts.push_back(within_relative(fmt::format("imbalance_{}_decay{}", l, tag),
                                             fmt::format("|D_{}| decays by (1 - eta lambda)^2 per step late in the run "
                                                         "(1 - rate vs 2 eta lambda - (eta lambda)^2, tolerance {})",
                                                         l, num(in.param("rate_tol", 0.05))),
                                             1.0 - rate, predicted, in.param("rate_tol", 0.05)));
      std::vector<double> s1 = step;
      for (auto& x : s1) x = std::max(x, 1.0);
      const std::string file = fmt::format("tc4_{}_{}.dat", r, l);
      if (figs) figs->data(file, columns_text({"step", "imbalance"}, {s1, d}));
      body += fmt::format("{}'{}' using 1:2 with lines lt {} dt {} title 'D_{}{}'", series++ ? ", " : "", file, r + 1, l,
                          l, tag);
    }
    const auto pa = run.column("penalty_actual"), pi = run.column("penalty_induced");
    const double ratio = pa.empty() || pi.empty() ? kNaN : pa.back() / pi.back();
    out.verdicts.push_back(at_most("penalty_attained" + tag,
                                   "balanced layers attain the induced penalty (lambda L/2) sum sigma_i(A)^(2/L) (Eq. 2.7): "
                                   "penalty_actual / penalty_induced - 1 at the end",
                                   ratio - 1.0, in.param("penalty_tol", 1e-3), "ratio - 1"));
    auto first = [&](const char* c) { const auto v = run.column(c); return v.empty() ? kNaN : v.front(); };
    auto last = [&](const char* c) { const auto v = run.column(c); return v.empty() ? kNaN : v.back(); };
    out.measured.push_back(fmt::format("{}: t_fit {}, imbalance_1 {} -> {}, penalty actual/induced {} -> {}, srank(A) {} "
                                       "-> {}, predicted decay per step 2 eta lambda - (eta lambda)^2 = {}",
                                       run_label(run), num(t_fit), num(first("imbalance_1")), num(last("imbalance_1")),
                                       num(first("penalty_actual") / first("penalty_induced")), num(ratio),
                                       num(first("srank_A")), num(last("srank_A")), num(predicted)));
  }
  if (figs && series > 0)
    figs->figure("tc4_imbalance", "TC-4: layer imbalance |W_{l+1}^T W_{l+1} - W_l W_l^T|_F against step (log y): a "
                                  "straight line of slope 2 ln(1 - eta lambda) after the fit", body + "\n");
  if (figs && !in.runs.empty()) {
    figs->figure("tc4_energy_gap", "TC-4: energy gap E - E(inf), E = L_CE + (lambda L/2) sum sigma_i(A)^(2/L), against "
                                   "step - T_KL (log-log: a power law is a straight line, an exponential bends down)",
                 energy + "\n");
    figs->figure("tc4_singular_values", "TC-4: singular values of the end-to-end map A against step (Prop. 4.3: smaller "
                                        "ones shrink faster)", sv + "\n");
  }
  return out;
}

}  // namespace detail
}  // namespace grokscope::reproduce
