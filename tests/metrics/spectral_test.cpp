// Spectral metrics against matrices with known singular values A = U diag(sigma) V^T.

// GCC 12 reports false -Wmaybe-uninitialized inside Eigen's AVX-512 kernels (see nn/loss.cpp).
#if defined(__GNUC__) && !defined(__clang__)   // clang has no such warning
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "grokscope/metrics/spectral.h"

#include <gtest/gtest.h>

#include <Eigen/QR>
#include <cmath>
#include <random>
#include <vector>

#include "metrics/random_matrices.h"

namespace grokscope::metrics {
namespace {

using test::gaussian;
using test::orthonormal_columns;

Eigen::MatrixXd with_singular_values(int m, int n, const Eigen::VectorXd& sigma, std::mt19937_64& rng) {
  const int r = static_cast<int>(sigma.size());
  return orthonormal_columns(m, r, rng) * sigma.asDiagonal() * orthonormal_columns(n, r, rng).transpose();
}

TEST(Spectral, KnownSingularValues) {
  std::mt19937_64 rng(7);
  Eigen::VectorXd sigma(5);
  sigma << 5.0, 3.0, 2.0, 0.5, 0.1;
  const Eigen::MatrixXd a = with_singular_values(7, 5, sigma, rng);
  const Eigen::VectorXd sv = singular_values(a);
  ASSERT_EQ(sv.size(), 5);
  for (int i = 0; i < 5; ++i) EXPECT_NEAR(sv(i), sigma(i), 1e-12);

  const double sum_sq = 25.0 + 9.0 + 4.0 + 0.25 + 0.01;
  EXPECT_NEAR(stable_rank(a), sum_sq / 25.0, 1e-12);
  EXPECT_NEAR(stable_rank(a), a.squaredNorm() / 25.0, 1e-12);  // ||A||_F^2 / ||A||_2^2 from the entries
  const double total = sigma.sum();
  double h = 0.0;
  for (double s : {5.0, 3.0, 2.0, 0.5, 0.1}) h -= (s / total) * std::log(s / total);
  EXPECT_NEAR(effective_rank(a), std::exp(h), 1e-12);
  double h2 = 0.0;
  for (double s : {5.0, 3.0, 2.0, 0.5, 0.1}) h2 -= (s * s / sum_sq) * std::log(s * s / sum_sq);
  EXPECT_NEAR(effective_rank(a, /*squared=*/true), std::exp(h2), 1e-12);
  EXPECT_NEAR(nuclear_norm(a), 10.6, 1e-12);
  EXPECT_NEAR(schatten(a, 1.0), 10.6, 1e-12);
  EXPECT_NEAR(schatten(a, 2.0), a.squaredNorm(), 1e-11);
  const double p = 2.0 / 3.0;
  EXPECT_NEAR(schatten(a, p), std::pow(5.0, p) + std::pow(3.0, p) + std::pow(2.0, p) + std::pow(0.5, p) +
                                  std::pow(0.1, p), 1e-12);
  EXPECT_NEAR(stable_rank(a.transpose()), stable_rank(a), 1e-12);
}

TEST(Spectral, RankDeficientAndLimits) {
  std::mt19937_64 rng(11);
  Eigen::VectorXd sigma(2);
  sigma << 4.0, 4.0;
  const Eigen::MatrixXd a = with_singular_values(6, 4, sigma, rng);  // rank 2 with equal singular values
  EXPECT_NEAR(stable_rank(a), 2.0, 1e-12);
  EXPECT_NEAR(effective_rank(a), 2.0, 1e-6);  // two tiny round-off singular values enter the entropy
  EXPECT_NEAR(schatten(a, 0.5), 4.0, 1e-12);  // round-off singular values are not counted
  EXPECT_NEAR(stable_rank(Eigen::MatrixXd::Identity(5, 5)), 5.0, 1e-14);
  EXPECT_NEAR(effective_rank(Eigen::MatrixXd::Identity(5, 5)), 5.0, 1e-12);
  const Eigen::MatrixXd rank1 = Eigen::VectorXd::LinSpaced(4, 1, 4) * Eigen::RowVectorXd::LinSpaced(3, -1, 1);
  EXPECT_NEAR(stable_rank(rank1), 1.0, 1e-12);
  EXPECT_EQ(stable_rank(Eigen::MatrixXd::Zero(3, 4)), 0.0);
  EXPECT_EQ(effective_rank(Eigen::MatrixXd::Zero(3, 4)), 0.0);
  EXPECT_EQ(singular_values(Eigen::MatrixXd(0, 3)).size(), 0);
}

TEST(Spectral, TopKAndSummary) {
  std::mt19937_64 rng(3);
  Eigen::VectorXd sigma(4);
  sigma << 9.0, 4.0, 1.0, 0.25;
  const Eigen::MatrixXd a = with_singular_values(4, 9, sigma, rng);
  const Eigen::VectorXd top = top_singular_values(a, 2);
  ASSERT_EQ(top.size(), 2);
  EXPECT_NEAR(top(0), 9.0, 1e-12);
  EXPECT_NEAR(top(1), 4.0, 1e-12);
  EXPECT_EQ(top_singular_values(a, 10).size(), 4);
  EXPECT_EQ(top_singular_values(a, 0).size(), 0);
  const SpectralSummary s = spectral_summary(a);
  EXPECT_NEAR(s.frobenius, a.norm(), 1e-12);
  EXPECT_NEAR(s.spectral, 9.0, 1e-12);
  EXPECT_NEAR(s.stable_rank, stable_rank(a), 1e-14);
  EXPECT_NEAR(s.effective_rank, effective_rank(a), 1e-14);
  EXPECT_NEAR(s.nuclear, 14.25, 1e-12);
}

TEST(Spectral, RowMajorFloatBuffers) {
  // 2 x 3 row-major buffer [[3, 0, 0], [0, 4, 0]]: singular values 4, 3.
  const std::vector<float> buf = {3.f, 0.f, 0.f, 0.f, 4.f, 0.f};
  const Eigen::MatrixXd a = to_matrix(buf.data(), 2, 3);
  EXPECT_EQ(a(0, 0), 3.0);
  EXPECT_EQ(a(1, 1), 4.0);
  EXPECT_EQ(a(0, 2), 0.0);
  const Eigen::VectorXd sv = singular_values(a);
  EXPECT_NEAR(sv(0), 4.0, 1e-14);
  EXPECT_NEAR(sv(1), 3.0, 1e-14);
  EXPECT_NEAR(stable_rank(to_matrix(buf.data(), 2, 3)), 25.0 / 16.0, 1e-14);
}

TEST(Spectral, BadInputThrows) {
  const Eigen::MatrixXd a = Eigen::MatrixXd::Identity(3, 3);
  EXPECT_THROW(schatten(a, 0.0), std::invalid_argument);
  EXPECT_THROW(top_singular_values(a, -1), std::invalid_argument);
  Eigen::MatrixXd bad = a;
  bad(1, 1) = std::nan("");
  EXPECT_THROW(singular_values(bad), std::invalid_argument);
}

}  // namespace
}  // namespace grokscope::metrics
