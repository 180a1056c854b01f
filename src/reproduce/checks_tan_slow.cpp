// TC-4's slow-clock verdicts (Tan, Gai & Zhang, science.md §1.3, §1.8 items 4 and 6) on the deep linear net:
//   Thm 4.8    after T_KL the energy gap Delta(t) = E(t) - E(inf), E = L_CE + lambda |A|_{S_p}^p (p = 2/L; the probe's
//              penalty_induced), decays as (t - T_KL)^{-1/(2 theta - 1)} with theta in (1/2, 1): a power law, not an
//              exponential (theta = 1/2, the smooth strongly convex case). Both are fitted to log Delta; the power law
//              must have the lower AIC and theta must lie in (1/2, 1).
//   Prop. 4.3  ds_i/dt = g_i - lambda p s_i^{p-1}: smaller singular values of A shrink faster. The relative rates
//              -d ln s_i/dt over [T_KL, end] must be ordered smallest-fastest.
// The window starts at the t_fit clock (at from_fraction x the last step when the run never fits). E(inf) is the lowest
// energy in it; the fits use its evaluations whose gap is above gap_floor x the largest gap there (the last points,
// where E(inf)'s own error dominates, are left out). T_KL is never located by the paper: the power law gets the best
// T_KL in [0, start of the fit) (a third parameter, counted in its AIC).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "check_util.h"
#include "grokscope/metrics/fits.h"

namespace grokscope::reproduce {

namespace {
// AIC of a k-parameter least-squares fit with n points and residual sum of squares sse (Gaussian errors).
double aic(double sse, int64_t n, int k) {
  return static_cast<double>(n) * std::log(sse / static_cast<double>(n)) + 2.0 * k;
}

double sse_of(const metrics::LineFit& f, const std::vector<double>& x, const std::vector<double>& y) {
  double s = 0;
  for (size_t i = 0; i < x.size(); ++i) s += std::pow(y[i] - f.intercept - f.slope * x[i], 2);
  return std::max(s, 1e-300);
}
}  // namespace

SlowClockFit slow_clock_fit(const std::vector<double>& step, const std::vector<double>& energy, double t_start,
                            double gap_floor) {
  SlowClockFit f;
  const size_t n = std::min(step.size(), energy.size());
  if (!std::isfinite(t_start)) return f;
  f.e_inf = std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < n; ++i)
    if (step[i] >= t_start && std::isfinite(energy[i])) f.e_inf = std::min(f.e_inf, energy[i]);
  double gap_max = 0;
  for (size_t i = 0; i < n; ++i)
    if (step[i] >= t_start && std::isfinite(energy[i])) gap_max = std::max(gap_max, energy[i] - f.e_inf);
  std::vector<double> t, log_gap;
  for (size_t i = 0; i < n; ++i) {
    const double gap = energy[i] - f.e_inf;
    if (step[i] >= t_start && gap > gap_floor * gap_max && std::isfinite(gap))
      t.push_back(step[i]), log_gap.push_back(std::log(gap));
  }
  f.points = static_cast<int64_t>(t.size());
  if (t.size() < 5) return f;
  f.t_lo = t.front(), f.t_hi = t.back();
  // Exponential: log Delta = a - rate t (2 parameters).
  const metrics::LineFit ex = metrics::fit_line(t, log_gap);
  f.rate = -ex.slope, f.r2_exp = ex.r2;
  f.aic_exp = aic(sse_of(ex, t, log_gap), f.points, 2);
  // Power law: log Delta = a + beta log(t - T_KL), T_KL profiled over [0, t_lo) (3 parameters).
  double best = std::numeric_limits<double>::infinity();
  for (int k = 0; k < 64; ++k) {
    const double t_kl = f.t_lo * k / 64.0;
    std::vector<double> x(t.size());
    for (size_t i = 0; i < t.size(); ++i) x[i] = std::log(t[i] - t_kl);
    const metrics::LineFit pw = metrics::fit_line(x, log_gap);
    const double sse = sse_of(pw, x, log_gap);
    if (sse < best) best = sse, f.t_kl = t_kl, f.beta = pw.slope, f.r2_power = pw.r2;
  }
  f.theta = f.beta < 0 ? 0.5 * (1.0 - 1.0 / f.beta) : kNaN;
  f.aic_power = aic(best, f.points, 3);
  return f;
}

std::vector<double> relative_decay_rates(const std::vector<double>& step, const std::vector<std::vector<double>>& sv,
                                         double t_lo) {
  std::vector<double> out;
  for (const auto& s : sv) {
    std::vector<double> t, y;
    for (size_t i = 0; i < step.size() && i < s.size(); ++i)
      if (step[i] >= t_lo && s[i] > 0 && std::isfinite(s[i])) t.push_back(step[i]), y.push_back(std::log(s[i]));
    out.push_back(t.size() < 2 ? kNaN : -metrics::fit_line(t, y).slope);
  }
  return out;
}

