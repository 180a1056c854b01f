// MU-4's verdict logic (reproduce/checks.h: mu4_windows, mu4_verdicts) on synthetic series: a cosine that peaks inside
// the test-accuracy rise and the test-loss fall passes both readings; one that peaks right after memorization, long
// before either (what our runs measure), fails both.
#include <gtest/gtest.h>

#include <cmath>

#include "grokscope/reproduce/checks.h"
#include "verdict_helpers.h"

namespace grokscope::reproduce {
namespace {

// Log-spaced evaluations; fit at 100, test accuracy rises over [10 000, 20 000], test loss falls over the same span.
Mu4Series run_with_peak_at(double peak) {
  Mu4Series s;
  s.label = "synthetic";
  s.t_fit = 100;
  s.t_gen = 20000;
  for (double t = 1; t <= 1e5; t *= 1.1) {
    const double step = std::round(t);
    if (!s.step.empty() && step == s.step.back()) continue;
    s.step.push_back(step);
    const double x = std::clamp((step - 10000) / 10000, 0.0, 1.0);
    s.acc_test.push_back(step >= 20000 ? 1.0 : std::floor(6 * x) / 6);
    s.loss_test.push_back(0.2 - 0.15 * x);
    s.cos.push_back(std::exp(-std::pow(std::log(step / peak), 2)));
  }
  return s;
}

TEST(Mu4Verdicts, PeakDuringGrokkingPassesBothReadings) {
  const auto s = run_with_peak_at(15000);
  const Mu4Windows w = mu4_windows(s);
  EXPECT_GT(w.onset, 10000);
  EXPECT_LT(w.onset, 13000);   // 11 667 on a 10%-spaced grid
  EXPECT_GT(w.loss_lo, 10000);
  EXPECT_LT(w.loss_hi, 21000);  // 19 000 on the grid
  const auto v = mu4_verdicts(s);
  ASSERT_EQ(v.size(), 2u);
  EXPECT_TRUE(test::all_pass(v)) << v[0].measured << " | " << v[1].measured;
  EXPECT_NEAR(test::find(v, "peak_in_accuracy_rise")->value, 15000, 1500);
}

TEST(Mu4Verdicts, PeakRightAfterMemorizationFailsBothReadings) {
  const auto v = mu4_verdicts(run_with_peak_at(2500));
  ASSERT_EQ(v.size(), 2u);
  EXPECT_FALSE(test::find(v, "peak_in_accuracy_rise")->pass);
  EXPECT_FALSE(test::find(v, "peak_in_test_loss_drop")->pass);
  EXPECT_NEAR(test::find(v, "peak_in_accuracy_rise")->value, 2500, 250);
}

TEST(Mu4Verdicts, NoGeneralizationFailsTheAccuracyReading) {
  Mu4Series s = run_with_peak_at(15000);
  s.t_gen = NAN;
  for (auto& a : s.acc_test) a = 0.0;
  const auto v = mu4_verdicts(s);
  EXPECT_FALSE(test::find(v, "peak_in_accuracy_rise")->pass);
}

TEST(Mu4Verdicts, MissingCosineColumnFails) {
  Mu4Series s = run_with_peak_at(15000);
  s.cos.clear();
  const auto v = mu4_verdicts(s, " seed=3");
  ASSERT_EQ(v.size(), 2u);
  for (const auto& x : v) {
    EXPECT_FALSE(x.pass);
    EXPECT_NE(x.name.find(" seed=3"), std::string::npos);
  }
}

}  // namespace
}  // namespace grokscope::reproduce
