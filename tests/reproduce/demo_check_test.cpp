// The DEMO check's core on synthetic IPR series: a rise from the random level after the fit, inside the
// generalization window, passes; a rise done before the fit, one after t_gen, or too small a rise fails the verdict
// it concerns.
#include <gtest/gtest.h>

#include <cmath>

#include "grokscope/reproduce/checks.h"
#include "verdict_helpers.h"

namespace gr = grokscope::reproduce;
using grokscope::reproduce::test::all_pass;
using grokscope::reproduce::test::find;

namespace {

// Evaluations at 0, 100, ..., 20000; IPR = lo before `start`, then a logistic rise to hi centred at `mid`.
void series(double start, double mid, double lo, double hi, std::vector<double>& step, std::vector<double>& ipr) {
  step.clear();
  ipr.clear();
  for (double s = 0; s <= 20000; s += 100) {
    step.push_back(s);
    ipr.push_back(s < start ? lo : lo + (hi - lo) / (1 + std::exp(-(s - mid) / 800)));
  }
}

bool passes(const std::vector<gr::Verdict>& v, const std::string& name) {
  const gr::Verdict* x = find(v, name);
  return x && x->pass;
}

}  // namespace

TEST(DemoConcentration, ARiseInsideTheGeneralizationWindowPasses) {
  std::vector<double> step, ipr;
  series(600, 6000, 0.04, 0.6, step, ipr);
  const auto v = gr::concentration_verdicts(step, ipr, 600, 13000, 3.0, 0.3);
  EXPECT_TRUE(all_pass(v));
  EXPECT_GT(find(v, "neuron_ipr_rises")->value, 10.0);
}

TEST(DemoConcentration, EarlyLateOrSmallRisesFail) {
  std::vector<double> step, ipr;
  series(0, 300, 0.04, 0.6, step, ipr);   // done before the fit at 2000
  EXPECT_FALSE(passes(gr::concentration_verdicts(step, ipr, 2000, 13000, 3.0, 0.3), "rise_after_fit"));
  EXPECT_FALSE(passes(gr::concentration_verdicts(step, ipr, 2000, 13000, 3.0, 0.3), "neuron_ipr_rises"));
  series(600, 16000, 0.04, 0.6, step, ipr);   // mostly after t_gen
  EXPECT_FALSE(passes(gr::concentration_verdicts(step, ipr, 600, 13000, 3.0, 0.3), "rise_midpoint_in_window"));
  series(600, 6000, 0.04, 0.08, step, ipr);   // twofold only
  EXPECT_FALSE(passes(gr::concentration_verdicts(step, ipr, 600, 13000, 3.0, 0.3), "neuron_ipr_rises"));
}

TEST(DemoConcentration, MissingClocksOrColumnFailAsMissing) {
  std::vector<double> step, ipr;
  series(600, 6000, 0.04, 0.6, step, ipr);
  const auto v = gr::concentration_verdicts(step, ipr, 600, std::nan(""), 3.0, 0.3);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_FALSE(v[0].pass);
  EXPECT_FALSE(gr::concentration_verdicts({}, {}, 600, 13000, 3.0, 0.3)[0].pass);
}
