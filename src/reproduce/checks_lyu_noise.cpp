// Verdict check of Lyu et al.'s label-noise SGD (App. B.2, Theorem B.1; catalog LY-8): a diagonal net on sparse linear
// regression, one run per learning rate eta, each with the population-probe columns loss_population (||w - w*||^2),
// loss_population_gf (theta_GF's) and dist_w_gf. The population loss first settles at the gradient-flow limit's
// (a bad solution) on the flow's time scale, then falls to ~0 on the noise's time scale T / eta^2; the exponents of
// both times in eta are fitted over the runs here (the sweep's fits use clocks, not these times).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "check_util.h"
#include "grokscope/metrics/fits.h"

namespace grokscope::reproduce {

namespace {

// The step where the series crosses `level` between evaluations i - 1 and i (value a at step s0, b at s1), linear in
// ln(step); step s1 when there is no earlier evaluation, a step <= 0, or a flat segment.
double crossing_step(const LabelNoiseSeries& s, size_t i, double a, double b, double level) {
  if (i == 0 || s.step[i - 1] <= 0 || s.step[i] <= 0 || a == b) return s.step[i];
  const double f = std::clamp((level - a) / (b - a), 0.0, 1.0);
  return std::exp(std::log(s.step[i - 1]) + f * (std::log(s.step[i]) - std::log(s.step[i - 1])));
}

}  // namespace

LabelNoiseTimes label_noise_times(const LabelNoiseSeries& s, double near_tol, double gen_frac) {
  LabelNoiseTimes out;
  const size_t n = std::min(s.step.size(), s.loss.size());
  if (n == 0 || !std::isfinite(s.loss_gf)) return out;
  const double band = near_tol * std::abs(s.loss[0] - s.loss_gf);
  auto gap = [&](size_t i) { return std::abs(s.loss[i] - s.loss_gf); };
  size_t enter = n, leave = n;
  for (size_t i = 0; i < n && enter == n; ++i)
    if (gap(i) <= band) enter = i;
  if (enter < n) {
    out.t_gf = crossing_step(s, enter, enter ? gap(enter - 1) : 0, gap(enter), band);
    for (size_t i = enter + 1; i < n && leave == n; ++i)
      if (!(gap(i) <= band)) leave = i;
    out.t_leave = leave < n ? crossing_step(s, leave, gap(leave - 1), gap(leave), band) : s.step[n - 1];
    std::vector<double> on(s.loss.begin() + static_cast<std::ptrdiff_t>(enter),
                           s.loss.begin() + static_cast<std::ptrdiff_t>(leave));
    std::nth_element(on.begin(), on.begin() + static_cast<std::ptrdiff_t>(on.size() / 2), on.end());
    out.plateau_loss = on[on.size() / 2];
  }
  const double level = gen_frac * s.w_star_sq;
  for (size_t i = 0; i < n; ++i)
    if (s.loss[i] <= level) {
      out.t_gen = crossing_step(s, i, i ? s.loss[i - 1] : 0, s.loss[i], level);
      break;
    }
  out.final_frac = s.loss[n - 1] / s.w_star_sq;
  return out;
}

EtaExponent eta_exponent(const std::vector<double>& eta, const std::vector<double>& t) {
  std::vector<double> x, y;
  for (size_t i = 0; i < eta.size() && i < t.size(); ++i)
    if (eta[i] > 0 && t[i] > 0 && std::isfinite(t[i])) x.push_back(std::log(eta[i])), y.push_back(std::log(t[i]));
  const metrics::LineFit f = metrics::fit_line(x, y);
  EtaExponent e;
  e.n = static_cast<int>(x.size());
  if (f.ok) e.a = -f.slope, e.c = f.intercept, e.r2 = f.r2;
  return e;
}

std::vector<Verdict> label_noise_verdicts(const std::vector<LabelNoiseSeries>& series, double near_tol,
                                          double gen_frac, double gf_min_frac, double min_plateau, double min_ratio,
                                          double exp_tol, double min_r2) {
  std::vector<Verdict> out;
  if (series.empty()) {
    out.push_back(missing("gf_loss_large", "theta_GF has population loss Omega(|w*|^2)", "no runs"));
    return out;
  }
  out.push_back(at_least("gf_loss_large",
                         fmt::format("the gradient-flow limit is a bad solution: L(theta_GF) >= {} |w*|^2",
                                     num(gf_min_frac)),
                         series[0].loss_gf / series[0].w_star_sq, gf_min_frac, "L(theta_GF) / |w*|^2"));
  std::vector<double> eta, t_gf, t_gen;
  for (const auto& s : series) {
    const LabelNoiseTimes t = label_noise_times(s, near_tol, gen_frac);
    const std::string tag = " eta=" + num(s.eta);
    eta.push_back(s.eta);
    t_gf.push_back(t.t_gf);
    t_gen.push_back(t.t_gen);
    Verdict plateau = at_least("gf_plateau" + tag,
                               fmt::format("L settles within {} x |L(0) - L_GF| of L(theta_GF) and stays there for "
                                           ">= {}x its settle step",
                                           num(near_tol), num(min_plateau)),
                               t.t_leave / t.t_gf, min_plateau, "t_leave / t_GF");
    plateau.measured += fmt::format(": t_GF {}, t_leave {}, median L on the plateau {} vs L_GF {}", num(t.t_gf),
                                    num(t.t_leave), num(t.plateau_loss), num(s.loss_gf));
    out.push_back(plateau);
    out.push_back(at_most("generalizes" + tag,
                          fmt::format("the population loss falls to <= {} |w*|^2 (and is there at the end)",
                                      num(gen_frac)),
                          t.final_frac, gen_frac, "L(end) / |w*|^2"));
    Verdict later = at_least("gen_after_gf" + tag,
                             fmt::format("generalization comes much later than the GF plateau: t_gen / t_GF >= {}",
                                         num(min_ratio)),
                             t.t_gen / t.t_gf, min_ratio, "t_gen / t_GF");
    later.measured += fmt::format(": t_gen {}", num(t.t_gen));
    out.push_back(later);
  }
  const EtaExponent gf = eta_exponent(eta, t_gf), gen = eta_exponent(eta, t_gen);
  const bool enough_gf = gf.n >= 3 && gf.n == static_cast<int>(series.size());
  const bool enough_gen = gen.n >= 3 && gen.n == static_cast<int>(series.size());
  const double lo = 1.0 - exp_tol, hi = 2.0 - exp_tol;
  out.push_back(Verdict{"a_gf",
                        fmt::format("t_GF ~ eta^-a_GF with a_GF in [{}, {}]: theta(T/eta^a) -> theta_GF for every a "
                                    "in (1, 2), so the settle time grows like the flow's 1/eta, not like eta^-2",
                                    num(lo), num(hi)),
                        fmt::format("a_GF = {} over {} etas (needs >= 3, every eta settled)", num(gf.a), gf.n),
                        enough_gf && gf.a >= lo && gf.a <= hi, gf.a, 1.0});
  out.push_back(Verdict{"a_gen",
                        fmt::format("t_gen ~ eta^-a_gen with a_gen = 2 within {} (generalization at T / eta^2)",
                                    num(exp_tol)),
                        fmt::format("a_gen = {} over {} etas (needs >= 3, every eta generalized)", num(gen.a), gen.n),
                        enough_gen && std::abs(gen.a - 2.0) <= exp_tol, gen.a, 2.0});
  out.push_back(at_least("a_gf_r2", "ln t_GF is linear in ln eta: R^2 of the fit", enough_gf ? gf.r2 : kNaN, min_r2,
                         "R^2"));
  out.push_back(at_least("a_gen_r2", "ln t_gen is linear in ln eta: R^2 of the fit", enough_gen ? gen.r2 : kNaN,
                         min_r2, "R^2"));
  return out;
}

namespace detail {

namespace {

LabelNoiseSeries series_of(const RunData& run) {
  LabelNoiseSeries s;
  s.eta = run.config_number("optim.lr");
  s.step = run.column("step");
  s.loss = run.column("loss_population");
  const auto gf = run.column("loss_population_gf");
  s.loss_gf = gf.empty() ? kNaN : gf.front();
  s.w_star_sq = run.config_number("task.sparsity");   // w* in {+-1}^k: |w*|^2 = k
  return s;
}

// One curve per run of L / |w*|^2 against x_scale(eta) * step, with L_GF / |w*|^2 and the generalization level.
void add_loss_figure(plot::FigureSet* figs, const std::string& name, const std::string& caption,
                     const std::vector<LabelNoiseSeries>& series, double eta_power, const std::string& xlabel,
                     double gen_frac) {
  std::string body = fmt::format("set logscale xy\nset format x '10^{{%L}}'\nset format y '10^{{%L}}'\n"
                                 "set xlabel '{}' noenhanced\n"
                                 "set ylabel 'L_pop / |w*|^2' noenhanced\nset key outside top center horizontal\n",
                                 xlabel);
  body += fmt::format("set arrow from graph 0,first {0} to graph 1,first {0} nohead dt 3 lc rgb '#888888'\n", gen_frac);
  if (!series.empty() && std::isfinite(series[0].loss_gf))
    body += fmt::format("set arrow from graph 0,first {0} to graph 1,first {0} nohead dt 2 lc rgb '#555555'\n"
                        "set label 'L(theta_GF)' at graph 0.02,first {0} offset 0,0.7 noenhanced\n",
                        series[0].loss_gf / series[0].w_star_sq);
  body += "plot ";
  for (size_t r = 0; r < series.size(); ++r) {
    std::vector<double> x, y;
    for (size_t i = 0; i < series[r].step.size() && i < series[r].loss.size(); ++i) {
      if (series[r].step[i] <= 0) continue;
      x.push_back(std::pow(series[r].eta, eta_power) * series[r].step[i]);
      y.push_back(series[r].loss[i] / series[r].w_star_sq);
    }
    const std::string file = fmt::format("{}_{}.dat", name, r);
    figs->data(file, columns_text({"x", "loss_over_wstar"}, {x, y}));
    body += fmt::format("{}'{}' using 1:2 with lines lw 2 lt {} title 'eta={}'", r ? ", " : "", file, r + 1,
                        num(series[r].eta));
  }
  figs->figure(name, caption, body + "\n");
}

}  // namespace

CheckOutput check_ly_label_noise(const CheckInput& in, plot::FigureSet* figs) {
  CheckOutput out;
  const double near_tol = in.param("near_tol", 0.2), gen_frac = in.param("gen_frac", 0.05);
  std::vector<LabelNoiseSeries> series;
  for (const auto& run : in.runs) series.push_back(series_of(run));
  out.verdicts = label_noise_verdicts(series, near_tol, gen_frac, in.param("gf_min_frac", 0.25),
                                      in.param("min_plateau", 10), in.param("min_ratio", 100),
                                      in.param("exp_tol", 0.2), in.param("min_r2", 0.95));
  std::vector<double> eta, t_gf, t_gen;
  for (size_t r = 0; r < series.size(); ++r) {
    const auto& s = series[r];
    const LabelNoiseTimes t = label_noise_times(s, near_tol, gen_frac);
    eta.push_back(s.eta);
    t_gf.push_back(t.t_gf);
    t_gen.push_back(t.t_gen);
    // The closest approach to theta_GF on the plateau, |w - w_GF| / |w_GF| (no verdict: label noise keeps w
    // fluctuating at a distance ~ sqrt(eta)).
    const auto step = in.runs[r].column("step"), dist = in.runs[r].column("dist_w_gf");
    double closest = kNaN;
    for (size_t i = 0; i < step.size() && i < dist.size(); ++i)
      if (step[i] >= t.t_gf && step[i] <= t.t_leave && !(dist[i] >= closest)) closest = dist[i];
    const auto train_gf = in.runs[r].column("loss_train_gf");
    out.measured.push_back(fmt::format(
        "eta={}: L(0) = {}, L_GF = {} ({} |w*|^2; flow's train loss {}), t_GF = {}, plateau to {} (median L {}, "
        "closest |w - w_GF| / |w_GF| = {}), t_gen = {}, L(end) = {} |w*|^2 at step {}; eta t_GF = {}, eta^2 t_gen = {}",
        num(s.eta), num(s.loss.empty() ? kNaN : s.loss[0]), num(s.loss_gf), num(s.loss_gf / s.w_star_sq),
        num(train_gf.empty() ? kNaN : train_gf.front()), num(t.t_gf), num(t.t_leave), num(t.plateau_loss),
        num(closest), num(t.t_gen), num(t.final_frac), num(s.step.empty() ? kNaN : s.step.back()),
        num(s.eta * t.t_gf), num(s.eta * s.eta * t.t_gen)));
  }
  const EtaExponent gf = eta_exponent(eta, t_gf), gen = eta_exponent(eta, t_gen);
  out.measured.push_back(fmt::format("fits over {} etas: t_GF ~ eta^-{} (R^2 {}), t_gen ~ eta^-{} (R^2 {})",
                                     eta.size(), num(gf.a), num(gf.r2), num(gen.a), num(gen.r2)));
  if (!figs || series.empty()) return out;
  add_loss_figure(figs, "ly8_population", "Population loss |w - w*|^2 / |w*|^2 against step, one curve per eta: a "
                  "plateau at the gradient-flow limit (dashed), then the fall to ~0 (dotted: the generalization level)",
                  series, 0.0, "step", gen_frac);
  add_loss_figure(figs, "ly8_flow_time", "The same against eta x step (the flow's time): the approach to the plateau "
                  "collapses onto one curve", series, 1.0, "eta x step", gen_frac);
  add_loss_figure(figs, "ly8_noise_time", "The same against eta^2 x step (the noise's time T of Theorem B.1): the "
                  "fall from the plateau collapses onto one curve", series, 2.0, "eta^2 x step", gen_frac);
  std::vector<double> le(eta.size()), lgf(eta.size()), lgen(eta.size()), fgf(eta.size()), fgen(eta.size());
  for (size_t i = 0; i < eta.size(); ++i) {
    le[i] = std::log10(eta[i]);
    lgf[i] = std::log10(t_gf[i]);
    lgen[i] = std::log10(t_gen[i]);
    fgf[i] = (gf.c - gf.a * std::log(eta[i])) / std::log(10.0);
    fgen[i] = (gen.c - gen.a * std::log(eta[i])) / std::log(10.0);
  }
  figs->data("ly8_exponents.dat", columns_text({"log10_eta", "log10_t_gf", "log10_t_gen", "fit_gf", "fit_gen"},
                                               {le, lgf, lgen, fgf, fgen}));
  figs->figure("ly8_exponents",
               "Settle time t_GF and generalization time t_gen against eta (log-log) with their least-squares lines: "
               "slopes -a_GF and -a_gen (paper: a_GF in (1, 2), a_gen = 2)",
               fmt::format("set xlabel 'log10(eta)'\nset ylabel 'log10(steps)'\nset key outside top center "
                           "horizontal noenhanced\n"
                           "plot 'ly8_exponents.dat' using 1:2 with points pt 7 ps 1.5 lt 1 title 't_GF: a_GF = {} "
                           "(R^2 {})', '' using 1:4 with lines lt 1 notitle, "
                           "'' using 1:3 with points pt 5 ps 1.5 lt 2 title 't_gen: a_gen = {} (R^2 {})', "
                           "'' using 1:5 with lines lt 2 notitle\n",
                           num(gf.a), num(gf.r2), num(gen.a), num(gen.r2)));
  return out;
}

}  // namespace detail
}  // namespace grokscope::reproduce
