// ly7_verdicts (LY-7, Lyu's no-weight-decay run at lr eta/L) on synthetic series against log CT: a run shaped as the
// paper describes (fit at chance, a test-accuracy rise spread over two decades of log CT, a growing normalized margin,
// |theta| ~ (log CT)^{1/2}) passes every verdict; a sharp rise, a run that never generalizes, a shrinking margin and a
// norm that stalls each fail their own verdict.
#include <gtest/gtest.h>

#include <cmath>

#include "grokscope/reproduce/checks.h"
#include "verdict_helpers.h"

namespace gr = grokscope::reproduce;

namespace {

using grokscope::reproduce::test::all_pass;
using grokscope::reproduce::test::find;

struct Shape {
  double rise_lo = 100, rise_hi = 10000;   // log CT where the test accuracy rises (linear in ln log CT)
  double acc_top = 1.0;                    // final test accuracy
  double margin_slope = 1e-4;              // d nmargin / d ln log CT after the fit
  double norm_exponent = 0.5;              // |theta| ~ (log CT)^exponent
};

// 200 evaluations; log CT geometric from 0.5 to 1e5 (step 0 at -inf, as a run starts: left out);
// t_fit at step 20 (log CT ~ 1.7).
gr::Ly7Series synthetic(const Shape& sh) {
  gr::Ly7Series s;
  s.t_fit = 20;
  for (int i = 0; i < 200; ++i) {
    const double lt = 0.5 * std::pow(2e5, i / 199.0);
    const double ll = std::log(lt);
    const double u = std::clamp((ll - std::log(sh.rise_lo)) / (std::log(sh.rise_hi) - std::log(sh.rise_lo)), 0.0, 1.0);
    s.step.push_back(i);
    s.log_time.push_back(i == 0 ? -INFINITY : lt);
    s.acc_test.push_back(0.01 + (sh.acc_top - 0.01) * u);
    s.nmargin.push_back(i < 20 ? -1e-3 : 1e-3 + sh.margin_slope * ll);
    s.norm.push_back(10.0 * std::pow(std::max(lt, 1.0), sh.norm_exponent));
  }
  return s;
}

std::vector<gr::Verdict> verdicts(const Shape& sh) {
  return gr::ly7_verdicts(synthetic(sh), 0.2, 0.9, 0.5, 10.0, 0.1);
}

}  // namespace

TEST(Ly7Check, PassesOnLyusShape) {
  const auto v = verdicts({});
  EXPECT_TRUE(all_pass(v));
  EXPECT_EQ(v.size(), 5u);
  EXPECT_NEAR(find(v, "gradual_rise")->value, 39.8, 1.0);   // 10% at 10^2.2, 90% at 10^3.8: ratio 10^1.6
  EXPECT_NEAR(find(v, "norm_unbounded")->value, 0.5, 1e-9);
}

TEST(Ly7Check, SharpRiseFailsGradual) {
  const auto v = verdicts({.rise_lo = 1000, .rise_hi = 1300});
  EXPECT_FALSE(find(v, "gradual_rise")->pass);
  EXPECT_TRUE(find(v, "late_generalization")->pass);
  EXPECT_TRUE(find(v, "eventual_generalization")->pass);
}

TEST(Ly7Check, NoGeneralizationFailsEventualAndGradual) {
  const auto v = verdicts({.acc_top = 0.05});
  EXPECT_FALSE(find(v, "eventual_generalization")->pass);
  EXPECT_FALSE(find(v, "gradual_rise")->pass);
  EXPECT_NE(find(v, "gradual_rise")->measured.find("not reached"), std::string::npos);
}

TEST(Ly7Check, EarlyGeneralizationFailsLate) {
  const auto v = verdicts({.rise_lo = 0.6, .rise_hi = 1.2});
  EXPECT_FALSE(find(v, "late_generalization")->pass);
}

TEST(Ly7Check, ShrinkingMarginFails) {
  const auto v = verdicts({.margin_slope = -1e-4});
  EXPECT_FALSE(find(v, "margin_grows")->pass);
  EXPECT_TRUE(find(v, "norm_unbounded")->pass);
}

TEST(Ly7Check, BoundedNormFails) {
  EXPECT_FALSE(find(verdicts({.norm_exponent = 0.0}), "norm_unbounded")->pass);   // flat: slope 0
  auto s = synthetic({});
  s.norm[150] *= 0.9;   // one fall after the fit (the growth per evaluation is 3%)
  EXPECT_FALSE(find(gr::ly7_verdicts(s, 0.2, 0.9, 0.5, 10.0, 0.1), "norm_unbounded")->pass);
}

TEST(Ly7Check, NoFitMakesEveryVerdictMissing) {
  auto s = synthetic({});
  s.t_fit = NAN;
  const auto v = gr::ly7_verdicts(s, 0.2, 0.9, 0.5, 10.0, 0.1);
  ASSERT_EQ(v.size(), 5u);
  for (const auto& x : v) EXPECT_FALSE(x.pass) << x.name;
}
