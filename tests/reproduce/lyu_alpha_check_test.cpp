// The lyu_alpha_sweep check (LY-2, LY-6A) on synthetic runs of an alpha sweep: the slope verdicts come from the
// sweep's fit, the kernel-phase verdicts (opted into by max_acc_at_fit and decay_tol) from each run's metrics. It
// passes on runs shaped as Lyu's theorem says and fails when the norm decays at the wrong rate or the kernel phase
// generalizes.
#include <gtest/gtest.h>

#include <cmath>

#include "grokscope/reproduce/checks.h"
#include "verdict_helpers.h"

namespace gr = grokscope::reproduce;

namespace {

using grokscope::reproduce::test::all_pass;
using grokscope::reproduce::test::find;

constexpr double kLr = 0.5, kWd = 8e-4;

// One run of the sweep (alpha = 1 has no kernel phase: its t* is 0): evaluations every 250 steps; the norm is 0.1 + 22.6 alpha e^{-rate t} (rate = decay_factor *
// lambda), train accuracy 0.995 from step 750, test accuracy `acc_kernel` until the transition at
// 20000 + ln(alpha)/(eta lambda) steps and 0.6 after it.
gr::RunData synthetic_run(double alpha, double decay_factor = 1.0, double acc_kernel = 0.0) {
  gr::RunData run;
  run.name = "alpha=" + std::to_string(alpha);
  run.record.config = {{"model", {{"init_scale", alpha}}}, {"optim", {{"lr", kLr}, {"weight_decay", kWd}}},
                       {"task", {{"p", 97}}}};
  const double t_gen = 20000 + std::round(std::log(alpha) / (kLr * kWd) / 250) * 250;
  run.record.clocks.push_back({"t_gen", 0.0, true, t_gen, t_gen * kLr});
  run.metrics.columns = {"step", "time", "acc_train", "acc_test", "norm_total"};
  run.metrics.values.assign(5, {});
  for (double s = 0; s <= 45000; s += 250) {
    const double t = s * kLr;
    const double row[] = {s, t, s >= 750 ? 0.995 : 0.01, s >= t_gen ? 0.6 : acc_kernel,
                          0.1 + 22.6 * alpha * std::exp(-decay_factor * kWd * t)};
    for (size_t c = 0; c < 5; ++c) run.metrics.values[c].push_back(row[c]);
  }
  return run;
}

gr::CheckOutput run_check(double decay_factor, double acc_kernel) {
  gr::CheckInput in;
  for (double a : {100.0, 1000.0, 10000.0}) in.runs.push_back(synthetic_run(a, decay_factor, acc_kernel));
  in.params = {{"slope_tol", 0.25}, {"min_r2", 0.9}, {"fit_acc", 0.99}, {"max_acc_at_fit", 0.2}, {"decay_tol", 0.2}};
  const nlohmann::json fits = nlohmann::json::array({{{"clock", "t_gen"}, {"x", "model.init_scale"}, {"law", "log"},
                                                      {"slope", 2500.0}, {"intercept", 20000.0}, {"r2", 0.999},
                                                      {"predicted_slope", 1 / (kLr * kWd)}, {"n", 3}}});
  in.fits = &fits;
  return gr::find_check("lyu_alpha_sweep")(in, nullptr);
}

}  // namespace

TEST(LyuAlphaCheck, PassesOnTheTheorysShapes) {
  const auto out = run_check(1.0, 0.0);
  EXPECT_TRUE(all_pass(out.verdicts));
  ASSERT_NE(find(out.verdicts, "kernel_norm_decay alpha=100"), nullptr);
  EXPECT_NEAR(find(out.verdicts, "kernel_norm_decay alpha=1e+04")->value, kWd, 0.05 * kWd);
  ASSERT_NE(find(out.verdicts, "kernel_memorizes alpha=1000"), nullptr);
  EXPECT_NE(find(out.verdicts, "slope_vs_log_alpha"), nullptr);
}

TEST(LyuAlphaCheck, FailsWhenTheNormDecaysTooFastOrTheKernelPhaseGeneralizes) {
  const auto fast = run_check(2.0, 0.0);
  EXPECT_FALSE(find(fast.verdicts, "kernel_norm_decay alpha=1e+04")->pass);
  EXPECT_TRUE(find(fast.verdicts, "kernel_memorizes alpha=1e+04")->pass);
  const auto general = run_check(1.0, 0.5);
  EXPECT_FALSE(find(general.verdicts, "kernel_memorizes alpha=100")->pass);
  EXPECT_TRUE(find(general.verdicts, "kernel_norm_decay alpha=100")->pass);
}

TEST(LyuAlphaCheck, KernelVerdictsAreOptIn) {
  gr::CheckInput in;
  in.runs.push_back(synthetic_run(100.0, 2.0, 0.5));
  const auto out = gr::find_check("lyu_alpha_sweep")(in, nullptr);
  EXPECT_EQ(find(out.verdicts, "kernel_"), nullptr);
  EXPECT_FALSE(all_pass(out.verdicts));   // no fit: the slope verdict cannot pass
}

TEST(LyuAlphaCheck, AlphaOneHasNoKernelPhase) {
  gr::CheckInput in;
  in.runs = {synthetic_run(1.0, 2.0, 0.5), synthetic_run(100.0)};
  in.params = {{"max_acc_at_fit", 0.2}, {"decay_tol", 0.2}, {"fit_acc", 0.99}};
  const auto out = gr::find_check("lyu_alpha_sweep")(in, nullptr);
  int kernel = 0;
  for (const auto& v : out.verdicts) {
    EXPECT_EQ(v.name.find("alpha=1 "), std::string::npos) << v.name;
    EXPECT_NE(v.name, "kernel_norm_decay alpha=1");
    EXPECT_NE(v.name, "kernel_memorizes alpha=1");
    kernel += v.name.rfind("kernel_", 0) == 0;
  }
  EXPECT_EQ(kernel, 2);   // alpha = 100 only
}
