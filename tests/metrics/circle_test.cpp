// Musat's circle diagnostics against circles, ellipses and the direct sum F_k = (1/p) sum_j e^{-2 pi i jk/p} E_j.

// GCC 12 reports false -Wmaybe-uninitialized inside Eigen's AVX-512 kernels (see nn/loss.cpp).
#if defined(__GNUC__) && !defined(__clang__)   // clang has no such warning
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "grokscope/metrics/circle.h"

#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <numbers>
#include <random>

#include "grokscope/metrics/fourier.h"

namespace grokscope::metrics {
namespace {

constexpr double kPi = std::numbers::pi;

// E_j = cos(2 pi k j / p) u + sin(2 pi k j / p) v.
Eigen::MatrixXd circle(int p, int k, const Eigen::VectorXd& u, const Eigen::VectorXd& v) {
  Eigen::MatrixXd e(p, u.size());
  for (int j = 0; j < p; ++j)
    e.row(j) = (std::cos(2 * kPi * k * j / p) * u + std::sin(2 * kPi * k * j / p) * v).transpose();
  return e;
}

Eigen::VectorXd unit(int d, int i) { return Eigen::VectorXd::Unit(d, i); }

TEST(Circle, PerfectCircleHasRhoOneAndOrthogonalParts) {
  const int p = 17, k = 4, d = 5;
  const CircleDiagnostics c = circle_diagnostics(circle(p, k, unit(d, 0), unit(d, 1)));
  ASSERT_EQ(c.rho.size(), (p - 1) / 2);
  EXPECT_NEAR(c.rho(k - 1), 1.0, 1e-12);
  EXPECT_NEAR(c.cos_re_im(k - 1), 0.0, 1e-12);
  EXPECT_NEAR(c.norm(k - 1), 1.0 / std::sqrt(2.0), 1e-12);  // Re F_k = u/2, Im F_k = -v/2
  EXPECT_NEAR(c.re(0, k - 1), 0.5, 1e-12);
  EXPECT_NEAR(c.im(1, k - 1), -0.5, 1e-12);
  EXPECT_EQ(key_frequencies(c.norm), std::vector<int>{k});
  EXPECT_GT(gini(c.norm), 0.87);  // one-hot over 8 frequencies: 1 - 1/8, up to round-off in the others
  EXPECT_NEAR(c.similarity(k - 1, k - 1), 1.0, 1e-12);
}

TEST(Circle, EllipseAndShear) {
  const int p = 13, k = 2, d = 3;
  const CircleDiagnostics ellipse = circle_diagnostics(circle(p, k, 2.0 * unit(d, 0), unit(d, 1)));
  EXPECT_NEAR(ellipse.rho(k - 1), 2.0, 1e-12);
  EXPECT_NEAR(ellipse.cos_re_im(k - 1), 0.0, 1e-12);
  // E_j = (cos, cos + sin): Re F = (1/2, 1/2), Im F = (0, -1/2): rho = sqrt 2, cos = -1/sqrt 2.
  const CircleDiagnostics shear = circle_diagnostics(circle(p, k, unit(d, 0) + unit(d, 1), unit(d, 1)));
  EXPECT_NEAR(shear.rho(k - 1), std::sqrt(2.0), 1e-12);
  EXPECT_NEAR(shear.cos_re_im(k - 1), -1.0 / std::sqrt(2.0), 1e-12);
}

TEST(Circle, MatchesTheComplexSumAndTheNandaNorms) {
  const int p = 11, d = 4;
  std::mt19937_64 rng(3);
  std::normal_distribution<double> n(0.0, 1.0);
  Eigen::MatrixXd e(p, d);
  for (int j = 0; j < p; ++j)
    for (int u = 0; u < d; ++u) e(j, u) = n(rng);
  const CircleDiagnostics c = circle_diagnostics(e);
  const FrequencyNorms f = frequency_norms(e);
  for (int k = 1; k <= (p - 1) / 2; ++k) {
    for (int u = 0; u < d; ++u) {
      std::complex<double> fk = 0.0;
      for (int j = 0; j < p; ++j) fk += std::polar(1.0, -2 * kPi * j * k / p) * e(j, u);
      fk /= p;
      EXPECT_NEAR(c.re(u, k - 1), fk.real(), 1e-13);
      EXPECT_NEAR(c.im(u, k - 1), fk.imag(), 1e-13);
    }
    EXPECT_NEAR(c.norm(k - 1), f.norms(k - 1) / std::sqrt(2.0 * p), 1e-13);  // ||F_k|| = n_k / sqrt(2p)
    EXPECT_NEAR(c.rho(k - 1), c.re.col(k - 1).norm() / c.im.col(k - 1).norm(), 1e-13);
  }
  // S is a symmetric cosine matrix of nonnegative vectors: in [0, 1] with a unit diagonal.
  EXPECT_LT((c.similarity - c.similarity.transpose()).norm(), 1e-15);
  EXPECT_GE(c.similarity.minCoeff(), 0.0);
  EXPECT_LE(c.similarity.maxCoeff(), 1.0 + 1e-12);
}

TEST(Circle, SeparateUnitsAndPlanes) {
  const int p = 19, d = 6;
  // Frequency 3 on units {0, 1}, frequency 7 on units {2, 3}, frequency 8 in the same plane as 3.
  const Eigen::VectorXd a = (unit(d, 0) + unit(d, 1)) / std::sqrt(2.0), b = (unit(d, 0) - unit(d, 1)) / std::sqrt(2.0);
  const Eigen::MatrixXd e = circle(p, 3, a, b) + circle(p, 7, unit(d, 2), unit(d, 3)) + circle(p, 8, b, a);
  const CircleDiagnostics c = circle_diagnostics(e);
  EXPECT_NEAR(c.similarity(2, 6), 0.0, 1e-12);       // disjoint hidden units
  EXPECT_NEAR(c.plane_overlap(2, 6), 0.0, 1e-12);    // orthogonal planes
  EXPECT_NEAR(c.plane_overlap(2, 7), 1.0, 1e-12);    // the same plane
  EXPECT_NEAR(c.similarity(2, 7), 1.0, 1e-12);
  EXPECT_NEAR(c.abs_re_im_sim(2), 1.0, 1e-12);       // |Re F_3| = |Im F_3| element-wise
  EXPECT_NEAR(c.abs_re_im_sim(6), 0.0, 1e-12);       // Re on unit 2, Im on unit 3
  EXPECT_TRUE(std::isnan(c.rho(0)));                 // frequency 1 is absent: 0/0
  EXPECT_TRUE(std::isnan(c.plane_overlap(0, 2)));

  const CircleSummary s = summarize_circles(c, {3, 7});
  EXPECT_NEAR(s.rho_logdev, 0.0, 1e-12);
  EXPECT_NEAR(s.cos_abs, 0.0, 1e-12);
  EXPECT_NEAR(s.sim_offdiag, 0.0, 1e-12);
  EXPECT_NEAR(s.plane_offdiag, 0.0, 1e-12);
  EXPECT_NEAR(summarize_circles(c, {3, 8}).plane_offdiag, 1.0, 1e-12);
  EXPECT_TRUE(std::isnan(summarize_circles(c, {3}).sim_offdiag));
  EXPECT_THROW(summarize_circles(c, {10}), std::invalid_argument);
  EXPECT_THROW(circle_diagnostics(Eigen::MatrixXd::Ones(2, 3)), std::invalid_argument);
}

}  // namespace
}  // namespace grokscope::metrics
