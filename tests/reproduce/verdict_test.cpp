// Verdict logic of grokscope reproduce on synthetic series: the helpers, and each check's pure verdict function in a
// passing and a failing case.
#include <gtest/gtest.h>

#include <cmath>

#include "grokscope/reproduce/checks.h"
#include "verdict_helpers.h"
#include "grokscope/reproduce/verdict.h"

namespace gr = grokscope::reproduce;

namespace {

using grokscope::reproduce::test::all_pass;
using grokscope::reproduce::test::find;

// Exact GD of Musat's toy: s = w1 + w2 and d = w1 - w2 with loss (s - 2)^2 and coupled weight decay wd.
gr::Mu1Series toy(double lr, double wd, int steps, double rate_error = 0.0) {
  gr::Mu1Series s;
  s.lr = lr;
  s.weight_decay = wd;
  double w1 = -1, w2 = 1;
  for (int t = 0; t <= steps; ++t) {
    s.step.push_back(t);
    s.w1.push_back(w1);
    s.w2.push_back(w2);
    const double g = 2 * (w1 + w2 - 2);
    const double n1 = w1 - lr * (g + wd * w1), n2 = w2 - lr * (g + wd * w2);
    const double sum = n1 + n2, diff = (n1 - n2) * (1 - rate_error);
    w1 = (sum + diff) / 2;
    w2 = (sum - diff) / 2;
  }
  return s;
}

}  // namespace

TEST(ReproduceVerdict, Helpers) {
  EXPECT_TRUE(gr::within_relative("a", "", 1.05, 1.0, 0.1).pass);
  EXPECT_FALSE(gr::within_relative("a", "", 1.2, 1.0, 0.1).pass);
  EXPECT_FALSE(gr::within_relative("a", "", std::nan(""), 1.0, 0.1).pass);
  EXPECT_TRUE(gr::at_least("a", "", 3, 2).pass);
  EXPECT_FALSE(gr::at_least("a", "", std::nan(""), 2).pass);
  EXPECT_TRUE(gr::at_most("a", "", 1, 2).pass);
  EXPECT_FALSE(gr::missing("a", "", "why").pass);
  const std::vector<double> v = {5, 3, 1, 4, 0.5, 0.2};
  EXPECT_EQ(gr::first_crossing(v, 1, true), 2);
  EXPECT_EQ(gr::settled_crossing(v, 1, true), 4);
  EXPECT_EQ(gr::first_crossing(v, 10, false), -1);
  std::vector<double> t, d;
  for (int i = 0; i < 50; ++i) t.push_back(i), d.push_back(-2 * std::pow(0.97, i));
  EXPECT_NEAR(gr::geometric_rate(t, d), 0.97, 1e-12);
  EXPECT_TRUE(gr::monotone_decreasing({3, 1, 2}, {1, 3, 2}, true));
  EXPECT_FALSE(gr::monotone_decreasing({1, 2, 3}, {3, 3, 1}, true));
}

TEST(ReproduceVerdict, MusatToyPassesOnExactGradientDescent) {
  const std::vector<gr::Mu1Series> s = {toy(0.1, 0.02, 5000), toy(0.1, 0.2, 5000), toy(0.1, 0.4, 5000)};
  const auto v = gr::mu1_verdicts(s, 1e-6, 1e-9, 1e-3, 10);
  EXPECT_EQ(v.size(), 13u);
  for (const auto& x : v) EXPECT_TRUE(x.pass) << x.name << ": " << x.measured;
}

