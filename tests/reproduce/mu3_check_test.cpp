// Verdict logic of the MU-3 check (mu3_verdicts) on synthetic series: |cos| = C dist on a smooth approach passes every
// verdict, and each prediction is broken by a series made to break it; the C = 0 and singular-point cases likewise.
#include <gtest/gtest.h>

#include <cmath>

#include "grokscope/reproduce/checks.h"
#include "verdict_helpers.h"

namespace gr = grokscope::reproduce;

namespace {

using grokscope::reproduce::test::all_pass;
using grokscope::reproduce::test::find;

// dist falling geometrically from 1 to 1e-15; |cos| = cos_of(dist); C(proj) = c_pred; no singular point.
template <class F>
gr::Mu3Series approach(F cos_of, double c_pred, double dist_sing = NAN) {
  gr::Mu3Series s;
  s.label = "toy";
  for (int t = 0; t <= 350; ++t) {
    const double d = std::pow(10.0, -t / 23.0);
    s.step.push_back(t);
    s.dist.push_back(d);
    s.cos.push_back(std::min(1.0, cos_of(d)));
    s.c_pred.push_back(c_pred);
    s.dist_sing.push_back(dist_sing);
  }
  return s;
}

TEST(Mu3Verdicts, LinearApproachPassesEveryVerdict) {
  // |cos| = C d + C² d² (the O(d²) correction of a smooth Z).
  const auto v = gr::mu3_verdicts({approach([](double d) { return 0.4 * d + 0.16 * d * d; }, 0.4)}, {});
  EXPECT_TRUE(all_pass(v));
  EXPECT_EQ(v.size(), 4u);
  ASSERT_NE(find(v, "slope_c"), nullptr);
  EXPECT_NEAR(find(v, "slope_c")->value, 0.4, 0.4 * 1e-2);
}

TEST(Mu3Verdicts, SquareRootLawFailsLinearityAndExponent) {
  const auto v = gr::mu3_verdicts({approach([](double d) { return 0.04 * std::sqrt(d); }, 0.4)}, {});
  EXPECT_FALSE(find(v, "power_one")->pass);
  EXPECT_FALSE(find(v, "through_zero")->pass);
  EXPECT_FALSE(find(v, "slope_c")->pass);
}

TEST(Mu3Verdicts, OffsetFailsThroughZeroAndScatterFailsLinear) {
  const auto offset = gr::mu3_verdicts({approach([](double d) { return 0.4 * d + 1e-4; }, 0.4)}, {});
  EXPECT_FALSE(find(offset, "through_zero")->pass);
  EXPECT_FALSE(find(offset, "power_one")->pass);
  int i = 0;
  const auto scatter = gr::mu3_verdicts(
      {approach([&i](double d) { return 0.4 * d * (++i % 2 ? 0.2 : 1.8); }, 0.4)}, {});
  EXPECT_FALSE(find(scatter, "linear")->pass);
}

TEST(Mu3Verdicts, WrongConstantFailsSlope) {
  const auto v = gr::mu3_verdicts({approach([](double d) { return 0.5 * d; }, 0.4)}, {});
  EXPECT_TRUE(find(v, "linear")->pass);
  EXPECT_TRUE(find(v, "power_one")->pass);
  EXPECT_FALSE(find(v, "slope_c")->pass);
}

TEST(Mu3Verdicts, ZeroConstantNeedsAnExactlyNormalGradient) {
  const auto ok = gr::mu3_verdicts({approach([](double) { return 3e-17; }, 0.0)}, {});
  ASSERT_EQ(ok.size(), 1u);
  EXPECT_EQ(ok[0].name, "normal_gradient toy");
  EXPECT_TRUE(ok[0].pass);
  const auto bad = gr::mu3_verdicts({approach([](double d) { return 1e-3 * d; }, 0.0)}, {});
  EXPECT_FALSE(bad[0].pass);
}

TEST(Mu3Verdicts, SingularEndIsJudgedByItsOwnVerdict) {
  // On the diagonal of (θ1 θ2)²: dist_sing = dist and |cos| = 1/√2 at every distance (no linear bound).
  gr::Mu3Series s = approach([](double) { return std::sqrt(0.5); }, NAN);
  for (size_t i = 0; i < s.dist.size(); ++i) s.dist_sing[i] = s.dist[i], s.c_pred[i] = 1.0 / s.dist[i];
  const auto v = gr::mu3_verdicts({s}, {});
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].name, "singular_no_bound toy");
  EXPECT_TRUE(v[0].pass);
  // A run whose |cos| does fall linearly near the singular point fails it (the prediction that no bound holds).
  gr::Mu3Series lin = approach([](double d) { return 0.4 * d; }, 0.4);
  for (size_t i = 0; i < lin.dist.size(); ++i) lin.dist_sing[i] = lin.dist[i];
  EXPECT_FALSE(gr::mu3_verdicts({lin}, {})[0].pass);
  // A smooth branch far from the singular point (dist_sing = 0.3) is a smooth approach.
  EXPECT_TRUE(all_pass(gr::mu3_verdicts({approach([](double d) { return 3.3 * d; }, 3.3, 0.3)}, {})));
}

TEST(Mu3Verdicts, TooFewRowsInTheWindowIsAFailure) {
  gr::Mu3Series s = approach([](double d) { return 0.4 * d; }, 0.4);
  s.dist.resize(20), s.cos.resize(20), s.c_pred.resize(20), s.dist_sing.resize(20);   // dist >= 0.15 only
  const auto v = gr::mu3_verdicts({s}, {});
  ASSERT_EQ(v.size(), 1u);
  EXPECT_FALSE(v[0].pass);
}

}  // namespace
