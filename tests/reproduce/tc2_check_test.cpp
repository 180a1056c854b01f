// TC-2's and TC-1's stricter verdicts (reproduce/checks.h: srank_verdicts at the catalog's numbers, lambda_exponent)
// on synthetic series: the paper's 36 -> 11 fall between t_fit and t_gen passes; the 34 -> 20 fall of the old quick
// run, or a fall whose midpoint comes after t_gen, fails; t_gen ~ 1/lambda passes the exponent verdict and a
// lambda-independent t_gen fails it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "grokscope/reproduce/checks.h"
#include "verdict_helpers.h"

namespace grokscope::reproduce {
namespace {

// srank flat at `from` up to t_fit = 100, then a linear fall to `to` over [start, end]; evaluations every 10 steps.
void srank_run(double from, double to, double start, double end, std::vector<double>& step, std::vector<double>& s) {
  step.clear(), s.clear();
  for (int t = 0; t <= 3000; t += 10) {
    step.push_back(t);
    s.push_back(from - (from - to) * std::clamp((t - start) / (end - start), 0.0, 1.0));
  }
}

// The catalog's TC-2 numbers: min_drop 0.6, max_before 0.3, max_lag 1.
std::vector<Verdict> tc2(const std::vector<double>& step, const std::vector<double>& s, double t_gen) {
  return srank_verdicts(step, s, 100, t_gen, 0.6, 0.3, 1.0);
}

TEST(Tc2Verdicts, PapersFallInTheWindowPasses) {
  std::vector<double> step, s;
  srank_run(36, 11, 300, 1500, step, s);   // midpoint 900 < t_gen 1800
  const auto v = tc2(step, s, 1800);
  for (const auto& x : v) EXPECT_TRUE(x.pass) << x.name << ": " << x.measured;
  EXPECT_NEAR(test::find(v, "srank_falls")->value, 25.0 / 36, 1e-12);
  EXPECT_EQ(test::find(v, "srank_falls")->expected, 0.6);
}

TEST(Tc2Verdicts, AFortyPercentFallFails) {
  std::vector<double> step, s;
  srank_run(34.3, 20.3, 300, 1500, step, s);   // the 3000-step quick run's numbers
  const auto v = tc2(step, s, 1800);
  EXPECT_FALSE(test::find(v, "srank_falls")->pass);
  EXPECT_TRUE(test::find(v, "fall_in_generalization_window")->pass);
}

TEST(Tc2Verdicts, AFallAfterGeneralizationFails) {
  std::vector<double> step, s;
  srank_run(36, 11, 1000, 3000, step, s);   // midpoint 2000 > t_gen 1800 (the old max_lag 3 accepted it)
  const auto v = tc2(step, s, 1800);
  EXPECT_TRUE(test::find(v, "srank_falls")->pass);
  EXPECT_FALSE(test::find(v, "fall_in_generalization_window")->pass);
  EXPECT_TRUE(test::all_pass(srank_verdicts(step, s, 100, 1800, 0.6, 0.3, 3.0)));
}

TEST(Tc1Exponent, InverseLambdaPassesAndFlatFails) {
  const std::vector<double> lambda = {0.6, 0.7, 0.8, 0.9, 1.0};
  std::vector<double> inverse, flat, offset;
  for (double l : lambda) inverse.push_back(6500 / l), flat.push_back(6500), offset.push_back(3000 + 2000 / l);
  LambdaExponent e = lambda_exponent(lambda, inverse);
  EXPECT_NEAR(e.exponent, -1.0, 1e-12);
  EXPECT_NEAR(e.r2, 1.0, 1e-12);
  EXPECT_EQ(e.points, 5);
  EXPECT_TRUE(lambda_exponent_verdict(e, 0.25).pass);
  EXPECT_FALSE(lambda_exponent_verdict(lambda_exponent(lambda, flat), 0.25).pass);     // b = 0
  e = lambda_exponent(lambda, offset);                                                  // b ~ -0.4
  EXPECT_FALSE(lambda_exponent_verdict(e, 0.25).pass);
  EXPECT_LT(e.exponent, -0.3);
  EXPECT_GT(e.exponent, -0.5);
}

TEST(Tc1Exponent, ARunThatNeverGeneralizedHasNoExponent) {
  const auto e = lambda_exponent({0.6, 0.8, 1.0}, {3000, kNaN, 1800});
  EXPECT_TRUE(std::isnan(e.exponent));
  EXPECT_FALSE(lambda_exponent_verdict(e, 0.25).pass);
}

}  // namespace
}  // namespace grokscope::reproduce
