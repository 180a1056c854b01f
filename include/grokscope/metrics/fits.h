// Curve fits for the two clocks of Tan et al. 2026 (science.md §1.2–1.3, §1.8 items 5–6), on series logged at evaluation
// times t_0 < t_1 < ... (steps or continuous time; the fits do not care which, but the slopes are per unit of t):
//   line         y = a + b x by ordinary least squares, R^2 = 1 - SS_res / SS_tot
//   fast clock   log L_train(t) = a - nu t for t in [t_fit, t_end]            (Thm 3.5: L <= (K-1) e^{-gamma_0 - nu t})
//   power law    log S(t) = log C + beta log(t - t0) for t in [t_lo, t_hi], t > t0   (Thm 4.8: Delta ~ (t-T_KL)^beta,
//                beta = -1/(2 theta - 1), so the KL exponent is theta = (1 - 1/beta) / 2)
//   T_rep(eta)   first t with S(t) <= eta (held for `hold` consecutive evaluations), censored when it never happens.
// Points with a non-finite coordinate (or a non-positive value under a log) are skipped and counted. A fit needs two
// points with distinct x; otherwise ok = false and the numbers are NaN. R^2 is NaN when y is constant (SS_tot = 0).
#pragma once

#include <cstdint>
#include <limits>
#include <span>

namespace grokscope::metrics {

struct LineFit {
  bool ok = false;
  double intercept = std::numeric_limits<double>::quiet_NaN();   // a
  double slope = std::numeric_limits<double>::quiet_NaN();       // b
  double r2 = std::numeric_limits<double>::quiet_NaN();
  int64_t n = 0;          // points used
  int64_t skipped = 0;    // points in the window left out (non-finite, or <= 0 under a log)
  double x_lo = std::numeric_limits<double>::quiet_NaN();        // smallest and largest x used
  double x_hi = std::numeric_limits<double>::quiet_NaN();
};

// All points (x.size() must equal y.size()). Centred two-pass sums: exact for exactly linear data up to rounding,
// also when x ~ 1e6 steps.
LineFit fit_line(std::span<const double> x, std::span<const double> y);
// Points with x_lo <= x <= x_hi.
LineFit fit_line_window(std::span<const double> x, std::span<const double> y, double x_lo, double x_hi);

// Fast clock: fit of log(loss) against t over t_fit <= t <= t_end (end the window before the weight-decay loss floor).
// Column fast_nu (and fast_nu_r2).
struct FastClockFit {
  LineFit line;     // x = t, y = log loss
  double nu = std::numeric_limits<double>::quiet_NaN();   // -slope: the loss decays like e^{-nu t}
};
FastClockFit fit_fast_clock(std::span<const double> t, std::span<const double> loss, double t_fit,
                            double t_end = std::numeric_limits<double>::infinity());

// Late power law of a gap S(t) (srank - srank_inf, S_rule, S_sep, energy gap): fit of log S against log(t - t0)
// over t_lo <= t <= t_hi (points with t <= t0 or S <= 0 are skipped). Columns slow_beta, slow_theta.
struct PowerLawFit {
  LineFit line;     // x = log(t - t0), y = log S
  double exponent = std::numeric_limits<double>::quiet_NaN();   // beta: S ~ C (t - t0)^beta
  double prefactor = std::numeric_limits<double>::quiet_NaN();  // C = e^intercept
  double kl_theta = std::numeric_limits<double>::quiet_NaN();   // (1 - 1/beta)/2 if beta < 0; in (1/2, 1) iff beta < -1
};
PowerLawFit fit_power_law(std::span<const double> t, std::span<const double> s, double t0,
                          double t_lo = -std::numeric_limits<double>::infinity(),
                          double t_hi = std::numeric_limits<double>::infinity());

// Structural clock T_rep(eta) = inf{t : S(t) <= eta}: the first index i with S_i, ..., S_{i+hold-1} all <= eta
// (hold >= 1; hold = 1 is the plain first crossing; a NaN breaks a run). Censored (fired = false) when no such
// index exists, including a run that starts within the last hold-1 points: the clock then lies after t_last.
struct StructuralClock {
  bool fired = false;
  int64_t index = -1;
  double t = std::numeric_limits<double>::quiet_NaN();        // t_index
  double t_prev = std::numeric_limits<double>::quiet_NaN();   // t_{index-1} (the clock lies in (t_prev, t]); NaN at 0
  double t_last = std::numeric_limits<double>::quiet_NaN();   // last observed t (censoring time when not fired)
};
StructuralClock structural_clock(std::span<const double> t, std::span<const double> s, double eta, int hold = 1);

}  // namespace grokscope::metrics
