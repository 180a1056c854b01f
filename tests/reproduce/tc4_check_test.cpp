// TC-4's slow-clock verdicts (reproduce/checks.h: slow_clock_fit, relative_decay_rates, tc4_slow_verdicts) on
// synthetic series: an energy gap that decays as a power law with theta in (1/2, 1) passes "slow_clock_power_law", an
// exponential gap (theta = 1/2, the smooth case) or a too-fast power law fails it; singular values whose relative
// decay rate grows as they get smaller pass "small_sv_shrink_fastest", the reverse order fails it.
#include <gtest/gtest.h>

#include <cmath>

#include "grokscope/reproduce/checks.h"
#include "verdict_helpers.h"

namespace grokscope::reproduce {
namespace {

// 20 evaluations per decade from step 100 to ~2.8e4; E = 0.2 + gap(t).
template <class Gap>
void energy_run(Gap gap, std::vector<double>& step, std::vector<double>& energy) {
  step.clear(), energy.clear();
  for (int i = 0; i <= 49; ++i) {
    step.push_back(std::round(std::pow(10.0, 2.0 + i / 20.0)));
    energy.push_back(0.2 + gap(step.back()));
  }
}

TEST(Tc4SlowClock, PowerLawGapPassesWithItsTheta) {
  std::vector<double> step, energy;
  energy_run([](double t) { return std::pow(t, -2.0); }, step, energy);   // beta = -2: theta = 3/4
  const SlowClockFit f = slow_clock_fit(step, energy, 100, 1e-6);
  EXPECT_LT(f.aic_power, f.aic_exp);
  EXPECT_NEAR(f.theta, 0.75, 0.03);   // E(inf) = the last E is a little high: beta comes out ~ -2.1
  const auto v = tc4_slow_verdicts(f, {1e-5, 2e-5, 1e-3});
  for (const auto& x : v) EXPECT_TRUE(x.pass) << x.name << ": " << x.measured;
  EXPECT_NEAR(test::find(v, "slow_clock_power_law")->value, f.theta, 1e-15);
}

TEST(Tc4SlowClock, ExponentialGapFails) {
  std::vector<double> step, energy;
  energy_run([](double t) { return std::exp(-1e-3 * t); }, step, energy);
  const SlowClockFit f = slow_clock_fit(step, energy, 100, 1e-6);
  EXPECT_GT(f.aic_power, f.aic_exp);
  EXPECT_NEAR(f.rate, 1e-3, 1e-6);
  EXPECT_FALSE(test::find(tc4_slow_verdicts(f, {}), "slow_clock_power_law")->pass);
}

TEST(Tc4SlowClock, PowerLawOutsideTheKlRangeFails) {
  std::vector<double> step, energy;
  energy_run([](double t) { return std::pow(t, -0.5); }, step, energy);   // beta = -1/2: theta = 3/2
  const SlowClockFit f = slow_clock_fit(step, energy, 100, 1e-6);
  EXPECT_LT(f.aic_power, f.aic_exp);
  EXPECT_GT(f.theta, 1.0);
  EXPECT_FALSE(test::find(tc4_slow_verdicts(f, {}), "slow_clock_power_law")->pass);
}

TEST(Tc4SlowClock, TooFewPointsFails) {
  const SlowClockFit f = slow_clock_fit({1, 2, 3}, {3, 2, 1}, 1, 1e-6);
  EXPECT_LT(f.points, 5);
  EXPECT_TRUE(std::isnan(f.theta));
  EXPECT_FALSE(test::find(tc4_slow_verdicts(f, {}), "slow_clock_power_law")->pass);
}

TEST(Tc4SingularValues, SmallestShrinkingFastestPassesAndTheReverseFails) {
  std::vector<double> step;
  std::vector<std::vector<double>> sv(3);
  for (int t = 0; t <= 1000; t += 10) {
    step.push_back(t);
    sv[0].push_back(9 * std::exp(-1e-5 * t));
    sv[1].push_back(5 * std::exp(-2e-5 * t));
    sv[2].push_back(1 * std::exp(-1e-3 * t));
  }
  const auto rates = relative_decay_rates(step, sv, 100);
  ASSERT_EQ(rates.size(), 3u);
  EXPECT_NEAR(rates[2], 1e-3, 1e-12);
  const auto ok = tc4_slow_verdicts(SlowClockFit{}, rates);
  EXPECT_TRUE(test::find(ok, "small_sv_shrink_fastest")->pass);
  EXPECT_EQ(test::find(ok, "small_sv_shrink_fastest")->value, 1.0);
  const auto bad = tc4_slow_verdicts(SlowClockFit{}, {1e-3, 2e-5, 1e-5});
  EXPECT_FALSE(test::find(bad, "small_sv_shrink_fastest")->pass);
  EXPECT_EQ(test::find(bad, "small_sv_shrink_fastest")->value, 0.0);
  EXPECT_FALSE(test::find(tc4_slow_verdicts(SlowClockFit{}, {}), "small_sv_shrink_fastest")->pass);
}

}  // namespace
}  // namespace grokscope::reproduce
