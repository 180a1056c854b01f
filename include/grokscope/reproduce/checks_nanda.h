// Pure verdict logic of Nanda et al. 2023's catalog entries (NA-1, NA-2; science.md §4.2; papers.md §5), tested on
// synthetic series (tests/reproduce/nanda_check_test.cpp); the checks that read the runs are in
// src/reproduce/checks_nanda.cpp.
#pragma once

#include <string>
#include <vector>

#include "grokscope/reproduce/verdict.h"

namespace grokscope::reproduce {

// NA-1, one run of the transformer on a + b mod p with the progress-measure columns (docs/diagnostics.md,
// "Transformer progress measures"). Verdicts:
//   "fits_first"            t_gen / t_fit >= min_delay (memorization, then a delayed generalization)
//   "restricted_before_test" the first evaluation with loss_restricted <= fall_level comes strictly before the first
//                           with loss_test <= fall_level (value: the ratio of their steps, < 1 passes)
//   "excluded_rises"        max loss_excluded over the evaluations in [t_fit, t_gen] / loss_excluded at t_fit
//                           >= min_excluded_rise (circuit formation: the training loss comes to rely on the keys)
//   "key_count"             the final fourier_keys_wl in [min_keys, max_keys]
//   "gini_rises_we", "gini_rises_wl"  final Gini - Gini at t_fit >= min_gini_rise
struct Na1Series {
  std::string label;
  double t_fit = kNaN, t_gen = kNaN;
  std::vector<double> step, loss_train, loss_test, loss_restricted, loss_excluded, keys_wl, gini_we, gini_wl;
};
struct Na1Params {
  double min_delay = 3.0;
  double fall_level = 1.0;
  double min_excluded_rise = 10.0;
  double min_keys = 3.0, max_keys = 7.0;
  double min_gini_rise = 0.3;
};
std::vector<Verdict> na1_verdicts(const Na1Series& s, const Na1Params& p);

// NA-2, a grid of runs over weight decay and training fraction. One run: its weight decay, training fraction,
// t_fit and t_gen (NaN when never), its final test accuracy and its last step.
//   "no_wd_no_grokking frac=F"  every run with weight decay 0 at a fraction <= max_small_fraction fits (t_fit fires)
//                               and never reaches t_gen within its steps
//   "wd_groks frac=F"           every run with weight decay > 0 at a fraction <= max_small_fraction groks:
//                               t_gen fires and t_gen / t_fit >= min_delay (the reference the other verdicts need)
//   "large_fraction_immediate frac=F"  every run with weight decay > 0 at a fraction >= min_large_fraction reaches
//                               t_gen with t_gen / t_fit <= max_immediate_ratio
// A verdict of a kind that has no run is "missing".
struct Na2Run {
  std::string label;
  double weight_decay = kNaN, train_fraction = kNaN;
  double t_fit = kNaN, t_gen = kNaN, final_acc_test = kNaN, steps = kNaN;
};
struct Na2Params {
  double max_small_fraction = 0.5;
  double min_large_fraction = 0.6;
  double min_delay = 3.0;
  double max_immediate_ratio = 1.5;
};
std::vector<Verdict> na2_verdicts(const std::vector<Na2Run>& runs, const Na2Params& p);

}  // namespace grokscope::reproduce
