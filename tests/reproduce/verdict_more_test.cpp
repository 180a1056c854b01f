// Verdict logic of the MU-2, TC-3 and MU-5 checks on synthetic series: each passes on the series its theory predicts
// and fails when one prediction is broken.
#include <gtest/gtest.h>

#include <cmath>

#include "grokscope/reproduce/checks.h"
#include "verdict_helpers.h"

namespace gr = grokscope::reproduce;

namespace {

using grokscope::reproduce::test::all_pass;
using grokscope::reproduce::test::find;

// Exact GD on (<w, 1> - N)^2 + coupled weight decay wd, from w0; `bend` adds a sideways kick to every step after 50
// (a path that is not straight), `rate_error` speeds up the off-diagonal decay.
gr::Mu2Series plane_toy(std::vector<double> w, double lr, double wd, int steps, double bend = 0.0,
                        double rate_error = 0.0) {
  gr::Mu2Series s;
  s.label = "toy";
  s.lr = lr;
  s.weight_decay = wd;
  const size_t n = w.size();
  s.w.assign(n, {});
  for (int t = 0; t <= steps; ++t) {
    s.step.push_back(t);
    for (size_t k = 0; k < n; ++k) s.w[k].push_back(w[k]);
    double sum = 0.0;
    for (double v : w) sum += v;
    const double g = 2 * (sum - static_cast<double>(n));
    double mean = 0.0;
    for (size_t k = 0; k < n; ++k) w[k] -= lr * (g + wd * w[k]), mean += w[k] / static_cast<double>(n);
    for (size_t k = 0; k < n; ++k) w[k] = mean + (w[k] - mean) * (1 - rate_error);
    if (t > 50) w[0] += bend, w[1] -= bend;
  }
  return s;
}

}  // namespace

TEST(ReproduceVerdictMore, MusatPlanePassesOnExactGradientDescent) {
  const auto v = gr::mu2_verdicts({plane_toy({-1, 0.5, 1}, 0.1, 0.2, 2000), plane_toy({3, 2, 1.5}, 0.1, 0.2, 2000)},
                                  1e-6, 1e-9, 1e-3, 1e-6, 5);
  EXPECT_TRUE(all_pass(v));
  for (const auto& x : v) EXPECT_TRUE(x.pass) << x.name << ": " << x.measured;
  EXPECT_EQ(v.size(), 10u);
}

TEST(ReproduceVerdictMore, MusatPlaneFailsOnABentPathOrAWrongRate) {
  const auto bent = gr::mu2_verdicts({plane_toy({-1, 0.5, 1}, 0.1, 0.2, 2000, 1e-4)}, 1e-6, 1e-9, 1e-3, 1e-6, 5);
  ASSERT_NE(find(bent, "straight_to_min_norm"), nullptr);
  EXPECT_FALSE(find(bent, "straight_to_min_norm")->pass);
  const auto fast = gr::mu2_verdicts({plane_toy({-1, 0.5, 1}, 0.1, 0.2, 2000, 0.0, 1e-3)}, 1e-6, 1e-9, 1e-3, 1e-6, 5);
  EXPECT_FALSE(find(fast, "decay_rate")->pass);
  EXPECT_FALSE(find(fast, "closed_form")->pass);
  EXPECT_FALSE(all_pass(gr::mu2_verdicts({gr::Mu2Series{}}, 1e-6, 1e-9, 1e-3, 1e-6, 5)));
}

namespace {
// TC-3 series on a log grid: the normalized-GD shape (gap = 1 + nu t, log L = log 3 - gap - 0.1) or the plain-GD
// shape (gap = log t, L = 1/t).
gr::Tc3Series tc3(bool loss_scaled) {
  gr::Tc3Series s;
  s.label = loss_scaled ? "loss_scaled" : "constant";
  s.normalized = loss_scaled;
  s.classes = 4;
  for (double t = 1; t <= 20000; t *= 1.06) {
    const double step = std::round(t);
    if (!s.step.empty() && step == s.step.back()) continue;
    s.step.push_back(step);
    if (loss_scaled) {
      const double gap = -1 + 0.01 * step;
      s.margin.push_back(gap);
      s.log_loss.push_back(std::log(3.0) - gap - 0.1);
    } else {
      s.margin.push_back(std::log(step) - 2);
      s.log_loss.push_back(-std::log(step));
    }
  }
  if (loss_scaled) s.t_cls_01 = 300, s.t_cls_001 = 530, s.t_cls_0001 = 760;
  else s.t_cls_01 = 10, s.t_cls_001 = 100, s.t_cls_0001 = 1000;
  return s;
}
}  // namespace

TEST(ReproduceVerdictMore, FastClockPassesOnTheExpectedShapes) {
  const auto v = gr::tc3_verdicts({tc3(true), tc3(false)}, 0.1, 0.99, 0.1, 0.2, 0.3);
  for (const auto& x : v) EXPECT_TRUE(x.pass) << x.name << ": " << x.measured;
  EXPECT_TRUE(all_pass(v));
}

