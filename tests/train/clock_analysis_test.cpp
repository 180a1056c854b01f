// The post-hoc clock analysis: t_rep from a settling column, its censoring, the clock ratios and the rate fits, on
// synthetic metric rows whose answers are known in closed form.
#include "grokscope/train/clock_analysis.h"

#include <gtest/gtest.h>

#include <cmath>

namespace grokscope {
namespace {

const std::vector<std::string> kColumns = {"step", "time", "loss_train", "srank_E"};

double value(const ClockAnalysis& a, const std::string& key) {
  for (const auto& [k, v] : a.values)
    if (k == key) return v;
  ADD_FAILURE() << "no value " << key;
  return NAN;
}

bool has_value(const ClockAnalysis& a, const std::string& key) {
  for (const auto& [k, v] : a.values)
    if (k == key) return true;
  return false;
}

Clock fired(const std::string& name, int64_t step, double time, double eps = 0.0) {
  Clock c;
  c.name = name;
  c.eps = eps;
  c.fired = true;
  c.step = step;
  c.time = time;
  return c;
}

// Steps 0..100*(n-1), time = step, train loss e^{-0.01 t} after step 100, srank from 10 down to 2 linearly over
// steps 0..1000 and flat afterwards.
std::vector<std::vector<double>> rows(int n) {
  std::vector<std::vector<double>> r;
  for (int i = 0; i < n; ++i) {
    const double t = 100.0 * i;
    const double srank = t <= 1000 ? 10.0 - 8.0 * t / 1000.0 : 2.0;
    r.push_back({t, t, t < 100 ? 5.0 : std::exp(-0.01 * t), srank});
  }
  return r;
}

TEST(ClockAnalysis, RepClockIsFirstEvalFromWhichTheMetricStaysSettled) {
  EvalConfig cfg;
  cfg.rep_eta = 0.1;
  const std::vector<Clock> clocks = {fired("t_fit", 100, 100), fired("t_gen", 800, 800),
                                     fired("t_cls", 200, 200, 0.1)};
  const ClockAnalysis a = analyze_clocks(cfg, kColumns, rows(21), clocks);
  EXPECT_EQ(a.rep_metric, "srank_E");   // default: the embedding's stable rank
  ASSERT_TRUE(a.t_rep.fired) << a.t_rep.reason;
  // S = |srank - 2| / 8 <= 0.1 from srank <= 2.8, i.e. t >= 900.
  EXPECT_EQ(a.t_rep.step, 900);
  EXPECT_EQ(a.t_rep.bracket_lo, 800);
  EXPECT_DOUBLE_EQ(a.t_rep.time, 900.0);
  EXPECT_DOUBLE_EQ(value(a, "ratios.rep_over_fit"), 9.0);
  EXPECT_DOUBLE_EQ(value(a, "ratios.rep_over_cls_0.1"), 4.5);
  // Fast clock: log loss = -0.01 t exactly over [t_fit, lowest loss].
  EXPECT_NEAR(value(a, "fast_clock.nu"), 0.01, 1e-12);
  EXPECT_NEAR(value(a, "fast_clock.r2"), 1.0, 1e-12);
  EXPECT_DOUBLE_EQ(value(a, "fast_clock.t_lo"), 100.0);
  EXPECT_DOUBLE_EQ(value(a, "fast_clock.t_hi"), 2000.0);
  EXPECT_TRUE(has_value(a, "slow_clock.exponent"));
}

TEST(ClockAnalysis, ARelapseResetsTheRepClock) {
  EvalConfig cfg;
  auto r = rows(21);
  r[12][3] = 9.0;   // the metric jumps away at step 1200 and comes back: t_rep is after the relapse
  const ClockAnalysis a = analyze_clocks(cfg, kColumns, r, {fired("t_fit", 100, 100)});
  ASSERT_TRUE(a.t_rep.fired) << a.t_rep.reason;
  EXPECT_EQ(a.t_rep.step, 1300);
}

TEST(ClockAnalysis, StillMovingAtTheEndIsCensored) {
  EvalConfig cfg;
  const ClockAnalysis a = analyze_clocks(cfg, kColumns, rows(10), {fired("t_fit", 100, 100)});   // ends at 900
  EXPECT_FALSE(a.t_rep.fired);
  EXPECT_NE(a.t_rep.reason.find("still moving"), std::string::npos) << a.t_rep.reason;
  EXPECT_FALSE(has_value(a, "ratios.rep_over_fit"));
  EXPECT_FALSE(has_value(a, "slow_clock.exponent"));
}

TEST(ClockAnalysis, MissingOrConstantMetricGivesAReason) {
  EvalConfig cfg;
  cfg.rep_metric = "s_rule";
  ClockAnalysis a = analyze_clocks(cfg, kColumns, rows(21), {});
  EXPECT_FALSE(a.t_rep.fired);
  EXPECT_NE(a.t_rep.reason.find("eval.rep_metric = \"s_rule\""), std::string::npos) << a.t_rep.reason;

  cfg.rep_metric = "";
  a = analyze_clocks(cfg, {"step", "time", "loss_train"}, {{0, 0, 1}, {1, 1, 1}, {2, 2, 1}}, {});
  EXPECT_FALSE(a.t_rep.fired);
  EXPECT_NE(a.t_rep.reason.find("no representation metric"), std::string::npos) << a.t_rep.reason;

  cfg.rep_metric = "loss_train";   // constant
  a = analyze_clocks(cfg, {"step", "time", "loss_train"}, {{0, 0, 1}, {1, 1, 1}, {2, 2, 1}, {3, 3, 1}}, {});
  EXPECT_FALSE(a.t_rep.fired);
  EXPECT_NE(a.t_rep.reason.find("constant"), std::string::npos) << a.t_rep.reason;
}

TEST(ClockAnalysis, LeadingUndefinedValuesAreSkipped) {
  EvalConfig cfg;
  auto r = rows(21);
  r[0][3] = NAN;   // e.g. |w|_1/|w|_2 of a diagonal net at w = 0
  const ClockAnalysis a = analyze_clocks(cfg, kColumns, r, {fired("t_fit", 100, 100)});
  ASSERT_TRUE(a.t_rep.fired) << a.t_rep.reason;
  // Measured from srank(100) = 9.2: S <= 0.1 from srank <= 2.72, i.e. t >= 910 -> the eval at 1000.
  EXPECT_EQ(a.t_rep.step, 1000);
  r[5][3] = NAN;   // a NaN after the metric was defined is not skipped
  EXPECT_FALSE(analyze_clocks(cfg, kColumns, r, {}).t_rep.fired);
}

TEST(ClockAnalysis, SlowClockRecoversAPowerLaw) {
  // S(t) = (t - 100)^-2 normalized: srank = 2 + 8 * (t - 100 + 1)^-2 with t_fit = 100.
  EvalConfig cfg;
  cfg.rep_eta = 1e-4;
  std::vector<std::vector<double>> r;
  for (int i = 0; i <= 400; ++i) {
    const double t = 100.0 + 10.0 * i;
    r.push_back({t, t, std::exp(-0.01 * t), i == 400 ? 2.0 : 2.0 + 8.0 * std::pow(t - 100.0 + 1.0, -2.0)});
  }
  const ClockAnalysis a = analyze_clocks(cfg, kColumns, r, {fired("t_fit", 100, 100)});
  ASSERT_TRUE(a.t_rep.fired) << a.t_rep.reason;
  // The fit is of log S against log(t - t_fit), so the +1 shift bends it slightly: the exponent is close to -2.
  EXPECT_NEAR(value(a, "slow_clock.exponent"), -2.0, 0.1);
  EXPECT_GT(value(a, "slow_clock.r2"), 0.99);
  EXPECT_NEAR(value(a, "slow_clock.kl_theta"), (1.0 - 1.0 / value(a, "slow_clock.exponent")) / 2.0, 1e-12);
}

}  // namespace
}  // namespace grokscope
