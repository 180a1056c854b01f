// Verdict checks of Lyu et al.'s two linear examples (science.md §2.4, §2.5, §2.7):
//   LY-4  diagonal net on k-sparse data: the kernel phase fits with a max-L2-margin (dense, near-chance) classifier,
//         then near t* = (1/lambda) ln alpha (continuous time) it turns into the max-L1-margin (sparse) classifier
//         and test accuracy jumps to 100%.
//   LY-5  the same net on gamma-separated Gaussian data ("misgrokking"): the kernel solution generalizes, the late
//         sparse one does not, so test accuracy falls from ~100% toward chance near t* while the fit stays perfect.
//   LY-6  matrix completion with W = U U^T - V V^T from alpha I: the kernel phase fills the unobserved cells with 0
//         (test MSE plateau = mean X*_ij^2 over cells whose transpose is unobserved too), then near t* the minimum
//         nuclear-norm completion (rank 1 for the multiplication table) takes over and the test MSE collapses.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "check_util.h"
#include "grokscope/io/npz.h"
#include "grokscope/metrics/fits.h"

namespace grokscope::reproduce {

namespace {

Verdict transition_verdict(const std::string& name, double t_measured, double t_star, double lo, double hi,
                           const std::string& what) {
  const double ratio = t_measured / t_star;
  Verdict v{name,
            fmt::format("the transition ({}) happens at t* = ln(alpha) / (eta lambda) steps up to the finite-alpha "
                        "offset: measured / t* in [{}, {}]",
                        what, num(lo), num(hi)),
            fmt::format("{} steps vs t* = {} steps: ratio {}", num(t_measured), num(t_star), num(ratio)),
            std::isfinite(ratio) && ratio >= lo && ratio <= hi, ratio, 1.0};
  return v;
}

// Kernel-phase prediction of LY-6: mean of X*_ij^2 over the test cells whose transpose is not observed either (the
// kernel predictor fills those with 0 and gets the mirrored ones right). NaN when split.npz is missing.
double zero_fill_mse(const RunData& run) {
  const auto path = run.dir / "split.npz";
  if (!std::filesystem::exists(path)) return kNaN;
  std::vector<int64_t> train, test;
  std::vector<double> x;
  int64_t d = 0;
  for (auto& a : read_npz(path.string())) {
    if (a.name == "train_cells") train = std::get<std::vector<int64_t>>(a.data);
    if (a.name == "test_cells") test = std::get<std::vector<int64_t>>(a.data);
    if (a.name == "X_star" && a.shape.size() == 2) {
      d = a.shape[0];
      if (auto* f = std::get_if<std::vector<double>>(&a.data)) x = *f;
      else if (auto* g = std::get_if<std::vector<float>>(&a.data)) x.assign(g->begin(), g->end());
    }
  }
  if (d == 0 || test.empty()) return kNaN;
  const std::set<int64_t> observed(train.begin(), train.end());
  double sum = 0.0;
  for (int64_t cell : test) {
    const int64_t i = cell / d, j = cell % d;
    const bool mirrored = observed.count(j * d + i) > 0;
    const double target = x[static_cast<size_t>(cell)];
    sum += mirrored ? 0.0 : target * target;
  }
  return sum / static_cast<double>(test.size());
}

}  // namespace

namespace detail {

CheckOutput check_ly_grokking(const CheckInput& in, plot::FigureSet* figs) {
  CheckOutput out;
  for (const auto& run : in.runs) {
    const std::string tag = in.runs.size() > 1 ? " " + run_label(run) : "";
    GrokClocks c = grok_clocks(run);
    // gen_acc (optional): t_gen as the first evaluation with test accuracy >= gen_acc instead of the run's t_gen clock
    // (99%), for quick scales whose last percent of the test set comes much later.
    const double gen_acc = in.param("gen_acc", kNaN);
    if (std::isfinite(gen_acc)) {
      const auto s = run.column("step"), a = run.column("acc_test");
      const int64_t i = first_crossing(a, gen_acc, false);
      c.t_gen = i < 0 ? kNaN : s[static_cast<size_t>(i)];
    }
    auto v = grokking_verdicts(c, in.param("min_ratio", 10), in.param("max_acc_at_fit", 0.2), tag);
    out.verdicts.insert(out.verdicts.end(), v.begin(), v.end());
    const double lambda = run.config_number("optim.weight_decay");
    const double alpha = run.config_number("model.init_scale"), t_star = lyu_t_star(run);
    // Sharpness (Fig. 2a: "test accuracy suddenly jumps"): from 10% to 90% test accuracy within max_rise_ratio.
    const auto steps_col = run.column("step"), acc = run.column("acc_test");
    const int64_t i10 = first_crossing(acc, 0.1, false), i90 = first_crossing(acc, 0.9, false);
    const double t10 = i10 < 0 ? kNaN : steps_col[static_cast<size_t>(i10)];
    const double t90 = i90 < 0 ? kNaN : steps_col[static_cast<size_t>(i90)];
    out.verdicts.push_back(at_most("sharp_transition" + tag,
                                   fmt::format("the jump is sharp on a log axis: (first step with test accuracy >= 90%) "
                                               "/ (first step with >= 10%) <= {}", num(in.param("max_rise_ratio", 4))),
                                   t90 / t10, in.param("max_rise_ratio", 4), fmt::format("{} / {}", num(t90), num(t10))));
    const double norm_fit = value_at_step(run, "norm_total", c.t_fit), norm_gen = value_at_step(run, "norm_total", c.t_gen);
    out.verdicts.push_back(at_most("norm_falls" + tag,
                                   "weight decay shrinks the weights between the fit and generalization (rich phase): "
                                   "|theta| at t_gen / |theta| at t_fit < 1",
                                   norm_gen / norm_fit, 1.0, fmt::format("{} / {}", num(norm_gen), num(norm_fit))));
    double rate = kNaN;
    if (alpha > 1) {
      out.verdicts.push_back(kernel_norm_decay_verdict(run, t_star, in.param("decay_tol", 0.2), tag));
      rate = out.verdicts.back().value;
      out.verdicts.push_back(transition_verdict("transition_time" + tag, c.t_gen, t_star, in.param("t_star_lo", 0.5),
                                                in.param("t_star_hi", 3.0), "t_gen"));
    }
    out.measured.push_back(fmt::format("{}: t_fit {}, t_gen (test accuracy >= {}) {}, t_gen/t_fit {}, test accuracy at "
                                       "t_fit {} (chance {}), first step with test accuracy >= 10% {}, |theta| {} at "
                                       "t_fit -> {} at t_gen{}",
                                       run.name, num(c.t_fit), num(std::isfinite(gen_acc) ? gen_acc : 0.99), num(c.t_gen), num(c.t_gen / c.t_fit),
                                       num(c.acc_test_at_fit), num(c.chance), num(t10), num(norm_fit), num(norm_gen),
                                       alpha > 1 ? fmt::format("; t* = ln(alpha)/(eta lambda) = {}, fitted norm decay "
                                                               "rate {} (lambda = {})",
                                                               num(t_star), num(rate), num(lambda))
                                                 : std::string("; alpha = 1: no kernel phase (t* = 0)")));
  }
  if (!in.runs.empty()) {
    const double t_star = lyu_t_star(in.runs[0]);   // 0 for alpha = 1: no mark
    const double mark = t_star > 0 ? t_star : kNaN;
    add_curve_figure(figs, "ly1_accuracy", "LY-1: train and test accuracy against step (log axis); dashed: t* = "
                     "ln(alpha)/(eta lambda) when alpha > 1", in.runs,
                     {"acc_train", "acc_test"}, {"train", "test"}, false, mark, "t*");
    add_curve_figure(figs, "ly1_norm", "LY-1: parameter norm |theta| (kernel phase when alpha > 1: alpha e^{-lambda t})",
                     in.runs, {"norm_total"}, {"|theta|"}, true, mark, "t*");
  }
  return out;
}

// LY-3 (Fig. 2c): the runs of a weight-decay axis. The largest weight decay must prevent fitting (the best train
// accuracy stays <= max_collapse_acc); every other run must fit while its test accuracy is still low, and its
// transition -- the first step with test accuracy >= transition_acc -- must come earlier for larger weight decay. The
// exponent b of t_transition ~ wd^-b is reported, not judged: Lyu's t* = (ln alpha + c)/lambda is a large-alpha
// result, and at alpha = 1 c is not a constant.
CheckOutput check_ly_diagonal(const CheckInput& in, plot::FigureSet* figs) {
  CheckOutput out;
  const double k = in.param("sparsity", 3);
  for (const auto& run : in.runs) {
    const std::string tag = in.runs.size() > 1 ? " " + run_label(run) : "";
    const double t_fit = run.clock_step("t_fit"), t_gen = run.clock_step("t_gen"), t_star = lyu_t_star(run);
    const double acc_at_fit = value_at_step(run, "acc_test", t_fit);
    const auto l1l2 = run.column("w_l1_over_l2"), cosw = run.column("cos_w_star");
    const double l1l2_fit = value_at_step(run, "w_l1_over_l2", t_fit);
    const double l1l2_end = l1l2.empty() ? kNaN : l1l2.back(), cos_end = cosw.empty() ? kNaN : cosw.back();
    out.verdicts.push_back(at_most("kernel_phase_chance" + tag,
                                   "fits the training set while test accuracy stays near chance (L2-margin classifier)",
                                   acc_at_fit, in.param("max_acc_at_fit", 0.7), "test accuracy at t_fit"));
    out.verdicts.push_back(at_least("late_generalization" + tag,
                                    "test accuracy reaches 99% long after fitting: t_gen / t_fit",
                                    t_gen / t_fit, in.param("min_ratio", 100), fmt::format("{} / {}", num(t_gen), num(t_fit))));
    out.verdicts.push_back(transition_verdict("transition_time" + tag, t_gen, t_star, in.param("t_star_lo", 0.5),
                                              in.param("t_star_hi", 2.0), "t_gen"));
    out.verdicts.push_back(at_least("dense_in_kernel_phase" + tag,
                                    "the kernel-phase weights are dense: |w|_1/|w|_2 at t_fit far above sqrt(k)",
                                    l1l2_fit / std::sqrt(k), in.param("min_dense_factor", 10), "(|w|_1/|w|_2) / sqrt(k)"));
    out.verdicts.push_back(at_most("sparse_at_end" + tag,
                                   "the rich phase finds the k-sparse max-L1-margin classifier: |w|_1/|w|_2 -> sqrt(k)",
                                   l1l2_end / std::sqrt(k), in.param("max_sparse_factor", 1.2), "(|w|_1/|w|_2) / sqrt(k)"));
    out.verdicts.push_back(at_least("aligned_with_teacher" + tag, "w aligns with the teacher w*: final cos(w, w*)",
                                    cos_end, in.param("min_cos", 0.95), "cos(w, w*)"));
    const auto margin = ly4_margin_verdicts(run.column("step"), run.column("cos_w_l2"), run.column("cos_w_l1"), t_fit,
                                            t_star, in.param("kernel_until", 0.5), in.param("min_cos_l2", 0.9),
                                            in.param("min_cos_l1", 0.95), tag);
    out.verdicts.insert(out.verdicts.end(), margin.begin(), margin.end());
    out.measured.push_back(fmt::format("{}: t_fit {}, t_gen {}, t* = ln(alpha)/(eta lambda) = {}, test acc at t_fit {}, "
                                       "|w|_1/|w|_2 {} -> {} (sqrt(k) = {}), cos(w, w*) -> {}",
                                       run.name, num(t_fit), num(t_gen), num(t_star), num(acc_at_fit), num(l1l2_fit),
                                       num(l1l2_end), num(std::sqrt(k)), num(cos_end)));
  }
  if (!in.runs.empty()) {
    add_curve_figure(figs, "ly4_accuracy", "LY-4: train and test accuracy of the diagonal net; dashed: t* = ln(alpha)/(eta lambda)",
                     in.runs, {"acc_train", "acc_test"}, {"train", "test"}, false, lyu_t_star(in.runs[0]), "t*");
    add_curve_figure(figs, "ly4_sparsity", "LY-4: |w|_1/|w|_2 (sparsity; sqrt(3) = 1.73 for the teacher) and cos(w, w*)",
                     in.runs, {"w_l1_over_l2", "cos_w_star"}, {"|w|_1/|w|_2", "cos(w, w*)"}, true,
                     lyu_t_star(in.runs[0]), "t*");
    add_curve_figure(figs, "ly4_margins", "LY-4: cos(w, w*_L2) (kernel phase) and cos(w, w*_L1) (rich phase) of the "
                     "diagonal net's w against the max-margin classifiers of the training rows", in.runs,
                     {"cos_w_l2", "cos_w_l1"}, {"cos(w, w*_L2)", "cos(w, w*_L1)"}, false, lyu_t_star(in.runs[0]), "t*");
  }
  return out;
}

CheckOutput check_ly_misgrokking(const CheckInput& in, plot::FigureSet* figs) {
  CheckOutput out;
  for (const auto& run : in.runs) {
    const std::string tag = in.runs.size() > 1 ? " " + run_label(run) : "";
    const double t_fit = run.clock_step("t_fit"), t_star = lyu_t_star(run);
    const auto step = run.column("step"), acc = run.column("acc_test"), acc_train = run.column("acc_train");
    const double acc_fit = value_at_step(run, "acc_test", t_fit), acc_end = acc.empty() ? kNaN : acc.back();
    const double l1l2_fit = value_at_step(run, "w_l1_over_l2", t_fit);
    const double l1l2_end = run.column("w_l1_over_l2").empty() ? kNaN : run.column("w_l1_over_l2").back();
    // The drop: first evaluation after t_fit with test accuracy below the midpoint of its t_fit and final values.
    std::vector<double> tail_steps, tail_acc;
    for (size_t i = 0; i < step.size() && i < acc.size(); ++i)
      if (step[i] >= t_fit) tail_steps.push_back(step[i]), tail_acc.push_back(acc[i]);
    const double t_drop = crossing_x(tail_steps, tail_acc, 0.5 * (acc_fit + acc_end), true);
    out.verdicts.push_back(at_least("kernel_phase_generalizes" + tag,
                                    "the kernel (max-L2-margin) solution generalizes: test accuracy at t_fit", acc_fit,
                                    in.param("min_acc_at_fit", 0.95), "test accuracy at t_fit"));
    out.verdicts.push_back(at_most("misgrokking" + tag, "later the test accuracy falls toward chance (0.5)", acc_end,
                                   in.param("max_acc_end", 0.75), "final test accuracy"));
    out.verdicts.push_back(at_least("still_fits" + tag, "while the training set stays fitted: final train accuracy",
                                    acc_train.empty() ? kNaN : acc_train.back(), 1.0, "final train accuracy"));
    out.verdicts.push_back(at_most("turns_sparse" + tag,
                                   "the late solution is the sparse max-L1-margin one: |w|_1/|w|_2 end / at t_fit",
                                   l1l2_end / l1l2_fit, in.param("max_sparsity_ratio", 0.1),
                                   fmt::format("{} / {}", num(l1l2_end), num(l1l2_fit))));
    out.verdicts.push_back(transition_verdict("transition_time" + tag, t_drop, t_star, in.param("t_star_lo", 0.3),
                                              in.param("t_star_hi", 3.0), "the drop of test accuracy"));
    out.measured.push_back(fmt::format("{}: t_fit {}, test accuracy {} at t_fit -> {} at the end (drop at step {}, t* = {}), "
                                       "|w|_1/|w|_2 {} -> {}, cos(w, w*) -> {}",
                                       run.name, num(t_fit), num(acc_fit), num(acc_end), num(t_drop), num(t_star),
                                       num(l1l2_fit), num(l1l2_end),
                                       num(run.column("cos_w_star").empty() ? kNaN : run.column("cos_w_star").back())));
  }
  if (!in.runs.empty()) {
    add_curve_figure(figs, "ly5_accuracy", "LY-5: train and test accuracy (misgrokking); dashed: t* = ln(alpha)/(eta lambda)",
                     in.runs, {"acc_train", "acc_test"}, {"train", "test"}, false, lyu_t_star(in.runs[0]), "t*");
    add_curve_figure(figs, "ly5_sparsity", "LY-5: |w|_1/|w|_2 and cos(w, w*) of the diagonal net", in.runs,
                     {"w_l1_over_l2", "cos_w_star"}, {"|w|_1/|w|_2", "cos(w, w*)"}, true, lyu_t_star(in.runs[0]), "t*");
  }
  return out;
}

CheckOutput check_ly_matrix(const CheckInput& in, plot::FigureSet* figs) {
  CheckOutput out;
  for (const auto& run : in.runs) {
    const std::string tag = in.runs.size() > 1 ? " " + run_label(run) : "";
    const auto step = run.column("step"), test = run.column("loss_test"), srank = run.column("srank_W");
    const double t_star = lyu_t_star(run);
    const double t_fit_loss = run.clock_step("t_cls(0.001)");
    // Plateau: the median test loss over the evaluations in [t_fit, t*/10].
    std::vector<double> plateau_values;
    for (size_t i = 0; i < step.size() && i < test.size(); ++i)
      if (step[i] >= t_fit_loss && step[i] <= t_star / 10) plateau_values.push_back(test[i]);
    std::sort(plateau_values.begin(), plateau_values.end());
    const double plateau = plateau_values.empty() ? kNaN : plateau_values[plateau_values.size() / 2];
    const double predicted = zero_fill_mse(run);
    const double t_half = crossing_x(step, test, plateau / 2, true);
    const double end = test.empty() ? kNaN : test.back(), srank_end = srank.empty() ? kNaN : srank.back();
    out.verdicts.push_back(at_most("fast_fit" + tag, "train MSE falls below 1e-3 long before t* (steps / t*)",
                                   t_fit_loss / t_star, in.param("max_fit_fraction", 0.01),
                                   fmt::format("t_cls(0.001) / t* = {} / {}", num(t_fit_loss), num(t_star))));
    out.verdicts.push_back(within_relative("kernel_plateau" + tag,
                                           fmt::format("kernel phase fills unobserved cells with 0: test MSE plateau = "
                                                       "mean X*^2 over unobserved, unmirrored test cells (tolerance {})",
                                                       num(in.param("plateau_tol", 0.1))),
                                           plateau, predicted, in.param("plateau_tol", 0.1), "MSE"));
    out.verdicts.push_back(transition_verdict("transition_time" + tag, t_half, t_star, in.param("t_star_lo", 0.5),
                                              in.param("t_star_hi", 3.0), "test MSE at half its plateau"));
    out.verdicts.push_back(at_most("rich_phase_recovers" + tag,
                                   "the min-nuclear-norm completion recovers X*: final test MSE / plateau", end / plateau,
                                   in.param("max_end_fraction", 0.05), fmt::format("{} / {}", num(end), num(plateau))));
    out.verdicts.push_back(at_most("low_rank_end" + tag, "the completion has the rank of X* (1): final srank(W)",
                                   srank_end, in.param("max_srank_end", 1.2), "srank(W)"));
    out.measured.push_back(fmt::format("{}: test MSE plateau {} (zero-fill prediction {}), half-plateau step {}, t* = {}, "
                                       "final test MSE {}, srank(W) {} -> {}, nuc(W) -> {}",
                                       run.name, num(plateau), num(predicted), num(t_half), num(t_star), num(end),
                                       num(srank.empty() ? kNaN : srank.front()), num(srank_end),
                                       num(run.column("nuc_W").empty() ? kNaN : run.column("nuc_W").back())));
  }
  if (!in.runs.empty()) {
    add_curve_figure(figs, "ly6_loss", "LY-6: train and test MSE of matrix completion; dashed: t* = ln(alpha)/(eta lambda)",
                     in.runs, {"loss_train", "loss_test"}, {"train MSE", "test MSE"}, true, lyu_t_star(in.runs[0]), "t*");
    add_curve_figure(figs, "ly6_rank", "LY-6: stable rank and nuclear norm of W = UU^T - VV^T",
                     in.runs, {"srank_W", "nuc_W"}, {"srank(W)", "nuc(W)"}, true, lyu_t_star(in.runs[0]), "t*");
  }
  return out;
}

}  // namespace detail
}  // namespace grokscope::reproduce
