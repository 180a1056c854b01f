// Dense output of the gradient-flow integrator (GradientFlow::interpolate): exact at both ends of a step, fourth
// order inside it (a transcription error in the coefficients would lower the order), as accurate as the steps over
// an adaptive run, and refused where there is no step to interpolate in.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "grokscope/theory/gradient_flow.h"

namespace grokscope::theory {
namespace {

// L = 1/4 sum_i theta_i^4: the flow d theta/dt = -theta^3 is theta(t) = theta_0 / sqrt(1 + 2 theta_0^2 t).
double quartic(const double* x, double* g) {
  double l = 0.0;
  for (int i = 0; i < 3; ++i) {
    g[i] = x[i] * x[i] * x[i];
    l += 0.25 * x[i] * x[i] * x[i] * x[i];
  }
  return l;
}
const std::vector<double> kTheta0 = {1.0, 0.5, -0.8};
double exact(int i, double t) { return kTheta0[i] / std::sqrt(1.0 + 2.0 * kTheta0[i] * kTheta0[i] * t); }

// One step of length h (tolerances so loose that it is accepted); the interpolation error at s = 0.37 of it.
double interpolation_error(double h) {
  GradientFlow<double> flow({}, 3, GradientFlowOptions{.rtol = 1e3, .atol = 1e3, .dt_initial = h, .dt_max = h});
  std::vector<double> theta = kTheta0, mid(3), ends(3);
  EXPECT_EQ(flow.advance(theta.data(), quartic, 1.0), h);
  // The ends are the step's own points (up to the rounding of y0 + (y1 - y0)).
  EXPECT_TRUE(flow.interpolate(0.0, ends.data()));
  EXPECT_EQ(ends, kTheta0);
  EXPECT_TRUE(flow.interpolate(h, ends.data()));
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(ends[i], theta[i], 1e-15);
  // Inside: against the exact flow (the step's own error, O(h^6), is far smaller).
  EXPECT_TRUE(flow.interpolate(0.37 * h, mid.data()));
  double err = 0.0;
  for (int i = 0; i < 3; ++i) err = std::max(err, std::abs(mid[i] - exact(i, 0.37 * h)));
  return err;
}

TEST(GradientFlowDense, FourthOrderInsideAStep) {
  const double e1 = interpolation_error(0.2), e2 = interpolation_error(0.1), e3 = interpolation_error(0.05);
  std::printf("[dense output] error at 0.37 h for h = 0.2, 0.1, 0.05: %.3e %.3e %.3e (ratios %.1f %.1f)\n", e1, e2,
              e3, e1 / e2, e2 / e3);
  // Local error O(h^5): halving h divides it by about 32 (order 3 would give 16).
  EXPECT_GT(e1 / e2, 24.0);
  EXPECT_GT(e2 / e3, 24.0);
  EXPECT_LT(e2 / e3, 45.0);
}

TEST(GradientFlowDense, AsAccurateAsTheStepsOverARun) {
  GradientFlow<double> flow({}, 3, GradientFlowOptions{.rtol = 1e-9, .atol = 1e-12});
  std::vector<double> theta = kTheta0, out(3);
  double worst = 0.0;
  int interpolated = 0;
  while (flow.time() < 20.0) {
    const double t0 = flow.time();
    ASSERT_GT(flow.advance(theta.data(), quartic, 20.0 - t0), 0.0) << flow.failure();
    for (double s : {0.1, 0.5, 0.9}) {
      const double t = t0 + s * (flow.time() - t0);
      ASSERT_TRUE(flow.interpolate(t, out.data()));
      for (int i = 0; i < 3; ++i) worst = std::max(worst, std::abs(out[i] - exact(i, t)));
      ++interpolated;
    }
  }
  EXPECT_GT(interpolated, 30);
  EXPECT_LT(worst, 1e-8);
}

TEST(GradientFlowDense, RefusedWithoutAStepToInterpolateIn) {
  GradientFlow<double> flow({}, 3, GradientFlowOptions{.rtol = 1e-6, .atol = 1e-9});
  std::vector<double> theta = kTheta0, out = {7.0, 7.0, 7.0};
  EXPECT_FALSE(flow.interpolate(0.0, out.data()));                // no step yet
  const double h = flow.advance(theta.data(), quartic, 0.5);
  ASSERT_GT(h, 0.0);
  EXPECT_FALSE(flow.interpolate(-0.01, out.data()));              // before the step
  EXPECT_FALSE(flow.interpolate(h * 1.01, out.data()));           // after it
  EXPECT_EQ(out, (std::vector<double>{7.0, 7.0, 7.0}));           // untouched
  theta[0] = std::nan("");                                        // a failing advance ends the step's validity
  EXPECT_EQ(flow.advance(theta.data(), quartic, 0.5), 0.0);
  EXPECT_FALSE(flow.interpolate(0.5 * h, out.data()));
}

}  // namespace
}  // namespace grokscope::theory
