// The lyu_label_noise check (LY-8) on synthetic population-loss curves of label-noise SGD: a passing family shaped as
// Theorem B.1 says (approach to L_GF on the flow's time eta t, fall to ~0 on the noise's time eta^2 t), a family where
// nothing happens (every verdict fails), and families that break one claim each (settle time on the wrong scale,
// generalization on the wrong scale, times that do not follow a power law of eta, a good theta_GF).
#include <gtest/gtest.h>

#include <cmath>

#include "grokscope/reproduce/checks.h"
#include "verdict_helpers.h"

namespace gr = grokscope::reproduce;

namespace {

using grokscope::reproduce::test::all_pass;
using grokscope::reproduce::test::find;

struct Shape {
  double loss_gf = 1.8, floor = 0.003;
  double settle_power = 1.0;   // approach: L_GF + (L0 - L_GF) exp(-eta^p t)
  double fall_power = 2.0;     // fall: (L_GF - floor) / (1 + (eta^q t / T0)^4)
  double t0 = 0.2;
  bool nothing = false;        // L = L(0) throughout
};

// Evaluations at 40 per decade up to 3e9 steps, |w*|^2 = 3, L(0) = 3; t0_factor scales T0 for this eta.
gr::LabelNoiseSeries curve(double eta, const Shape& s, double t0_factor = 1.0) {
  gr::LabelNoiseSeries out;
  out.eta = eta;
  out.loss_gf = s.loss_gf;
  out.w_star_sq = 3.0;
  for (int k = -1; k <= 380; ++k) {
    const double t = k < 0 ? 0.0 : std::pow(10.0, k / 40.0);
    const double approach = (3.0 - s.loss_gf) * std::exp(-std::pow(eta, s.settle_power) * t);
    const double fall = 1.0 / (1.0 + std::pow(std::pow(eta, s.fall_power) * t / (s.t0 * t0_factor), 4));
    out.step.push_back(t);
    out.loss.push_back(s.nothing ? 3.0 : s.floor + (s.loss_gf - s.floor) * fall + approach);
  }
  return out;
}

std::vector<gr::Verdict> judge(const Shape& s, std::vector<double> t0_factor = {1, 1, 1}) {
  std::vector<gr::LabelNoiseSeries> series;
  const double etas[] = {2.5e-4, 1.25e-4, 6.25e-5};
  for (int i = 0; i < 3; ++i) series.push_back(curve(etas[i], s, t0_factor[static_cast<size_t>(i)]));
  return gr::label_noise_verdicts(series, 0.2, 0.05, 0.25, 10, 100, 0.2, 0.95);
}

TEST(Ly8Check, TimesOfOneCurve) {
  const gr::LabelNoiseTimes t = gr::label_noise_times(curve(1e-4, Shape{}), 0.2, 0.05);
  // Band |L - 1.8| <= 0.24: exp(-eta t) = 0.2 at t = ln(5) / eta = 16094 (interpolated between evaluations).
  EXPECT_NEAR(t.t_gf, std::log(5.0) / 1e-4, 0.01 * std::log(5.0) / 1e-4);
  // L = 0.15: (eta^2 t / 0.2)^4 = (1.797 / 0.147) - 1, so t = 0.2 * 11.22^(1/4) / eta^2 = 3.66e7.
  EXPECT_NEAR(t.t_gen, 0.2 * std::pow((1.8 - 0.003) / (0.15 - 0.003) - 1, 0.25) / 1e-8, 0.01 * 3.66e7);
  EXPECT_GT(t.t_leave, 10 * t.t_gf);
  EXPECT_NEAR(t.plateau_loss, 1.8, 0.1);
  EXPECT_LT(t.final_frac, 0.01);
}

TEST(Ly8Check, ExponentOfAPowerLaw) {
  const gr::EtaExponent e = gr::eta_exponent({1e-4, 2e-4, 4e-4}, {1e8, 2.5e7, 6.25e6});
  EXPECT_NEAR(e.a, 2.0, 1e-12);
  EXPECT_NEAR(e.r2, 1.0, 1e-12);
  EXPECT_EQ(e.n, 3);
  EXPECT_TRUE(std::isnan(gr::eta_exponent({1e-4}, {1e8}).a));
}

TEST(Ly8Check, TheoremShapedCurvesPass) {
  const auto v = judge(Shape{});
  ASSERT_EQ(v.size(), 14u);
  for (const auto& x : v) EXPECT_TRUE(x.pass) << x.name << ": " << x.measured;
  EXPECT_NEAR(find(v, "a_gf")->value, 1.0, 0.05);
  EXPECT_NEAR(find(v, "a_gen")->value, 2.0, 0.05);
}

TEST(Ly8Check, NothingHappeningFailsEveryVerdict) {
  Shape s;
  s.loss_gf = 0.3;   // also a good theta_GF: L_GF = 0.1 |w*|^2
  s.nothing = true;
  const auto v = judge(s);
  ASSERT_EQ(v.size(), 14u);
  for (const auto& x : v) EXPECT_FALSE(x.pass) << x.name << ": " << x.measured;
}

TEST(Ly8Check, SettlingOnTheNoiseTimeScaleFails) {
  Shape s;
  s.settle_power = 2.0;   // t_GF ~ eta^-2: the plateau is reached no sooner than the fall
  const auto v = judge(s);
  EXPECT_FALSE(find(v, "a_gf")->pass) << find(v, "a_gf")->measured;
  EXPECT_FALSE(find(v, "gen_after_gf")->pass);
  EXPECT_TRUE(find(v, "a_gen")->pass);
}

TEST(Ly8Check, GeneralizingOnTheFlowTimeScaleFails) {
  Shape s;
  s.fall_power = 1.0;   // t_gen ~ eta^-1
  s.t0 = 2000.0;        // still long after the plateau
  const auto v = judge(s);
  EXPECT_FALSE(find(v, "a_gen")->pass) << find(v, "a_gen")->measured;
  EXPECT_TRUE(find(v, "a_gf")->pass);
  EXPECT_TRUE(find(v, "gen_after_gf")->pass);
}

TEST(Ly8Check, TimesOffThePowerLawFailTheFit) {
  const auto v = judge(Shape{}, {1.0, 4.0, 0.5});
  EXPECT_FALSE(find(v, "a_gen_r2")->pass) << find(v, "a_gen_r2")->measured;
  EXPECT_TRUE(find(v, "a_gf_r2")->pass);
}

TEST(Ly8Check, AGoodGradientFlowLimitFails) {
  Shape s;
  s.loss_gf = 0.3;
  const auto v = judge(s);
  EXPECT_FALSE(find(v, "gf_loss_large")->pass);
  EXPECT_FALSE(all_pass(v));
}

TEST(Ly8Check, RegisteredUnderItsName) { EXPECT_NE(gr::find_check("lyu_label_noise"), nullptr); }

}  // namespace
