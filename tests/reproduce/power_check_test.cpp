// PW-1's and PW-2's verdicts (Power et al. 2022, Fig. 1) on synthetic series: a curve shaped as Fig. 1 (train fitted
// at 10^3, validation at chance until 10^5, 99% near 10^6) and a fraction sweep shaped as Fig. 1 centre pass every
// verdict; a validation curve that rises with the fit, one that never reaches 99%, a reversal between two fractions,
// a flat sweep, a growing fit time or too few fractions each fail the verdict they concern, and a fraction above the
// budget counts as +infinity, not as missing.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "grokscope/reproduce/checks.h"
#include "verdict_helpers.h"

namespace gr = grokscope::reproduce;
using grokscope::reproduce::test::all_pass;
using grokscope::reproduce::test::find;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool passes(const std::vector<gr::Verdict>& v, const std::string& name) {
  const gr::Verdict* x = find(v, name);
  return x && x->pass;
}

// Evaluations at 20 per decade up to 10^6; train accuracy a logistic in log10(step) centred at `fit_at`, validation
// accuracy chance until a logistic centred at `gen_at` lifts it to 1.
gr::PowerDelaySeries fig1(double fit_at, double gen_at, double chance = 1.0 / 97) {
  gr::PowerDelaySeries s;
  s.chance = chance;
  for (int k = 0; k <= 120; ++k) {
    const double step = k == 0 ? 0.0 : std::round(std::pow(10.0, k / 20.0));
    const double x = std::log10(std::max(step, 1.0));
    s.step.push_back(step);
    s.acc_train.push_back(1.0 / (1.0 + std::exp(-12.0 * (x - std::log10(fit_at)))));
    const double rise = 1.0 / (1.0 + std::exp(-12.0 * (x - std::log10(gen_at))));
    s.acc_test.push_back(std::min(1.0, chance + (1.0 - chance) * rise * 1.02));
  }
  return s;
}

gr::PowerDelayLimits paper_limits() {
  gr::PowerDelayLimits l;
  l.min_onset_ratio = 30;
  l.min_gen_ratio = 300;
  return l;
}

}  // namespace

TEST(PowerDelay, Figure1PassesEveryVerdict) {
  const auto s = fig1(300, 3e5);
  const auto v = gr::power_delay_verdicts(s, paper_limits());
  EXPECT_TRUE(all_pass(v));
  EXPECT_EQ(v.size(), 5u);
  const gr::PowerDelayTimes t = gr::power_delay_times(s, paper_limits());
  EXPECT_GT(t.t_fit, 300);
  EXPECT_LT(t.t_fit, 1000);      // train accuracy 99% ~ 1.5 decades of the logistic above its centre
  EXPECT_GT(t.t_gen, 3e5);
  EXPECT_LT(t.acc_test_at_fit, 0.02);
}

TEST(PowerDelay, ValidationRisingWithTheFitFailsThePlateauAndTheDelay) {
  const auto v = gr::power_delay_verdicts(fig1(300, 600), paper_limits());
  EXPECT_TRUE(passes(v, "train_fits"));
  EXPECT_TRUE(passes(v, "validation_generalizes"));
  EXPECT_FALSE(passes(v, "validation_plateau"));
  EXPECT_FALSE(passes(v, "generalization_delay"));
  EXPECT_FALSE(passes(v, "validation_low_at_fit"));
}

TEST(PowerDelay, NoGeneralizationWithinTheBudgetFails) {
  const auto v = gr::power_delay_verdicts(fig1(300, 1e8), paper_limits());
  EXPECT_TRUE(passes(v, "train_fits"));
  EXPECT_TRUE(passes(v, "validation_plateau"));   // never rising: the plateau lasts to the end at least
  EXPECT_FALSE(passes(v, "validation_generalizes"));
  EXPECT_FALSE(passes(v, "generalization_delay"));
}

TEST(PowerDelay, AQuickScaleDecadePassesItsOwnLimitsOnly) {
  const auto s = fig1(300, 2e4);
  EXPECT_TRUE(all_pass(gr::power_delay_verdicts(s, gr::PowerDelayLimits{})));   // one decade
  EXPECT_FALSE(all_pass(gr::power_delay_verdicts(s, paper_limits())));
}

TEST(PowerDelay, NoFitFailsEveryRatio) {
  auto s = fig1(300, 3e5);
  for (auto& a : s.acc_train) a = std::min(a, 0.9);
  const auto v = gr::power_delay_verdicts(s, paper_limits());
  EXPECT_FALSE(passes(v, "train_fits"));
  EXPECT_FALSE(passes(v, "validation_low_at_fit"));
  EXPECT_FALSE(passes(v, "generalization_delay"));
}

namespace {

// Fractions 0.3 ... 0.8, three seeds each; steps to 99% validation 1000 * (0.8 / f)^k (seed s adds s%), to 99%
// train 500 * (0.8 / f)^0.5.
std::vector<gr::FractionRun> sweep(double k, double budget = 1e5) {
  std::vector<gr::FractionRun> runs;
  for (double f : {0.3, 0.4, 0.5, 0.6, 0.8})
    for (int seed = 0; seed < 3; ++seed) {
      gr::FractionRun r;
      r.fraction = f;
      r.budget = budget;
      r.t_fit = 500 * std::pow(0.8 / f, 0.5);
      const double t = 1000 * std::pow(0.8 / f, k) * (1 + 0.01 * seed);
      r.t_gen = t <= budget ? t : kNaN;
      runs.push_back(r);
    }
  return runs;
}

}  // namespace