TEST(ReproduceVerdict, MusatToyFailsOnAWrongRateOrOrder) {
  // A 1% faster decay of w1 - w2 than (1 - eta wd): the rate and the closed form fail.
  const auto wrong = gr::mu1_verdicts({toy(0.1, 0.2, 2000, 0.01)}, 1e-6, 1e-9, 1e-3, 10);
  EXPECT_FALSE(find(wrong, "decay_rate")->pass);
  EXPECT_FALSE(find(wrong, "closed_form")->pass);
  // Listed out of order, larger weight decay taking longer cannot happen on real GD; fake it by swapping the wd labels.
  auto a = toy(0.1, 0.02, 5000), b = toy(0.1, 0.4, 5000);
  std::swap(a.weight_decay, b.weight_decay);
  const auto swapped = gr::mu1_verdicts({a, b}, 1e-6, 1e-9, 1e-3, 10);
  EXPECT_FALSE(find(swapped, "slower_for_smaller_lambda")->pass);
  EXPECT_FALSE(all_pass(swapped));
  EXPECT_FALSE(find(gr::mu1_verdicts({gr::Mu1Series{}}, 1e-6, 1e-9, 1e-3, 10), "decay_rate")->pass);
}

TEST(ReproduceVerdict, Grokking) {
  EXPECT_TRUE(all_pass(gr::grokking_verdicts({100, 5000, 0.02, 0.01}, 10, 0.2)));
  EXPECT_FALSE(all_pass(gr::grokking_verdicts({100, 500, 0.02, 0.01}, 10, 0.2)));         // ratio 5 < 10
  EXPECT_FALSE(all_pass(gr::grokking_verdicts({100, 5000, 0.9, 0.01}, 10, 0.2)));          // generalized at fit
  EXPECT_FALSE(all_pass(gr::grokking_verdicts({100, gr::kNaN, 0.02, 0.01}, 10, 0.2)));     // never generalized
}

TEST(ReproduceVerdict, StableRankFallsAfterTheFit) {
  std::vector<double> step, late, early;
  for (int i = 0; i <= 100; ++i) {
    const double s = 10.0 * i;
    step.push_back(s);
    late.push_back(s < 300 ? 30 : 30 - 20 * std::min(1.0, (s - 300) / 400));   // falls in [300, 700]
    early.push_back(s < 300 ? 30 - 20 * s / 300 : 10);                         // falls before t_fit = 300
  }
  const auto ok = gr::srank_verdicts(step, late, 300, 600, 0.3, 0.3, 2.0);
  for (const auto& v : ok) EXPECT_TRUE(v.pass) << v.name << ": " << v.measured;
  const auto bad = gr::srank_verdicts(step, early, 300, 600, 0.3, 0.3, 2.0);
  EXPECT_FALSE(find(bad, "srank_falls")->pass);
  EXPECT_FALSE(find(bad, "late_not_early")->pass);
  EXPECT_FALSE(all_pass(gr::srank_verdicts(step, late, gr::kNaN, 600, 0.3, 0.3, 2.0)));
}

TEST(ReproduceVerdict, AlphaSlope) {
  const std::vector<double> alpha = {2, 4, 8, 16};
  std::vector<double> t;
  for (double a : alpha) t.push_back(1000 + 1e4 * std::log(a));
  EXPECT_TRUE(all_pass(gr::alpha_slope_verdicts(alpha, t, 1.02e4, 0.99, 1e4, 0.25, 0.95)));
  EXPECT_FALSE(find(gr::alpha_slope_verdicts(alpha, t, 2e4, 0.99, 1e4, 0.25, 0.95), "slope")->pass);   // 2x off
  EXPECT_FALSE(find(gr::alpha_slope_verdicts(alpha, t, 1e4, 0.5, 1e4, 0.25, 0.95), "linear")->pass);   // poor fit
  std::vector<double> censored = t;
  censored.back() = gr::kNaN;                                                                            // never fired
  EXPECT_FALSE(find(gr::alpha_slope_verdicts(alpha, censored, 1e4, 0.99, 1e4, 0.25, 0.95), "later")->pass);
  EXPECT_FALSE(find(gr::alpha_slope_verdicts(alpha, t, gr::kNaN, gr::kNaN, 1e4, 0.25, 0.95), "slope")->pass);
}
