// Deep-linear diagnostics: the Schatten identity (Eq. 2.7) on balanced factorizations and the layer imbalance.

// GCC 12 reports false -Wmaybe-uninitialized inside Eigen's AVX-512 kernels (see nn/loss.cpp).
#if defined(__GNUC__) && !defined(__clang__)   // clang has no such warning
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "grokscope/metrics/deep_linear.h"

#include <gtest/gtest.h>

#include <Eigen/QR>
#include <cmath>
#include <random>
#include <vector>

#include "grokscope/metrics/spectral.h"
#include "metrics/random_matrices.h"

namespace grokscope::metrics {
namespace {

using test::gaussian;
using test::orthonormal_columns;

// A = U diag(sigma) V^T (m x n, r = sigma.size()) and its balanced depth-L factorization:
// W_1 = S V^T, W_l = S (middle), W_L = U S with S = diag(sigma^{1/L}).
struct Balanced {
  Eigen::MatrixXd a;
  std::vector<Eigen::MatrixXd> layers;
};

Balanced balanced(int m, int n, const Eigen::VectorXd& sigma, int depth, std::mt19937_64& rng) {
  const int r = static_cast<int>(sigma.size());
  const Eigen::MatrixXd u = orthonormal_columns(m, r, rng), v = orthonormal_columns(n, r, rng);
  const Eigen::MatrixXd s = sigma.array().pow(1.0 / depth).matrix().asDiagonal();
  Balanced b;
  b.a = u * sigma.asDiagonal() * v.transpose();
  if (depth == 1) {
    b.layers = {b.a};
    return b;
  }
  b.layers.push_back(s * v.transpose());
  for (int l = 1; l + 1 < depth; ++l) b.layers.push_back(s);
  b.layers.push_back(u * s);
  return b;
}

TEST(DeepLinear, BalancedFactorizationAttainsTheSchattenPenalty) {
  std::mt19937_64 rng(5);
  Eigen::VectorXd sigma(3);
  sigma << 2.5, 1.2, 0.3;
  for (int depth : {1, 2, 3, 4}) {
    SCOPED_TRACE(depth);
    const Balanced b = balanced(6, 4, sigma, depth, rng);
    EXPECT_LT((end_to_end(b.layers) - b.a).norm(), 1e-12);
    double sum_fro = 0.0;
    for (const auto& w : b.layers) sum_fro += w.squaredNorm();
    double schatten_sum = 0.0;  // sum sigma_i^{2/L}
    for (double s : sigma) schatten_sum += std::pow(s, 2.0 / depth);
    EXPECT_NEAR(sum_fro / depth, schatten_sum, 1e-12);  // (1/L) sum ||W_l||_F^2 = ||A||_{S_{2/L}}^{2/L}
    const double lambda = 0.7;
    EXPECT_NEAR(induced_penalty(b.a, depth, lambda), 0.5 * lambda * depth * schatten_sum, 1e-12);
    EXPECT_NEAR(actual_penalty(b.layers, lambda), induced_penalty(b.a, depth, lambda), 1e-12);
    for (double d : layer_imbalance(b.layers)) EXPECT_NEAR(d, 0.0, 1e-12);
    EXPECT_EQ(layer_imbalance(b.layers).size(), static_cast<size_t>(depth - 1));
    const DeepLinearReport r = deep_linear_report(b.layers, lambda);
    EXPECT_NEAR(r.induced_penalty, r.actual_penalty, 1e-12);
    for (int i = 0; i < 3; ++i) EXPECT_NEAR(r.sv(i), sigma(i), 1e-12);
  }
}

TEST(DeepLinear, DepthTwoPenaltyIsTheNuclearNorm) {
  std::mt19937_64 rng(8);
  const Eigen::MatrixXd a = gaussian(5, 7, rng);
  EXPECT_NEAR(induced_penalty(a, 2, 0.3), 0.3 * nuclear_norm(a), 1e-12);
  EXPECT_NEAR(induced_penalty(a, 1, 0.3), 0.15 * a.squaredNorm(), 1e-12);
}

TEST(DeepLinear, UnbalancedFactorizationPaysMore) {
  std::mt19937_64 rng(9);
  Eigen::VectorXd sigma(3);
  sigma << 3.0, 2.0, 1.0;
  const Balanced b = balanced(5, 4, sigma, 2, rng);
  const double c = 1.7;  // W_1 -> c W_1, W_2 -> W_2 / c: same product
  const std::vector<Eigen::MatrixXd> scaled = {c * b.layers[0], b.layers[1] / c};
  EXPECT_LT((end_to_end(scaled) - b.a).norm(), 1e-12);
  // W_2^T W_2 - W_1 W_1^T = (1/c^2 - c^2) Sigma, so the imbalance is |1/c^2 - c^2| ||sigma||_2.
  EXPECT_NEAR(layer_imbalance(scaled)[0], std::abs(1.0 / (c * c) - c * c) * sigma.norm(), 1e-12);
  // Penalty (1/2)(c^2 + 1/c^2) sum sigma > sum sigma (lambda = 1).
  EXPECT_NEAR(actual_penalty(scaled, 1.0), 0.5 * (c * c + 1.0 / (c * c)) * sigma.sum(), 1e-12);
  EXPECT_GT(actual_penalty(scaled, 1.0), induced_penalty(b.a, 2, 1.0));
  // Random depth-3 factorizations never go below the induced penalty.
  for (int trial = 0; trial < 20; ++trial) {
    const std::vector<Eigen::MatrixXd> w = {gaussian(3, 4, rng), gaussian(5, 3, rng), gaussian(2, 5, rng)};
    EXPECT_GE(actual_penalty(w, 1.0) + 1e-12, induced_penalty(end_to_end(w), 3, 1.0));
  }
}

TEST(DeepLinear, ShapeMismatchThrows) {
  const std::vector<Eigen::MatrixXd> w = {Eigen::MatrixXd::Ones(4, 3), Eigen::MatrixXd::Ones(2, 5)};
  try {
    end_to_end(w);
    FAIL() << "no throw";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("layer 2 is 2x5 but layer 1 has 4 outputs"), std::string::npos) << e.what();
  }
  EXPECT_THROW(layer_imbalance({}), std::invalid_argument);
  EXPECT_THROW(induced_penalty(Eigen::MatrixXd::Ones(2, 2), 0, 1.0), std::invalid_argument);
}

}  // namespace
}  // namespace grokscope::metrics
