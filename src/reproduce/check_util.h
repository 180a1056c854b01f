// Shared helpers of the verdict checks (private to src/reproduce): the check functions of each paper, and small
// builders for gnuplot data files.
#pragma once

#include <string>
#include <vector>

#include "grokscope/reproduce/checks.h"

namespace grokscope::reproduce::detail {

CheckOutput check_mu1(const CheckInput& in, plot::FigureSet* figs);
CheckOutput check_mu2(const CheckInput& in, plot::FigureSet* figs);             // MU-2
CheckOutput check_mu5(const CheckInput& in, plot::FigureSet* figs);             // MU-5
CheckOutput check_mu4(const CheckInput& in, plot::FigureSet* figs);             // MU-4

CheckOutput check_mu3(const CheckInput& in, plot::FigureSet* figs);             // MU-3
CheckOutput check_ly_grokking(const CheckInput& in, plot::FigureSet* figs);   // LY-1
CheckOutput check_ly_alpha_sweep(const CheckInput& in, plot::FigureSet* figs); // LY-2 law
CheckOutput check_ly_weight_decay(const CheckInput& in, plot::FigureSet* figs); // LY-3
CheckOutput check_ly_diagonal(const CheckInput& in, plot::FigureSet* figs);    // LY-4
CheckOutput check_ly_misgrokking(const CheckInput& in, plot::FigureSet* figs); // LY-5
CheckOutput check_ly_matrix(const CheckInput& in, plot::FigureSet* figs);      // LY-6
CheckOutput check_ly_no_wd(const CheckInput& in, plot::FigureSet* figs);         // LY-7

CheckOutput check_ly_label_noise(const CheckInput& in, plot::FigureSet* figs); // LY-8
CheckOutput check_tc_srank(const CheckInput& in, plot::FigureSet* figs);       // TC-2
CheckOutput check_tc_lambda(const CheckInput& in, plot::FigureSet* figs);      // TC-1
CheckOutput check_tc_balance(const CheckInput& in, plot::FigureSet* figs);     // TC-4
CheckOutput check_tc_fast(const CheckInput& in, plot::FigureSet* figs);        // TC-3
CheckOutput check_tc_relu_bridge(const CheckInput& in, plot::FigureSet* figs); // TC-5
CheckOutput check_demo_representation(const CheckInput& in, plot::FigureSet* figs);   // DEMO
CheckOutput check_na1(const CheckInput& in, plot::FigureSet* figs);                   // NA-1
CheckOutput check_na2(const CheckInput& in, plot::FigureSet* figs);                   // NA-2
CheckOutput check_og3(const CheckInput& in, plot::FigureSet* figs);                   // OG-3
CheckOutput check_power_delay(const CheckInput& in, plot::FigureSet* figs);      // PW-1
CheckOutput check_power_fraction(const CheckInput& in, plot::FigureSet* figs);   // PW-2
// TC-4's slow-clock verdicts of one run (checks_tan_slow.cpp), appended to out; adds the run's curves to the
// energy-gap and singular-value plot bodies (index = the run's position).
void tc4_slow_clock(const RunData& run, const CheckInput& in, CheckOutput& out, size_t index, std::string& energy_plot,
                    std::string& sv_plot, plot::FigureSet* figs);

// Whitespace-separated columns, one row per index; NaN written as NaN. All columns must have the same length.
std::string columns_text(const std::vector<std::string>& header, const std::vector<std::vector<double>>& cols);
// "runs/<name>" label of a run for figure keys: its axis values ("wd=0.2") or its name.
std::string run_label(const RunData& run);
// Steps of a run's metrics (empty when missing).
inline std::vector<double> steps(const RunData& run) { return run.column("step"); }
// First index from which x stays within frac * |x_0 - x_inf| of x_inf (-1 when it never settles or x is empty).
int64_t settle_index(const std::vector<double>& x, double x_inf, double frac);
// Value of `col` at the evaluation whose step is closest to `step` from above (NaN when none).
double value_at_step(const RunData& run, const std::string& col, double step);
// The grokking clocks of a modular-task run: t_fit, t_gen, test accuracy at t_fit, chance level 1/p.
GrokClocks grok_clocks(const RunData& run);

// Lyu et al. (lyu_util.cpp). The predicted transition step t* = ln(alpha) / (eta lambda) of Theorems 3.5 / 3.10 (0 at
// alpha = 1).
double lyu_t_star(const RunData& run);
// Kernel phase: theta(t) ~ alpha e^{-lambda t} theta_init, so ln|theta| falls at rate lambda in continuous time. The
// fitted rate over the evaluations with time in [lo, hi] t* eta (NaN when fewer than two fall there).
double kernel_norm_decay_rate(const RunData& run, double t_star, double lo = 0.1, double hi = 0.7);
// The verdict "kernel_norm_decay<tag>": that rate over [0.1, 0.7] t* is lambda within the relative tolerance tol (its
// value is the fitted rate).
Verdict kernel_norm_decay_verdict(const RunData& run, double t_star, double tol, const std::string& tag);
// A figure (titled with its name, y axis labelled with the legend titles) of the columns `cols` (legend `titles`) of
// every run against the step, with an optional dashed vertical
// mark at mark_step (NaN: none).
void add_curve_figure(plot::FigureSet* figs, const std::string& name, const std::string& caption,
                      const std::vector<RunData>& runs, const std::vector<std::string>& cols,
                      const std::vector<std::string>& titles, bool log_y, double mark_step, const std::string& mark,
                      bool log_x = true);

}  // namespace grokscope::reproduce::detail