TEST(PowerFraction, SteepGrowthPassesEveryVerdict) {
  const auto runs = sweep(4.0);
  const auto v = gr::power_fraction_verdicts(runs, 10, 10);
  EXPECT_TRUE(all_pass(v));
  EXPECT_NEAR(find(v, "steep_rise")->value, std::pow(0.8 / 0.3, 4.0), 1e-9);
  const auto cells = gr::fraction_cells(runs);
  ASSERT_EQ(cells.size(), 5u);
  EXPECT_DOUBLE_EQ(cells[0].fraction, 0.3);
  EXPECT_NEAR(cells[4].t_gen, 1000 * 1.01, 1e-9);   // the median seed
  EXPECT_EQ(cells[0].generalized, 3);
}

TEST(PowerFraction, AFractionAboveTheBudgetCountsAsInfinity) {
  const auto runs = sweep(8.0, 1e5);   // 0.3: 1000 * 2.67^8 = 2.6e6 > budget; 0.4: 2.6e5 > budget
  const auto cells = gr::fraction_cells(runs);
  EXPECT_TRUE(std::isinf(cells[0].t_gen));
  EXPECT_EQ(cells[0].generalized, 0);
  const auto v = gr::power_fraction_verdicts(runs, 10, 10);
  EXPECT_TRUE(all_pass(v));
  EXPECT_NEAR(find(v, "steep_rise")->value, 1e5 / (1000 * 1.01), 1e-9);   // a lower bound: 99
  // the bound is below min_rise: unknown, so it fails
  EXPECT_FALSE(passes(gr::power_fraction_verdicts(runs, 100, 10), "steep_rise"));
}

TEST(PowerFraction, OneSeedAboveTheBudgetOfThreeLeavesTheMedianFinite) {
  auto runs = sweep(4.0);
  runs[0].t_gen = kNaN;   // fraction 0.3, seed 0
  const auto cells = gr::fraction_cells(runs);
  EXPECT_TRUE(std::isfinite(cells[0].t_gen));
  EXPECT_EQ(cells[0].generalized, 2);
  runs[1].t_gen = kNaN;   // two of three above the budget: the median is too
  EXPECT_TRUE(std::isinf(gr::fraction_cells(runs)[0].t_gen));
}

TEST(PowerFraction, AReversalFailsTheOrder) {
  auto runs = sweep(4.0);
  for (auto& r : runs)
    if (r.fraction == 0.6) r.t_gen = 1000 * std::pow(0.8 / 0.5, 4.0) * 1.1;   // 0.6 later than 0.5
  const auto v = gr::power_fraction_verdicts(runs, 10, 10);
  EXPECT_FALSE(passes(v, "later_for_smaller_fraction"));
  EXPECT_TRUE(passes(v, "steep_rise"));
  // a finite median at a smaller fraction than one above the budget is a reversal too
  runs = sweep(4.0);
  for (auto& r : runs)
    if (r.fraction == 0.5) r.t_gen = kNaN;
  EXPECT_FALSE(passes(gr::power_fraction_verdicts(runs, 10, 10), "later_for_smaller_fraction"));
}

TEST(PowerFraction, AFlatSweepFailsTheRise) {
  const auto v = gr::power_fraction_verdicts(sweep(0.5), 10, 10);
  EXPECT_TRUE(passes(v, "later_for_smaller_fraction"));
  EXPECT_FALSE(passes(v, "steep_rise"));
  EXPECT_NEAR(find(v, "steep_rise")->value, std::pow(0.8 / 0.3, 0.5), 1e-9);
}

TEST(PowerFraction, NothingGeneralizingFailsEverything) {
  const auto v = gr::power_fraction_verdicts(sweep(4.0, 100), 10, 10);
  EXPECT_FALSE(passes(v, "generalizes_at_largest_fraction"));
  EXPECT_FALSE(passes(v, "later_for_smaller_fraction"));
  EXPECT_FALSE(passes(v, "steep_rise"));
}

TEST(PowerFraction, AFitTimeGrowingLikeTheValidationFailsTheFitSpread) {
  auto runs = sweep(4.0);
  for (auto& r : runs) r.t_fit = r.t_gen / 2;
  const auto v = gr::power_fraction_verdicts(runs, 10, 10);
  EXPECT_FALSE(passes(v, "train_fit_within_a_decade"));
  EXPECT_TRUE(passes(v, "steep_rise"));
}

TEST(PowerFraction, FewerThanThreeFractionsJudgeNothing) {
  std::vector<gr::FractionRun> runs;
  for (const auto& r : sweep(4.0))
    if (r.fraction >= 0.6) runs.push_back(r);
  const auto v = gr::power_fraction_verdicts(runs, 10, 10);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_FALSE(v[0].pass);
}
