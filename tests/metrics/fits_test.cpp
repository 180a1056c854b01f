// Clock fits recover known slopes and exponents from synthetic series; structural clocks and censoring.
#include "grokscope/metrics/fits.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace grokscope::metrics {
namespace {

TEST(Fits, LineIsExactOnLinearData) {
  std::vector<double> x, y;
  for (int i = 0; i < 10; ++i) {
    x.push_back(1e6 + 1000.0 * i);  // step-like abscissae far from 0
    y.push_back(3.0 - 0.5 * x.back());
  }
  const LineFit f = fit_line(x, y);
  ASSERT_TRUE(f.ok);
  EXPECT_NEAR(f.slope, -0.5, 1e-14);
  EXPECT_NEAR(f.intercept, 3.0, 1e-6);
  EXPECT_NEAR(f.r2, 1.0, 1e-14);
  EXPECT_EQ(f.n, 10);
  EXPECT_EQ(f.x_lo, 1e6);
  EXPECT_EQ(f.x_hi, 1e6 + 9000.0);
}

TEST(Fits, R2IsTheSquaredCorrelation) {
  std::mt19937_64 rng(4);
  std::normal_distribution<double> n(0.0, 1.0);
  std::vector<double> x, y;
  for (int i = 0; i < 50; ++i) {
    x.push_back(0.1 * i);
    y.push_back(2.0 * x.back() + n(rng));
  }
  double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;  // one-pass raw sums: a different route
  for (int i = 0; i < 50; ++i) {
    sx += x[i], sy += y[i], sxx += x[i] * x[i], syy += y[i] * y[i], sxy += x[i] * y[i];
  }
  const double cov = sxy - sx * sy / 50, vx = sxx - sx * sx / 50, vy = syy - sy * sy / 50;
  const LineFit f = fit_line(x, y);
  EXPECT_NEAR(f.slope, cov / vx, 1e-12);
  EXPECT_NEAR(f.r2, cov * cov / (vx * vy), 1e-12);
  EXPECT_GT(f.r2, 0.5);
  EXPECT_LT(f.r2, 1.0);
}

TEST(Fits, WindowAndDegenerateCases) {
  const std::vector<double> x = {0, 1, 2, 3, 4, 5, 6};
  const std::vector<double> y = {9, 9, 9, 1, 3, 5, 7};  // linear (slope 2) from x = 3 on
  const LineFit w = fit_line_window(x, y, 3.0, 6.0);
  EXPECT_EQ(w.n, 4);
  EXPECT_NEAR(w.slope, 2.0, 1e-14);
  EXPECT_NEAR(w.intercept, -5.0, 1e-13);
  EXPECT_FALSE(fit_line_window(x, y, 2.5, 3.5).ok);  // one point
  const LineFit flat = fit_line_window(x, y, 0.0, 2.0);
  EXPECT_TRUE(flat.ok);
  EXPECT_EQ(flat.slope, 0.0);
  EXPECT_TRUE(std::isnan(flat.r2));  // constant y
  const std::vector<double> yn = {1, NAN, 3, 4, 5, 6, 7};
  EXPECT_EQ(fit_line(x, yn).skipped, 1);
  EXPECT_THROW(fit_line(x, std::vector<double>{1.0}), std::invalid_argument);
}

TEST(Fits, FastClockRecoversNu) {
  // Plateau until t = 100, then L = 5 e^{-0.01 (t - 100)}, then a floor of exact zeros (underflow).
  std::vector<double> t, loss;
  for (int i = 0; i <= 60; ++i) {
    t.push_back(10.0 * i);
    loss.push_back(t.back() < 100 ? 5.0 : (t.back() <= 500 ? 5.0 * std::exp(-0.01 * (t.back() - 100)) : 0.0));
  }
  const FastClockFit f = fit_fast_clock(t, loss, 100.0);
  ASSERT_TRUE(f.line.ok);
  EXPECT_NEAR(f.nu, 0.01, 1e-14);
  EXPECT_NEAR(f.line.r2, 1.0, 1e-12);
  EXPECT_EQ(f.line.n, 41);
  EXPECT_EQ(f.line.skipped, 10);  // the zeros have no logarithm
  EXPECT_EQ(f.line.x_hi, 500.0);
  EXPECT_NEAR(fit_fast_clock(t, loss, 100.0, 300.0).nu, 0.01, 1e-14);
}

TEST(Fits, PowerLawRecoversTheExponentAndTheta) {
  // S = 2 (t - 50)^-2 on log-spaced t: beta = -2, theta = (1 + 1/2) / 2 = 0.75.
  std::vector<double> t, s;
  for (int i = 0; i < 40; ++i) {
    t.push_back(50.0 + std::pow(10.0, 1.0 + 0.075 * i));
    s.push_back(2.0 * std::pow(t.back() - 50.0, -2.0));
  }
  t.insert(t.begin(), 40.0);  // before t0: skipped
  s.insert(s.begin(), 1.0);
  const PowerLawFit f = fit_power_law(t, s, 50.0);
  ASSERT_TRUE(f.line.ok);
  EXPECT_NEAR(f.exponent, -2.0, 1e-12);
  EXPECT_NEAR(f.prefactor, 2.0, 1e-10);
  EXPECT_NEAR(f.kl_theta, 0.75, 1e-12);
  EXPECT_NEAR(f.line.r2, 1.0, 1e-12);
  EXPECT_EQ(f.line.skipped, 1);
  const PowerLawFit window = fit_power_law(t, s, 50.0, 100.0, 1000.0);
  EXPECT_NEAR(window.exponent, -2.0, 1e-12);
  EXPECT_GE(window.line.x_lo, std::log(100.0 - 50.0));
  EXPECT_LE(window.line.x_hi, std::log(1000.0 - 50.0) + 1e-12);
  // A growing series has no KL exponent.
  std::vector<double> up(s.rbegin(), s.rend());
  EXPECT_TRUE(std::isnan(fit_power_law(t, up, 50.0).kl_theta));
}

TEST(Fits, StructuralClock) {
  const std::vector<double> t = {0, 10, 20, 30, 40, 50};
  const std::vector<double> s = {1.0, 0.5, 0.2, 0.3, 0.1, 0.05};
  const StructuralClock c = structural_clock(t, s, 0.25);
  EXPECT_TRUE(c.fired);
  EXPECT_EQ(c.index, 2);
  EXPECT_EQ(c.t, 20.0);
  EXPECT_EQ(c.t_prev, 10.0);
  const StructuralClock held = structural_clock(t, s, 0.25, 2);  // 0.2 is not held; 0.1, 0.05 is
  EXPECT_EQ(held.index, 4);
  EXPECT_EQ(held.t, 40.0);
  const StructuralClock first = structural_clock(t, s, 1.0);
  EXPECT_EQ(first.index, 0);
  EXPECT_TRUE(std::isnan(first.t_prev));
  const StructuralClock never = structural_clock(t, s, 0.01);
  EXPECT_FALSE(never.fired);
  EXPECT_EQ(never.index, -1);
  EXPECT_TRUE(std::isnan(never.t));
  EXPECT_EQ(never.t_last, 50.0);  // censored: T_rep > 50
  EXPECT_FALSE(structural_clock(t, s, 0.06, 2).fired);  // a run that starts at the last point cannot be held
  const std::vector<double> gap = {0.1, NAN, 0.1, 0.1};
  EXPECT_EQ(structural_clock(std::vector<double>{0, 1, 2, 3}, gap, 0.2, 2).index, 2);
  EXPECT_THROW(structural_clock(t, s, 0.1, 0), std::invalid_argument);
}

}  // namespace
}  // namespace grokscope::metrics
