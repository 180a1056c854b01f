// The verdict checks of the reproduction catalog, by name (a catalog file's reproduce.check). A check reads the
// finished runs of its experiment (metrics.csv, trajectory.csv, summary.json clocks, the resolved configs), computes
// the verdicts of the paper's checkable predictions from them, and draws its figures. The numerical core of each
// check is a pure function on series (the *_verdicts functions below), so the verdict logic is tested on synthetic
// inputs without training anything.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "grokscope/io/metrics_csv.h"
#include "grokscope/plot/gnuplot.h"
#include "grokscope/reproduce/verdict.h"
#include "grokscope/sweep/record.h"

namespace grokscope::reproduce {

// One finished run of the experiment.
struct RunData {
  std::string name;
  std::filesystem::path dir;
  sweep::RunRecord record;
  MetricsTable metrics;       // metrics.csv
  MetricsTable trajectory;    // trajectory.csv (empty unless eval.record_trajectory)

  // A number of the resolved config by dotted key ("optim.lr"); NaN when absent or not a number.
  double config_number(const std::string& dotted) const;
  // The clock's step (NaN when it never fired).
  double clock_step(const std::string& clock) const;
  // A metrics column (empty when missing).
  std::vector<double> column(const std::string& name) const;
};

struct CheckInput {
  std::vector<RunData> runs;                // finished runs, in grid order
  std::map<std::string, double> params;     // [check] numbers of the catalog file
  const nlohmann::json* fits = nullptr;     // the sweep's fits.json content (array), when the sweep has fits
  double param(const std::string& name, double fallback) const;
};

struct CheckOutput {
  std::vector<Verdict> verdicts;
  std::vector<std::string> measured;   // report lines: what was measured, per run or per fit
};

// figures may be null (no gnuplot): the check then computes its verdicts only.
using CheckFn = CheckOutput (*)(const CheckInput& input, plot::FigureSet* figures);

// The check of this name, or nullptr.
CheckFn find_check(const std::string& name);
std::vector<std::string> check_names();

// ---- pure verdict logic (tests call these on synthetic series) ----

// MU-1, one weight decay: w1 - w2 must decay geometrically at the per-step rate 1 - eta*wd (PyTorch coupled weight
// decay wd = 2 lambda of Musat's L + lambda |w|^2), and (w1, w2) must end at the min-norm point 4/(4 + wd) (1, 1).
struct Mu1Series {
  double lr = kNaN, weight_decay = kNaN;
  std::vector<double> step, w1, w2;               // every step (trajectory.csv)
  std::vector<double> eval_step, loss_train, loss_test;   // metrics.csv
};
// Verdicts per series: decay rate (relative tolerance rate_tol on 1 - r), closed form w1 - w2 = -2 (1 - eta wd)^t
// (max deviation <= path_tol), end point (end_tol), memorize-then-generalize (t_gen / t_fit >= min_ratio); and over
// the series: generalization slower for smaller weight decay.
std::vector<Verdict> mu1_verdicts(const std::vector<Mu1Series>& series, double rate_tol, double path_tol,
                                  double end_tol, double min_ratio);

// MU-2, one init: the toy 1+1+1=3 (x = (1, ..., 1) in R^N, y = N). The offset from the diagonal P w must decay
// geometrically at 1 - eta*wd and follow (1 - eta wd)^t P w_0 exactly (path_tol), w must end at the min-norm point
// 2N/(2N + wd) (1, ..., 1) (end_tol), reach the zero-loss plane min_ratio times sooner than the min-norm point, and
// move on a straight line after reaching the plane (straight_tol, relative to the segment's length).
struct Mu2Series {
  std::string label;
  double lr = kNaN, weight_decay = kNaN;
  std::vector<double> step;                 // every step (trajectory.csv)
  std::vector<std::vector<double>> w;       // w[k][t]: coordinate k at step t
};
std::vector<Verdict> mu2_verdicts(const std::vector<Mu2Series>& series, double rate_tol, double path_tol,
                                  double end_tol, double straight_tol, double min_ratio);

// TC-3, one run of a deep linear net on separable K-class data without weight decay: log L and the minimum logit gap
// (margin_train) per evaluation, and T_cls(eps) for eps = 0.1, 0.01, 0.001 (reported). Lemma 3.1 is an identity of
// the loss (lemma_3_1_excess, reported, not judged); on the tail window (steps >= max(t_0, from_fraction T)) a run with normalized steps (Adam, or eta/L)
// must show the paper's fast clock (linear gap growth and linear log L with R^2 >= min_r2, equal rates within
// slope_tol, late / early per-step contraction >= min_late_contraction_ratio), a plain-GD run the implicit-bias literature's power-law decay
// (late / early contraction <= max_late_contraction_ratio, log L linear in log t).
struct Tc3Series {
  std::string label;
  bool normalized = false;   // Adam / AdamW or the eta/L schedule
  double classes = kNaN;
  std::vector<double> step, log_loss, margin;
  double t_cls_01 = kNaN, t_cls_001 = kNaN, t_cls_0001 = kNaN;
};
std::vector<Verdict> tc3_verdicts(const std::vector<Tc3Series>& series, double from_fraction, double min_r2,
                                  double slope_tol, double max_late_contraction_ratio,
                                  double min_late_contraction_ratio);
// Lemma 3.1's sanity line: the largest log L - log(K - 1) + Gamma_min over evaluations with Gamma_min > 0 (<= 0 when
// the lemma holds, i.e. when loss and margin are computed consistently); NaN when the gap is never positive.
double lemma_3_1_excess(const Tc3Series& s);

// MU-5, one run of the isolated dynamics (time = tau = eta * step): train loss <= max_train_loss at every
// evaluation; test accuracy <= chance_factor x chance up to tau = chance_until; 99% test accuracy first reached at
// tau in [min_gen_time, max_gen_time]; each circle diagnostic ends at <= circle_ratio x its value for a RANDOM
// embedding of the same shape (baseline: the start of a run is such an embedding, so "end / start" would only show a
// fall from the random level): |log rho| and |cos(Re, Im)| on the key frequencies (columns *_key), the similarity
// across frequencies on all of them (no key column).
struct Mu5Series {
  std::string label;
  double chance = kNaN;
  std::vector<double> step, time, loss_train, acc_test, rho_logdev_key, cos_abs_key, sim_offdiag;
};
// Mean circle summaries (all frequencies) of `draws` Gaussian p x d matrices (Rng seeded with `seed`): the level of a
// random embedding. The diagnostics are scale-invariant, so the variance does not matter.
struct CircleBaseline {
  double rho_logdev = kNaN, cos_abs = kNaN, sim_offdiag = kNaN;
  int draws = 0;
};
CircleBaseline random_circle_baseline(int p, int d, int draws, uint64_t seed);
std::vector<Verdict> mu5_verdicts(const Mu5Series& s, const CircleBaseline& random, double max_train_loss,
                                  double chance_until, double chance_factor, double min_gen_time, double max_gen_time,
                                  double circle_ratio);

// Clocks of a grokking run (LY-1 and the like): t_fit, t_gen (steps, NaN = never), acc_test at t_fit.
struct GrokClocks {
  double t_fit = kNaN, t_gen = kNaN, acc_test_at_fit = kNaN, chance = kNaN;
};
// t_fit and t_gen fired, t_gen / t_fit >= min_ratio, test accuracy at t_fit <= max_acc_at_fit (not yet generalized).
std::vector<Verdict> grokking_verdicts(const GrokClocks& c, double min_ratio, double max_acc_at_fit,
                                       const std::string& tag = "");

// TC-2: the stable rank of the embedding falls after t_fit. From the srank series (against step): "srank_falls": the
// drop from t_fit to the end is at least min_drop (a fraction of the value at t_fit; the paper's 36 -> 10-12 is ~0.7,
// the catalog asks 0.6, i.e. srank(end) <= 40% of srank(t_fit)); "late_not_early": at most max_before of the total
// change from step 0 to the end happened before t_fit; "fall_in_generalization_window": the fall's midpoint (first
// step with srank below the mean of its t_fit and final values) lies after t_fit and before max_lag x t_gen (the
// catalog's max_lag = 1: between t_fit and t_gen).
std::vector<Verdict> srank_verdicts(const std::vector<double>& step, const std::vector<double>& srank, double t_fit,
                                    double t_gen, double min_drop, double max_before, double max_lag,
                                    const std::string& tag = "");

// Lyu's transition law over an alpha sweep: the fitted slope of t_gen against ln(alpha) matches 1/(eta lambda) within
// slope_tol (relative), the fit has R^2 >= min_r2, and t_gen grows with alpha.
std::vector<Verdict> alpha_slope_verdicts(const std::vector<double>& alpha, const std::vector<double>& t_gen,
                                          double slope, double r2, double predicted, double slope_tol, double min_r2);

// MU-4, one run of Musat's gradient-direction experiment: cos = cos(dtheta, g~) per evaluation (probe
// zero_loss_direction), test accuracy and test loss, t_fit and t_gen. The claim "cos(dtheta, g~) is greatest during
// grokking" is judged in the two readings of Musat's figures: "peak_in_accuracy_rise": the step of the largest cos
// lies in the test-accuracy rise [t_onset, t_gen] (t_onset = first evaluation after t_fit whose test accuracy exceeds
// its value at t_fit; Fig. 7); "peak_in_test_loss_drop": it lies where the test loss makes the middle 80% of its fall
// from its largest value after t_fit to its final value (Fig. 5). Each verdict's value is the peak step.
struct Mu4Series {
  std::string label;
  double t_fit = kNaN, t_gen = kNaN;
  std::vector<double> step, cos, acc_test, loss_test;
};
struct Mu4Windows {
  double peak_step = kNaN, peak_cos = kNaN;
  double onset = kNaN, t_gen = kNaN;            // the test-accuracy rise
  double loss_lo = kNaN, loss_hi = kNaN;        // 10% and 90% of the test-loss fall
};
Mu4Windows mu4_windows(const Mu4Series& s);
std::vector<Verdict> mu4_verdicts(const Mu4Series& s, const std::string& tag = "");

// TC-5, one run of the embedding ReLU model (Tan Prop. 4.1 / 4.2, App. F.3), evaluated on a linear schedule:
// grad_ratio = |grad_U L|_F / |grad_E L|_F, gate_flip_frac = share of the hidden layer's training-set gates flipped
// since the previous evaluation, preact_min_abs = min_{i,u} |pre_{i,u}|. Verdicts: "head_gradient_larger": the ratio
// exceeds min_grad_ratio at every evaluation before t_fit (value = its minimum there); "gates_freeze": the mean
// per-step flip rate (flip fraction / steps since the previous evaluation) over the last late_fraction of the run is
// at most max_flip_ratio x its mean over the evaluations in [around_lo, around_hi] x t_fit (value = the ratio);
// "margin_grows": the median preact_min_abs over the last late_fraction exceeds min_margin_ratio x its median around
// t_fit (value = the ratio).
struct Tc5Series {
  std::string label;
  double t_fit = kNaN;
  std::vector<double> step, grad_ratio, gate_flip_frac, preact_min_abs;
};
struct Tc5Params {
  double min_grad_ratio = 1.0, late_fraction = 0.2, around_lo = 0.5, around_hi = 1.5, max_flip_ratio = 0.1,
         min_margin_ratio = 1.0;
};
// The per-step flip rate at each evaluation (NaN at the first one and where the fraction is NaN).
std::vector<double> gate_flip_rate(const std::vector<double>& step, const std::vector<double>& gate_flip_frac);
std::vector<Verdict> tc5_verdicts(const Tc5Series& s, const Tc5Params& p, const std::string& tag = "");

// LY-7, one run without weight decay at lr eta/L (Lyu et al. App. B.1, Fig. 4), judged against x = log CT (the
// log_time column, CT = sum_t eta_t). Evaluations with log CT <= 0 are left out (Lyu's CT starts at 1). The fit is
// the first evaluation at or after the t_fit clock. Verdicts: late (test accuracy at the fit <= max_acc_at_fit),
// eventual (final test accuracy >= min_final_acc), gradual (gain = final - fit test accuracy >= min_gain, and the log
// CT of the first evaluation reaching 90% of the gain / that reaching 10% >= min_span), margin growth (normalized
// margin at the end > at the fit and > at the midpoint of [fit, end] in ln log CT), unbounded norm (|theta| never
// falls after the fit by more than a relative 1e-6, and the slope of ln|theta| against ln log CT over the last
// quarter of that axis >= min_norm_slope; 2-homogeneity with a settled normalized margin predicts 1/2).
struct Ly7Series {
  std::string label;
  double t_fit = kNaN;   // step of the t_fit clock (NaN: never fitted)
  std::vector<double> step, log_time, acc_test, nmargin, norm;
};
std::vector<Verdict> ly7_verdicts(const Ly7Series& s, double max_acc_at_fit, double min_final_acc, double min_gain,
                                  double min_span, double min_norm_slope);

// MU-3, one GD trajectory on a two-parameter toy landscape (Musat Thm 4.14): per recorded step the distance to the
// zero-loss set Z, |cos| of the angle between grad L and Z's tangent at proj_Z(theta), the predicted local constant
// C(proj_Z theta) = lim |cos| / dist (+inf at a singular point) and the distance of proj_Z(theta) to the nearest
// singular point of Z (NaN when Z has none).
struct Mu3Series {
  std::string label;
  std::vector<double> step, dist, cos, c_pred, dist_sing;
};
struct Mu3Params {
  double fit_lo = 1e-9, fit_hi = 1e-2;   // the approach window: rows with fit_lo <= dist <= fit_hi
  double min_r2 = 0.99;                  // R^2 of |cos| = slope dist + intercept over the window
  double intercept_tol = 0.01;           // |intercept| <= intercept_tol x slope x (largest dist in the window)
  double exponent_tol = 0.02;            // log-log slope of |cos| against dist within 1 +- exponent_tol
  double slope_tol = 0.05;               // fitted slope within slope_tol (relative) of C at the last window row
  double zero_tol = 1e-12;               // C = 0 (gradient exactly normal): max |cos| over every row
  double singular_factor = 10;           // a run ends at a singular point when dist_sing <= factor x dist there
  double min_singular_cos = 0.5;         // ... and there |cos| stays >= this while dist falls >= 10x (no bound)
};
// Each series is classified by its geometry, not by its cosines: ending at a singular point of Z (the theorem's
// excluded case; verdict singular_no_bound), C = 0 at the end of the window (normal_gradient: |cos| <= zero_tol
// everywhere), else a smooth approach (linear, through_zero, power_one, slope_c).
std::vector<Verdict> mu3_verdicts(const std::vector<Mu3Series>& series, const Mu3Params& p);

// LY-8, label-noise SGD on the diagonal net for sparse regression (Lyu App. B.2, Theorem B.1), one learning rate eta:
// the population loss L = ||w - w*||^2 at each evaluation, the gradient-flow limit's L_GF and ||w*||^2.
struct LabelNoiseSeries {
  double eta = kNaN, loss_gf = kNaN, w_star_sq = kNaN;
  std::vector<double> step, loss;
};
// The times of one series, in steps (NaN when it never happens). The band is |L - L_GF| <= near_tol |L(0) - L_GF|:
// t_gf = entry into the band (settle time), t_leave = first exit after t_gf (end of the plateau; the last step when
// it never leaves), t_gen = first L <= gen_frac ||w*||^2. Crossings are interpolated linearly in ln(step) between
// the two evaluations around them. plateau_loss = median L over [t_gf, t_leave]; final_frac = L(end) / ||w*||^2.
struct LabelNoiseTimes {
  double t_gf = kNaN, t_leave = kNaN, t_gen = kNaN, plateau_loss = kNaN, final_frac = kNaN;
};
LabelNoiseTimes label_noise_times(const LabelNoiseSeries& s, double near_tol, double gen_frac);
// Fit of ln t = c - a ln eta over the finite points: the exponent a (t ~ eta^-a) and R^2 (NaN with < 2 points).
struct EtaExponent {
  double a = kNaN, c = kNaN, r2 = kNaN;   // ln t = c - a ln eta
  int n = 0;
};
EtaExponent eta_exponent(const std::vector<double>& eta, const std::vector<double>& t);
// Verdicts: L_GF >= gf_min_frac ||w*||^2 (theta_GF is a bad solution); per eta, the plateau at L_GF lasts
// t_leave / t_gf >= min_plateau, the run ends at L <= gen_frac ||w*||^2, and t_gen / t_gf >= min_ratio; over the
// etas (>= 3 needed), the exponent of t_gf lies in [1 - exp_tol, 2 - exp_tol] (the paper: theta(T / eta^a) -> theta_GF
// for every a in (1, 2), i.e. the flow's own time scale 1/eta, clearly below 2), that of t_gen within exp_tol of 2,
// and both fits have R^2 >= min_r2.
std::vector<Verdict> label_noise_verdicts(const std::vector<LabelNoiseSeries>& series, double near_tol,
                                          double gen_frac, double gf_min_frac, double min_plateau, double min_ratio,
                                          double exp_tol, double min_r2);

// TC-1, the lambda sweep: the exponent b of t_gen ~ lambda^b, a least-squares fit of log t_gen against log lambda over
// the runs (NaN when fewer than two runs or a run never generalized). Lyu et al.'s t* = (ln alpha + c)/lambda and
// Omnigrok's t ~ 1/lambda predict b = -1. "t_gen_exponent" passes when |b + 1| <= tol (value b, expected -1).
struct LambdaExponent {
  double exponent = kNaN, r2 = kNaN;
  int points = 0;
};
LambdaExponent lambda_exponent(const std::vector<double>& lambda, const std::vector<double>& t_gen);
Verdict lambda_exponent_verdict(const LambdaExponent& e, double tol);

// DEMO, the representation clock of the demo's MLP: ipr = the mean per-neuron Fourier IPR of the first layer per
// evaluation (column neuron_ipr). "neuron_ipr_rises" (ipr(t_gen) / ipr(t_fit) >= min_rise), "rise_after_fit" (share
// of the change ipr(0) -> ipr(end) done before t_fit <= max_before) and "rise_midpoint_in_window" (the first
// evaluation after t_fit with ipr >= the mean of ipr(t_fit) and ipr(end) lies in (t_fit, t_gen]).
std::vector<Verdict> concentration_verdicts(const std::vector<double>& step, const std::vector<double>& ipr,
                                            double t_fit, double t_gen, double min_rise, double max_before,
                                            const std::string& tag = "");

// LY-3, Lyu's weight-decay sweep at a fixed init scale. One run: its weight decay, its best train accuracy, t_fit (NaN
// when the training set was never fitted), the test accuracy at t_fit and the transition (first step with test
// accuracy >= the check's level; NaN when never). A run *collapses* when its best train accuracy stays <=
// max_collapse_acc. Verdicts: per run that does not collapse, "fits wd=", "memorizes_first wd=" (test accuracy at
// t_fit <= max_acc_at_fit), "transition_after_fit wd=" (t_transition / t_fit >= min_ratio); "collapse_threshold"
// (some runs collapse, some do not, and every collapsing weight decay is larger than every other one: value = the
// smallest collapsing wd); "earlier_for_larger_wd" (the transition falls strictly with wd over the runs that do not
// collapse, at least three of them); "t_transition_exponent" (t_transition ~ wd^b over those runs, |b + 1| <=
// exponent_tol: Lyu's t* ~ 1/lambda; value b, expected -1).
struct WeightDecayRun {
  double wd = kNaN, best_acc_train = kNaN, t_fit = kNaN, acc_test_at_fit = kNaN, t_transition = kNaN;
};
struct WeightDecayLimits {
  double max_collapse_acc = 0.2, max_acc_at_fit = 0.2, min_ratio = 2, exponent_tol = 0.25;
};
std::vector<Verdict> weight_decay_verdicts(std::vector<WeightDecayRun> runs, const WeightDecayLimits& limits);

// TC-4, the slow clock of one deep linear run (Tan et al. Thm 4.8, Prop. 4.3). slow_clock_fit: the energy gap
// Delta = E - E(inf) (E = loss_train + penalty_induced per evaluation; E(inf) = the lowest E from t_start on) over the
// evaluations from t_start on with Delta > gap_floor x its largest value there (at least 5), fitted as log Delta
// against log(t - T_KL) (power law, exponent beta, theta = (1 - 1/beta)/2, T_KL profiled over 64 values in
// [0, first fitted step): 3 parameters) and against t (exponential, rate: 2 parameters), each with its AIC
// n ln(SSE/n) + 2k. relative_decay_rates: -slope of ln s_i against step over step >= t_lo, per singular
// value series (NaN when fewer than two points). tc4_slow_verdicts: "slow_clock_power_law" (the power law has the
// lower AIC and theta in (1/2, 1); value theta) and "small_sv_shrink_fastest" (rates, given largest s_i first, grow
// strictly along the list: every pair ordered; value = share of ordered pairs, expected 1).
struct SlowClockFit {
  double e_inf = kNaN, beta = kNaN, theta = kNaN, t_kl = kNaN, rate = kNaN, r2_power = kNaN, r2_exp = kNaN,
         aic_power = kNaN, aic_exp = kNaN, t_lo = kNaN, t_hi = kNaN;
  int64_t points = 0;
};
SlowClockFit slow_clock_fit(const std::vector<double>& step, const std::vector<double>& energy, double t_start,
                            double gap_floor);
std::vector<double> relative_decay_rates(const std::vector<double>& step, const std::vector<std::vector<double>>& sv,
                                         double t_lo);
std::vector<Verdict> tc4_slow_verdicts(const SlowClockFit& f, const std::vector<double>& rates,
                                       const std::string& tag = "");

// LY-4, one diagonal-net run with the margin_targets probe: cos(w, w*_L2) and cos(w, w*_L1) per evaluation.
// "kernel_l2_margin": the largest cos(w, w*_L2) over the evaluations in [t_fit, kernel_until x t*] is >= min_cos_l2;
// "rich_l1_margin": the final cos(w, w*_L1) is >= min_cos_l1. NaN (missing column) fails.
std::vector<Verdict> ly4_margin_verdicts(const std::vector<double>& step, const std::vector<double>& cos_l2,
                                         const std::vector<double>& cos_l1, double t_fit, double t_star,
                                         double kernel_until, double min_cos_l2, double min_cos_l1,
                                         const std::string& tag = "");

// OG-3, Omnigrok's constrained norm (Fig. 7): one unconstrained run and one with optim.fixed_norm > 0, their steps,
// accuracies and norm_total. t_fit = the first step with train accuracy 1; t_gen = the first with test accuracy >=
// gen_level. Verdicts: "free_delay" (unconstrained t_gen / t_fit >= min_free_delay), "norm_rises" (its largest norm up
// to t_gen / its initial norm >= 1 + min_norm_rise), "norm_below_init_at_generalization" (norm at t_gen / initial
// <= 1), "norm_held" (the constrained run's largest relative deviation from its initial norm <= max_norm_drift) and
// "fixed_no_delay" (constrained t_gen / t_fit <= max_fixed_delay). Missing runs or clocks fail.
struct Og3Series {
  std::vector<double> step, acc_train, acc_test, norm;
};
struct Og3Limits {
  double gen_level = 0.95, min_free_delay = 10, max_fixed_delay = 3, min_norm_rise = 0.05, max_norm_drift = 1e-5;
};
std::vector<Verdict> og3_verdicts(const Og3Series& free_run, const Og3Series& fixed_run, const Og3Limits& limits);

// PW-1, Power et al. 2022 Fig. 1, one run: accuracies per evaluation (validation = the test split). t_fit = first
// evaluation with train accuracy >= fit_acc, t_onset = first with validation accuracy >= onset_acc, t_gen = first with
// validation accuracy >= gen_acc (NaN: never). Verdicts: "train_fits", "validation_low_at_fit" (validation accuracy
// at t_fit <= max_acc_at_fit), "validation_plateau" (t_onset / t_fit >= min_onset_ratio), "validation_generalizes"
// (t_gen fired) and "generalization_delay" (t_gen / t_fit >= min_gen_ratio).
struct PowerDelaySeries {
  double chance = kNaN;
  std::vector<double> step, acc_train, acc_test;
};
struct PowerDelayLimits {
  double fit_acc = 0.99, gen_acc = 0.99, onset_acc = 0.1, max_acc_at_fit = 0.1, min_onset_ratio = 10,
         min_gen_ratio = 10;
};
struct PowerDelayTimes {
  double t_fit = kNaN, t_onset = kNaN, t_gen = kNaN, acc_test_at_fit = kNaN;
};
PowerDelayTimes power_delay_times(const PowerDelaySeries& s, const PowerDelayLimits& limits);
std::vector<Verdict> power_delay_verdicts(const PowerDelaySeries& s, const PowerDelayLimits& limits,
                                          const std::string& tag = "");

// PW-2, Power et al. 2022 Fig. 1 centre: one run per (training fraction, seed) with its steps to 99% train accuracy
// (t_fit) and to 99% validation accuracy (t_gen; NaN = not within the run's budget of train.steps, which counts as
// +infinity, "above the budget"). Cells: per fraction (ascending) the median over its runs. Verdicts (at least three
// fractions): "generalizes_at_largest_fraction" (finite median there), "later_for_smaller_fraction" (the medians fall
// as the fraction grows: strictly where both are finite, a median above the budget only at fractions below every
// finite one), "steep_rise" (median at the smallest / median at the largest fraction >= min_rise; a smallest fraction
// above the budget gives the lower bound budget / median at the largest) and "train_fit_within_a_decade" (max / min
// of the cells' median t_fit <= max_fit_spread).
struct FractionRun {
  double fraction = kNaN, t_fit = kNaN, t_gen = kNaN, budget = kNaN;
};
struct FractionCell {
  double fraction = kNaN, t_fit = kNaN, t_gen = kNaN, budget = kNaN;   // medians (+inf: above the budget)
  int runs = 0, generalized = 0;
};
std::vector<FractionCell> fraction_cells(const std::vector<FractionRun>& runs);
std::vector<Verdict> power_fraction_verdicts(const std::vector<FractionRun>& runs, double min_rise,
                                             double max_fit_spread);

}  // namespace grokscope::reproduce
