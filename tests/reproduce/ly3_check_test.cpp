// LY-3's weight-decay verdicts on synthetic sweeps: a sweep shaped as Lyu's Fig. 2c (transition ~ 1/wd, the largest
// weight decays collapse) passes every verdict; a flat transition, a collapse below a fitting run, no collapse at
// all, too few fitting runs or a run that never crosses each fail the verdict they concern.
#include <gtest/gtest.h>

#include <cmath>

#include "grokscope/reproduce/checks.h"
#include "verdict_helpers.h"

namespace gr = grokscope::reproduce;
using grokscope::reproduce::test::all_pass;
using grokscope::reproduce::test::find;

namespace {

// Six weight decays 2e-4 ... 6.4e-3; the runs up to `last_fitting` fit at 2000 steps with test accuracy 0.01 there
// and cross at 80 000 (wd / 2e-4)^exponent steps; the larger weight decays collapse (best train accuracy 0.03).
std::vector<gr::WeightDecayRun> sweep(double exponent, double last_fitting = 1.6e-3) {
  std::vector<gr::WeightDecayRun> runs;
  for (double wd : {2e-4, 4e-4, 8e-4, 1.6e-3, 3.2e-3, 6.4e-3}) {
    gr::WeightDecayRun r;
    r.wd = wd;
    if (wd <= last_fitting * 1.0001) {
      r.best_acc_train = 1.0;
      r.t_fit = 2000;
      r.acc_test_at_fit = 0.01;
      r.t_transition = 80000 * std::pow(wd / 2e-4, exponent);
    } else {
      r.best_acc_train = 0.03;
    }
    runs.push_back(r);
  }
  return runs;
}

bool passes(const std::vector<gr::Verdict>& v, const std::string& name) {
  const gr::Verdict* x = find(v, name);
  return x && x->pass;
}

}  // namespace

TEST(LyuWeightDecay, LyusLawPassesEveryVerdict) {
  const auto v = gr::weight_decay_verdicts(sweep(-1.0), {});
  EXPECT_TRUE(all_pass(v));
  EXPECT_NEAR(find(v, "t_transition_exponent")->value, -1.0, 1e-9);
  EXPECT_DOUBLE_EQ(find(v, "collapse_threshold")->value, 3.2e-3);
  // the fitting runs are judged one by one; collapsed runs are not asked to fit
  EXPECT_NE(find(v, "fits wd=0.0016"), nullptr);
  EXPECT_EQ(find(v, "fits wd=0.0032"), nullptr);
}

TEST(LyuWeightDecay, ASlowDependenceFailsTheExponentOnly) {
  const auto v = gr::weight_decay_verdicts(sweep(-0.17), {});   // the old quick scale's 4e-4 -> 8e-4 ratio
  EXPECT_FALSE(passes(v, "t_transition_exponent"));
  EXPECT_NEAR(find(v, "t_transition_exponent")->value, -0.17, 1e-9);
  EXPECT_TRUE(passes(v, "earlier_for_larger_wd"));
  EXPECT_TRUE(passes(v, "collapse_threshold"));
}

TEST(LyuWeightDecay, ALaterTransitionForLargerWdFailsTheOrder) {
  auto runs = sweep(-1.0);
  runs[2].t_transition = runs[1].t_transition * 1.1;
  EXPECT_FALSE(passes(gr::weight_decay_verdicts(runs, {}), "earlier_for_larger_wd"));
}

TEST(LyuWeightDecay, NoCollapseOrANonMonotoneCollapseFailsTheThreshold) {
  EXPECT_FALSE(passes(gr::weight_decay_verdicts(sweep(-1.0, 1.0), {}), "collapse_threshold"));
  auto runs = sweep(-1.0);
  runs[1].best_acc_train = 0.05;   // wd 4e-4 collapses while 8e-4 fits
  EXPECT_FALSE(passes(gr::weight_decay_verdicts(runs, {}), "collapse_threshold"));
}

TEST(LyuWeightDecay, FewerThanThreeFittingRunsJudgeNoLaw) {
  const auto v = gr::weight_decay_verdicts(sweep(-1.0, 4e-4), {});
  EXPECT_FALSE(passes(v, "earlier_for_larger_wd"));
  EXPECT_FALSE(passes(v, "t_transition_exponent"));
  EXPECT_TRUE(passes(v, "collapse_threshold"));
}

TEST(LyuWeightDecay, ARunThatNeverCrossesFailsOrderAndExponent) {
  auto runs = sweep(-1.0);
  runs[0].t_transition = std::nan("");
  const auto v = gr::weight_decay_verdicts(runs, {});
  EXPECT_FALSE(passes(v, "earlier_for_larger_wd"));
  EXPECT_FALSE(passes(v, "t_transition_exponent"));
  EXPECT_FALSE(passes(v, "transition_after_fit wd=0.0002"));
}

TEST(LyuWeightDecay, MemorizingRunsAreJudgedAtTheirFit) {
  auto runs = sweep(-1.0);
  runs[0].acc_test_at_fit = 0.5;
  runs[1].t_fit = std::nan("");
  const auto v = gr::weight_decay_verdicts(runs, {});
  EXPECT_FALSE(passes(v, "memorizes_first wd=0.0002"));
  EXPECT_FALSE(passes(v, "fits wd=0.0004"));
  EXPECT_TRUE(passes(v, "fits wd=0.0002"));
}
