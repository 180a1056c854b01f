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
CheckOutput check_ly_grokking(const CheckInput& in, plot::FigureSet* figs);   // LY-1
CheckOutput check_ly_alpha_sweep(const CheckInput& in, plot::FigureSet* figs); // LY-2 law
CheckOutput check_ly_weight_decay(const CheckInput& in, plot::FigureSet* figs); // LY-3
CheckOutput check_ly_diagonal(const CheckInput& in, plot::FigureSet* figs);    // LY-4
CheckOutput check_ly_misgrokking(const CheckInput& in, plot::FigureSet* figs); // LY-5
CheckOutput check_ly_matrix(const CheckInput& in, plot::FigureSet* figs);      // LY-6
CheckOutput check_tc_srank(const CheckInput& in, plot::FigureSet* figs);       // TC-2
CheckOutput check_tc_lambda(const CheckInput& in, plot::FigureSet* figs);      // TC-1
CheckOutput check_tc_balance(const CheckInput& in, plot::FigureSet* figs);     // TC-4
CheckOutput check_tc_fast(const CheckInput& in, plot::FigureSet* figs);        // TC-3

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

}  // namespace grokscope::reproduce::detail
