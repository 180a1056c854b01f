// The OG-3 check's core on synthetic series: an unconstrained run whose norm rises and then falls below its initial
// value before a late jump in test accuracy, and a constrained run with a held norm that generalizes with the fit,
// pass; a constrained run with a delay, a drifting norm, an unconstrained run that generalizes above its initial norm
// or without delay each fail the verdict concerned; missing runs fail.
#include <gtest/gtest.h>

#include "grokscope/reproduce/checks.h"
#include "verdict_helpers.h"

namespace gr = grokscope::reproduce;
using grokscope::reproduce::test::all_pass;
using grokscope::reproduce::test::find;

namespace {

// Steps 0, 100, ..., 20000; train accuracy 1 from t_fit; test accuracy 1 from t_gen (0.1 before); norm n0 scaled by
// a bump of height `rise` peaking at 3000 and falling linearly to `end_ratio` n0 at 20000.
gr::Og3Series series(double t_fit, double t_gen, double rise, double end_ratio) {
  gr::Og3Series s;
  for (double t = 0; t <= 20000; t += 100) {
    s.step.push_back(t);
    s.acc_train.push_back(t >= t_fit ? 1.0 : 0.5);
    s.acc_test.push_back(t >= t_gen ? 1.0 : 0.1);
    const double up = t <= 3000 ? 1 + rise * t / 3000 : 1 + rise + (end_ratio - 1 - rise) * (t - 3000) / 17000;
    s.norm.push_back(30 * up);
  }
  return s;
}

bool passes(const std::vector<gr::Verdict>& v, const std::string& name) {
  const gr::Verdict* x = find(v, name);
  return x && x->pass;
}

}  // namespace

TEST(Og3Check, OmnigroksPicturePasses) {
  const auto v = gr::og3_verdicts(series(400, 15000, 0.2, 0.8), series(800, 1300, 0, 1), {});
  EXPECT_TRUE(all_pass(v));
  EXPECT_EQ(v.size(), 5u);
  EXPECT_NEAR(find(v, "fixed_no_delay")->value, 1300.0 / 800.0, 1e-12);
}

TEST(Og3Check, EachFailureFailsItsVerdict) {
  const gr::Og3Limits lim;
  // The constrained run generalizes late.
  EXPECT_FALSE(passes(gr::og3_verdicts(series(400, 15000, 0.2, 0.8), series(800, 9000, 0, 1), lim), "fixed_no_delay"));
  // Its norm drifts.
  auto drifting = series(800, 1300, 0, 1);
  drifting.norm.back() *= 1.001;
  EXPECT_FALSE(passes(gr::og3_verdicts(series(400, 15000, 0.2, 0.8), drifting, lim), "norm_held"));
  // The unconstrained run generalizes while its norm is still above the initial value.
  EXPECT_FALSE(passes(gr::og3_verdicts(series(400, 5000, 0.2, 0.8), series(800, 1300, 0, 1), lim),
                      "norm_below_init_at_generalization"));
  // Its norm never rises.
  EXPECT_FALSE(passes(gr::og3_verdicts(series(400, 15000, 0.0, 0.8), series(800, 1300, 0, 1), lim), "norm_rises"));
  // No delay without the constraint.
  EXPECT_FALSE(passes(gr::og3_verdicts(series(400, 1000, 0.2, 0.8), series(800, 1300, 0, 1), lim), "free_delay"));
}

TEST(Og3Check, MissingRunsOrClocksFail) {
  const auto none = gr::og3_verdicts({}, {}, {});
  ASSERT_FALSE(none.empty());
  for (const auto& x : none) EXPECT_FALSE(x.pass) << x.name;
  // The constrained run never reaches the level.
  EXPECT_FALSE(passes(gr::og3_verdicts(series(400, 15000, 0.2, 0.8), series(800, 1e9, 0, 1), {}), "fixed_no_delay"));
}
