// The NA-1 and NA-2 checks' cores on synthetic series: Nanda's three phases (fit, then the restricted loss falls and
// the excluded loss rises before the test loss falls, a few keys, a rising Gini) pass; each verdict fails when its
// phase is missing or in the wrong order. NA-2: a no-weight-decay run that never generalizes, a grokking reference and
// a large-fraction run that generalizes at once pass; the opposite outcomes fail.
#include <gtest/gtest.h>

#include <cmath>

#include "grokscope/reproduce/checks_nanda.h"
#include "verdict_helpers.h"

namespace gr = grokscope::reproduce;
using grokscope::reproduce::test::all_pass;
using grokscope::reproduce::test::find;

namespace {

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// Evaluations every 100 steps to 20000: fit at 1000, restricted loss falls around `r_mid`, test loss around `t_mid`,
// excluded loss rises from the train level at 1000 to 3 by 6000 and the Gini rises from 0.1 to 0.8 around `t_mid`.
gr::Na1Series phases(double r_mid, double t_mid, double keys, double excluded_top = 3.0) {
  gr::Na1Series s;
  s.t_fit = 1000;
  s.t_gen = t_mid + 500;
  for (double t = 0; t <= 20000; t += 100) {
    s.step.push_back(t);
    s.loss_train.push_back(t < 1000 ? 4.0 - 3.99 * t / 1000 : 0.01);
    s.loss_test.push_back(0.001 + 6.0 * (1 - sigmoid((t - t_mid) / 300)));
    s.loss_restricted.push_back(0.001 + 4.0 * (1 - sigmoid((t - r_mid) / 300)));
    s.loss_excluded.push_back(t <= 1000 ? 0.01 : 0.01 + (excluded_top - 0.01) * std::min(1.0, (t - 1000) / 5000));
    s.keys_wl.push_back(t < r_mid ? 0 : keys);
    s.gini_we.push_back(0.1 + 0.7 * sigmoid((t - t_mid) / 300));
    s.gini_wl.push_back(0.1 + 0.7 * sigmoid((t - t_mid) / 300));
  }
  return s;
}

bool passes(const std::vector<gr::Verdict>& v, const std::string& name) {
  const gr::Verdict* x = find(v, name);
  return x && x->pass;
}

}  // namespace

TEST(Na1Check, NandasThreePhasesPass) {
  const auto v = gr::na1_verdicts(phases(5000, 9000, 5), gr::Na1Params{});
  EXPECT_TRUE(all_pass(v));
  EXPECT_EQ(v.size(), 6u);
  EXPECT_NEAR(find(v, "excluded_rises")->value, 300.0, 1e-9);   // 3 / 0.01
  EXPECT_NEAR(find(v, "key_count")->value, 5.0, 0.0);
}

TEST(Na1Check, EachVerdictFailsWithoutItsPhase) {
  const gr::Na1Params p;
  // The restricted loss falls after the test loss.
  EXPECT_FALSE(passes(gr::na1_verdicts(phases(12000, 9000, 5), p), "restricted_before_test"));
  // No excluded-loss rise.
  EXPECT_FALSE(passes(gr::na1_verdicts(phases(5000, 9000, 5, 0.05), p), "excluded_rises"));
  // Too many or too few keys.
  EXPECT_FALSE(passes(gr::na1_verdicts(phases(5000, 9000, 12), p), "key_count"));
  EXPECT_FALSE(passes(gr::na1_verdicts(phases(5000, 9000, 1), p), "key_count"));
  // Generalization right after the fit.
  EXPECT_FALSE(passes(gr::na1_verdicts(phases(1000, 1200, 5), p), "fits_first"));
  // A flat Gini.
  gr::Na1Series flat = phases(5000, 9000, 5);
  for (double& g : flat.gini_we) g = 0.1;
  EXPECT_FALSE(passes(gr::na1_verdicts(flat, p), "gini_rises_we"));
  EXPECT_TRUE(passes(gr::na1_verdicts(flat, p), "gini_rises_wl"));
  // No generalization at all: the clock-based verdicts are missing (failures), not passes.
  gr::Na1Series never = phases(5000, 9000, 5);
  never.t_gen = std::nan("");
  const auto v = gr::na1_verdicts(never, p);
  EXPECT_FALSE(passes(v, "fits_first"));
  EXPECT_FALSE(passes(v, "excluded_rises"));
}

TEST(Na2Check, NoWeightDecayStallsAndALargeFractionIsImmediate) {
  const gr::Na2Params p;
  std::vector<gr::Na2Run> runs = {
      {"wd=0, frac=0.4", 0.0, 0.4, 300, std::nan(""), 0.05, 5000},
      {"wd=1, frac=0.4", 1.0, 0.4, 300, 2400, 1.0, 5000},
      {"wd=1, frac=0.8", 1.0, 0.8, 400, 500, 1.0, 5000},
      {"wd=0, frac=0.8", 0.0, 0.8, 400, 2000, 1.0, 5000},   // reported, not judged
  };
  auto v = gr::na2_verdicts(runs, p);
  EXPECT_TRUE(all_pass(v));
  EXPECT_EQ(v.size(), 3u);
  runs[0].t_gen = 4000;   // grokking without weight decay
  runs[2].t_gen = 2000;   // a delayed large-fraction run
  runs[1].t_gen = std::nan("");   // the reference never generalizes
  v = gr::na2_verdicts(runs, p);
  EXPECT_FALSE(passes(v, "no_wd_no_grokking"));
  EXPECT_FALSE(passes(v, "large_fraction_immediate"));
  EXPECT_FALSE(passes(v, "wd_groks"));
  // A grid without one of the three kinds reports it missing.
  v = gr::na2_verdicts({runs[1]}, p);
  EXPECT_FALSE(passes(v, "no_wd_no_grokking"));
  EXPECT_FALSE(passes(v, "large_fraction_immediate"));
}