std::vector<Verdict> tc4_slow_verdicts(const SlowClockFit& f, const std::vector<double>& rates,
                                       const std::string& tag) {
  std::vector<Verdict> out;
  const bool power_wins = f.aic_power < f.aic_exp;
  out.push_back(Verdict{"slow_clock_power_law" + tag,
                        "Thm 4.8: after T_KL the energy gap E - E(inf) decays as (t - T_KL)^{-1/(2 theta - 1)} with "
                        "theta in (1/2, 1): the power law fits log Delta better than an exponential (lower AIC)",
                        fmt::format("theta = {} (exponent {}, T_KL {}, R^2 {}, AIC {}) against e^(-{} t) (R^2 {}, AIC "
                                    "{}); {} points over [{}, {}]",
                                    num(f.theta), num(f.beta), num(f.t_kl), num(f.r2_power), num(f.aic_power), num(f.rate),
                                    num(f.r2_exp), num(f.aic_exp), f.points, num(f.t_lo), num(f.t_hi)),
                        power_wins && f.theta > 0.5 && f.theta < 1.0, f.theta, kNaN});
  // Rates come in the order of the singular values (largest first): smaller ones must shrink faster.
  int ordered = 0, pairs = 0;
  std::string m;
  for (size_t i = 0; i < rates.size(); ++i) {
    m += fmt::format("{}{}", i ? ", " : "", num(rates[i]));
    for (size_t j = i + 1; j < rates.size(); ++j) ++pairs, ordered += rates[j] > rates[i];
  }
  const double share = pairs ? static_cast<double>(ordered) / pairs : kNaN;
  out.push_back(Verdict{"small_sv_shrink_fastest" + tag,
                        "Prop. 4.3: smaller singular values of A shrink faster: -d ln s_i/dt from the fit on grows "
                        "as s_i falls (share of ordered pairs = 1)",
                        fmt::format("rates per step, s_1 first: {}; {} of {} pairs ordered", m, ordered, pairs),
                        pairs > 0 && ordered == pairs, share, 1.0});
  return out;
}

namespace detail {

void tc4_slow_clock(const RunData& run, const CheckInput& in, CheckOutput& out, size_t index, std::string& energy_plot,
                    std::string& sv_plot, plot::FigureSet* figs) {
  const std::string tag = " " + run_label(run);
  const auto step = run.column("step"), loss = run.column("loss_train"), pen = run.column("penalty_induced");
  // The window starts at the fit (t_fit), or at from_fraction x the last step when the run never fits.
  double t_start = run.clock_step("t_fit");
  if (!std::isfinite(t_start) && !step.empty()) t_start = in.param("from_fraction", 0.25) * step.back();
  std::vector<double> energy(std::min(loss.size(), pen.size()));
  for (size_t i = 0; i < energy.size(); ++i) energy[i] = loss[i] + pen[i];
  std::vector<std::vector<double>> sv;
  for (int i = 1;; ++i) {
    auto s = run.column("sv_A_" + std::to_string(i));
    if (s.empty()) break;
    sv.push_back(std::move(s));
  }
  const SlowClockFit f = slow_clock_fit(step, energy, t_start, in.param("gap_floor", 1e-6));
  const auto rates = relative_decay_rates(step, sv, t_start);
  const auto v = tc4_slow_verdicts(f, rates, tag);
  out.verdicts.insert(out.verdicts.end(), v.begin(), v.end());
  std::string s0, s1;
  for (const auto& s : sv) s0 += " " + num(s.front()), s1 += " " + num(s.back());
  out.measured.push_back(fmt::format("{}: window from step {} (t_fit {}), E(inf) = {} (E there {}), sigma(A) at step "
                                     "0:{}, at the end:{}",
                                     run_label(run), num(t_start), num(run.clock_step("t_fit")), num(f.e_inf),
                                     num(value_at_step(run, "loss_train", t_start) +
                                         value_at_step(run, "penalty_induced", t_start)),
                                     s0, s1));
  if (!figs) return;
  std::vector<double> dt(step.size(), kNaN), gap(step.size(), kNaN);
  for (size_t i = 0; i < step.size() && i < energy.size(); ++i)
    if (step[i] > f.t_kl && step[i] >= t_start && energy[i] - f.e_inf > 0)
      dt[i] = step[i] - f.t_kl, gap[i] = energy[i] - f.e_inf;
  const std::string file = fmt::format("tc4_gap_{}.dat", index);
  figs->data(file, columns_text({"t_minus_tkl", "gap"}, {dt, gap}));
  energy_plot += fmt::format("{}'{}' using 1:2 with linespoints lt {} pt 7 ps 0.4 title '{}'", index ? ", " : "", file,
                             index + 1, run_label(run));
  std::vector<std::vector<double>> cols = {step};
  std::vector<std::string> head = {"step"};
  for (size_t i = 0; i < sv.size(); ++i) cols.push_back(sv[i]), head.push_back("sv_" + std::to_string(i + 1));
  for (auto& x : cols[0]) x = std::max(x, 1.0);
  const std::string sfile = fmt::format("tc4_sv_{}.dat", index);
  figs->data(sfile, columns_text(head, cols));
  for (size_t i = 0; i < sv.size(); ++i)
    sv_plot += fmt::format("{}'{}' using 1:{} with lines lt {} dt {} title '{} s_{}'",
                           index || i ? ", " : "", sfile, i + 2, index + 1, i + 1, run_label(run), i + 1);
}

}  // namespace detail
}  // namespace grokscope::reproduce
