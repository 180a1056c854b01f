// TC-5's verdict logic (reproduce/checks.h: tc5_verdicts, gate_flip_rate) on synthetic series: a run that shows the
// ReLU bridge (head gradient larger before t_fit, flips dying out, margin growing) passes every verdict; runs that
// break one claim each fail exactly that verdict.
#include <gtest/gtest.h>

#include <cmath>

#include "grokscope/reproduce/checks.h"
#include "verdict_helpers.h"

namespace grokscope::reproduce {
namespace {

// Evaluations every 10 steps up to 4000, t_fit = 600.
Tc5Series bridge_run() {
  Tc5Series s;
  s.label = "synthetic";
  s.t_fit = 600;
  for (int t = 0; t <= 4000; t += 10) {
    s.step.push_back(t);
    s.grad_ratio.push_back(t < 600 ? 3.0 + 0.001 * t : 0.5);         // > 1 while fitting, anything after
    s.gate_flip_frac.push_back(t == 0 ? NAN : 0.02 * std::exp(-t / 400.0));   // dies out
    s.preact_min_abs.push_back(1e-5 * (1.0 + t / 100.0));             // grows
  }
  return s;
}

TEST(Tc5Verdicts, BridgeRunPassesEveryClaim) {
  const auto v = tc5_verdicts(bridge_run(), Tc5Params{});
  ASSERT_EQ(v.size(), 3u);
  EXPECT_TRUE(test::all_pass(v)) << v[0].measured << " | " << v[1].measured << " | " << v[2].measured;
  EXPECT_NEAR(test::find(v, "head_gradient_larger")->value, 3.0, 1e-12);
}

TEST(Tc5Verdicts, EmbeddingGradientLargerBeforeFitFails) {
  Tc5Series s = bridge_run();
  s.grad_ratio[30] = 0.9;   // one evaluation before t_fit (step 300) with the embedding ahead
  const auto v = tc5_verdicts(s, Tc5Params{});
  EXPECT_FALSE(test::find(v, "head_gradient_larger")->pass);
  EXPECT_DOUBLE_EQ(test::find(v, "head_gradient_larger")->value, 0.9);
  EXPECT_TRUE(test::find(v, "gates_freeze")->pass);
  EXPECT_TRUE(test::find(v, "margin_grows")->pass);
}

TEST(Tc5Verdicts, GatesStillFlippingLateFails) {
  Tc5Series s = bridge_run();
  for (size_t i = 1; i < s.step.size(); ++i) s.gate_flip_frac[i] = 0.01;   // a constant flip rate: nothing freezes
  const auto v = tc5_verdicts(s, Tc5Params{});
  EXPECT_FALSE(test::find(v, "gates_freeze")->pass);
  EXPECT_NEAR(test::find(v, "gates_freeze")->value, 1.0, 1e-12);
  EXPECT_TRUE(test::find(v, "head_gradient_larger")->pass);
}

TEST(Tc5Verdicts, ShrinkingMarginFails) {
  Tc5Series s = bridge_run();
  for (size_t i = 0; i < s.step.size(); ++i) s.preact_min_abs[i] = 1e-3 / (1.0 + s.step[i] / 100.0);
  const auto v = tc5_verdicts(s, Tc5Params{});
  EXPECT_FALSE(test::find(v, "margin_grows")->pass);
  EXPECT_LT(test::find(v, "margin_grows")->value, 1.0);
}

TEST(Tc5Verdicts, FlipRateIsPerStepSoUnevenEvaluationsCompare) {
  // The same per-step rate 0.001 seen through gaps of 10 and of 100 steps.
  const auto r = gate_flip_rate({0, 10, 110}, {NAN, 0.01, 0.1});
  ASSERT_EQ(r.size(), 3u);
  EXPECT_TRUE(std::isnan(r[0]));
  EXPECT_DOUBLE_EQ(r[1], 0.001);
  EXPECT_DOUBLE_EQ(r[2], 0.001);
}

TEST(Tc5Verdicts, NoFitFailsEveryClaim) {
  Tc5Series s = bridge_run();
  s.t_fit = NAN;
  const auto v = tc5_verdicts(s, Tc5Params{}, " seed=1");
  ASSERT_EQ(v.size(), 3u);
  for (const auto& x : v) {
    EXPECT_FALSE(x.pass);
    EXPECT_NE(x.name.find(" seed=1"), std::string::npos);
  }
}

}  // namespace
}  // namespace grokscope::reproduce