TEST(ReproduceVerdictMore, FastClockFailsWhenTheShapesAreSwappedOrTheLemmaIsBroken) {
  gr::Tc3Series swapped = tc3(false);
  swapped.normalized = true;   // a 1/t loss does not pass as the log clock
  auto v = gr::tc3_verdicts({swapped}, 0.1, 0.99, 0.1, 0.2, 0.3);
  EXPECT_FALSE(find(v, "log_clock")->pass);
  EXPECT_FALSE(find(v, "uniform_contraction")->pass);
  gr::Tc3Series geometric = tc3(true);
  geometric.normalized = false;   // a geometric loss does not pass as plain GD's 1/t
  v = gr::tc3_verdicts({geometric}, 0.1, 0.99, 0.1, 0.2, 0.3);
  EXPECT_FALSE(find(v, "vanishing_contraction")->pass);
}

TEST(ReproduceVerdictMore, LemmaThreeOneIsASanityLineNotAVerdict) {
  gr::Tc3Series ok = tc3(true), broken = tc3(true);
  for (auto& l : broken.log_loss) l += 1.0;   // above (K - 1) e^{-Gamma}
  EXPECT_LE(gr::lemma_3_1_excess(ok), 0.0);
  EXPECT_NEAR(gr::lemma_3_1_excess(broken), 0.9, 1e-12);
  EXPECT_EQ(find(gr::tc3_verdicts({broken}, 0.1, 0.99, 0.1, 0.2, 0.3), "lemma_3_1"), nullptr);
}

namespace {
const gr::CircleBaseline kRandom{0.035, 0.04, 0.8, 20};   // a random embedding's level = the synthetic start
gr::Mu5Series isolated(double t_jump) {
  gr::Mu5Series s;
  s.label = "seed=0";
  s.chance = 1.0 / 37;
  for (int i = 0; i <= 100; ++i) {
    const double tau = 0.05 * i;
    s.step.push_back(50 * i);
    s.time.push_back(tau);
    s.loss_train.push_back(1e-25);
    s.acc_test.push_back(tau < t_jump - 0.5 ? 0.02 : tau < t_jump ? 0.5 : 1.0);
    s.rho_logdev_key.push_back(0.035 * std::exp(-0.3 * tau));
    s.cos_abs_key.push_back(0.04 * std::exp(-0.3 * tau));
    s.sim_offdiag.push_back(0.8 * std::exp(-0.3 * tau));
  }
  return s;
}
}  // namespace

TEST(ReproduceVerdictMore, IsolatedDynamicsPassAndFail) {
  auto v = gr::mu5_verdicts(isolated(2.2), kRandom, 1e-15, 0.5, 3, 1.0, 3.0, 0.5);
  for (const auto& x : v) EXPECT_TRUE(x.pass) << x.name << ": " << x.measured;
  EXPECT_EQ(v.size(), 6u);
  v = gr::mu5_verdicts(isolated(4.0), kRandom, 1e-15, 0.5, 3, 1.0, 3.0, 0.5);
  EXPECT_FALSE(find(v, "generalizes")->pass);
  auto early = isolated(0.4);
  v = gr::mu5_verdicts(early, kRandom, 1e-15, 0.5, 3, 1.0, 3.0, 0.5);
  EXPECT_FALSE(find(v, "chance_early")->pass);
  auto lossy = isolated(2.2);
  lossy.loss_train[50] = 1e-3;
  v = gr::mu5_verdicts(lossy, kRandom, 1e-15, 0.5, 3, 1.0, 3.0, 0.5);
  EXPECT_FALSE(find(v, "zero_train_loss")->pass);
  // Circles judged against the random level, not the run's own start: a run that starts below the random level and
  // only halves from there still fails when it ends above half the random level.
  auto flat = isolated(2.2);
  for (auto& x : flat.cos_abs_key) x = 0.03;
  v = gr::mu5_verdicts(flat, kRandom, 1e-15, 0.5, 3, 1.0, 3.0, 0.5);
  EXPECT_FALSE(find(v, "circles_orthogonalize")->pass);
  EXPECT_NEAR(find(v, "circles_orthogonalize")->value, 0.75, 1e-12);
  EXPECT_TRUE(find(v, "circles_equalize")->pass);
}

TEST(ReproduceVerdictMore, RandomCircleBaselineIsTheRandomLevel) {
  // p = 37, d = 512 as MU-5: |cos| of two independent 512-vectors is ~ sqrt(2 / (pi 512)) = 0.035; the similarity of
  // element-wise moduli of Gaussian pairs is ~ pi/4 = 0.785.
  const auto b = gr::random_circle_baseline(37, 512, 10, 1);
  EXPECT_EQ(b.draws, 10);
  EXPECT_NEAR(b.cos_abs, 0.035, 0.01);
  EXPECT_NEAR(b.sim_offdiag, 0.785, 0.03);
  EXPECT_GT(b.rho_logdev, 0.01);
  EXPECT_LT(b.rho_logdev, 0.08);
  const auto again = gr::random_circle_baseline(37, 512, 10, 1);
  EXPECT_EQ(b.cos_abs, again.cos_abs);   // deterministic for a seed
}
