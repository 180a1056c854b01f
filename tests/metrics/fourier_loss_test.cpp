// Restricted / excluded losses against a dense construction of Nanda's 2D directions over the (a, b) grid.

// GCC 12 reports false -Wmaybe-uninitialized inside Eigen's AVX-512 kernels (see nn/loss.cpp).
#if defined(__GNUC__) && !defined(__clang__)   // clang has no such warning
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "grokscope/metrics/fourier_loss.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <random>
#include <vector>

#include "metrics/random_matrices.h"

namespace grokscope::metrics {
namespace {

using test::gaussian;

constexpr double kPi = std::numbers::pi;

Eigen::VectorXd normalized(Eigen::VectorXd v) { return v / v.norm(); }

// Nanda's 1D rows cos_k, sin_k (unit norm) over x = 0..p-1, built from std::cos / std::sin.
Eigen::VectorXd trig(int p, int k, bool sine) {
  Eigen::VectorXd v(p);
  for (int x = 0; x < p; ++x) v(x) = sine ? std::sin(2 * kPi * k * x / p) : std::cos(2 * kPi * k * x / p);
  return v;
}

// The p^2-vector of the outer product f (x) g (index a p + b).
Eigen::VectorXd outer(const Eigen::VectorXd& f, const Eigen::VectorXd& g) {
  Eigen::VectorXd o(f.size() * g.size());
  for (Eigen::Index a = 0; a < f.size(); ++a)
    for (Eigen::Index b = 0; b < g.size(); ++b) o(a * g.size() + b) = f(a) * g(b);
  return o;
}

// Dense P = sum_k u_k u_k^T L + v_k v_k^T L with u_k = (c (x) c - s (x) s)/sqrt 2, v_k = (s (x) c + c (x) s)/sqrt 2,
// each renormalized (only needed at k = p/2 of an even p, where sin vanishes).
Eigen::MatrixXd dense_projection(const Eigen::MatrixXd& table, int p, const std::vector<int>& keys) {
  Eigen::MatrixXd proj = Eigen::MatrixXd::Zero(table.rows(), table.cols());
  for (int k : keys) {
    const Eigen::VectorXd c = normalized(trig(p, k, false));
    const bool has_sin = 2 * k != p;
    const Eigen::VectorXd s = has_sin ? normalized(trig(p, k, true)) : Eigen::VectorXd::Zero(p);
    Eigen::VectorXd u = (outer(c, c) - outer(s, s)) / std::sqrt(2.0);
    if (!has_sin) u = normalized(u);
    EXPECT_NEAR(u.norm(), 1.0, 1e-12);
    proj += u * (u.transpose() * table);
    if (has_sin) {
      const Eigen::VectorXd v = (outer(s, c) + outer(c, s)) / std::sqrt(2.0);
      EXPECT_NEAR(v.norm(), 1.0, 1e-12);
      EXPECT_NEAR(u.dot(v), 0.0, 1e-12);
      proj += v * (v.transpose() * table);
    }
  }
  return proj;
}

std::vector<int64_t> all_rows(int p) {
  std::vector<int64_t> r(static_cast<size_t>(p) * p);
  for (size_t i = 0; i < r.size(); ++i) r[i] = static_cast<int64_t>(i);
  return r;
}

TEST(FourierLoss, CrossEntropyByHand) {
  Eigen::MatrixXd z(3, 3);
  z << 1.0, 2.0, 3.0, 0.0, 0.0, 0.0, 50.0, -50.0, 0.0;
  const std::vector<int32_t> y = {2, 1, 0};
  const double l0 = std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0)) - 3.0;
  EXPECT_NEAR(cross_entropy(z, y, {0}), l0, 1e-15);
  EXPECT_NEAR(cross_entropy(z, y, {0, 1}), 0.5 * (l0 + std::log(3.0)), 1e-15);
  EXPECT_NEAR(cross_entropy(z, y, {2}), std::exp(-50.0) + std::exp(-100.0), 1e-35);  // log1p keeps tiny losses
  EXPECT_TRUE(std::isnan(cross_entropy(z, y, {})));
  EXPECT_THROW(cross_entropy(z, y, {3}), std::invalid_argument);
  EXPECT_THROW(cross_entropy(z, {0, 1}, {0}), std::invalid_argument);
  const std::vector<int32_t> labels = addition_labels(5);
  EXPECT_EQ(labels[3 * 5 + 4], 2);
  EXPECT_EQ(labels[0], 0);
}

TEST(FourierLoss, KnownFrequencyTable) {
  // L[a,b,c] = 4 sum_{k in K} cos(w_k (a + b - c)): restricted(K) reproduces L, excluded(K) is all zeros.
  const int p = 11;
  const std::vector<int> keys = {2, 5};
  Eigen::MatrixXd table(p * p, p);
  for (int a = 0; a < p; ++a)
    for (int b = 0; b < p; ++b)
      for (int c = 0; c < p; ++c) {
        double z = 0.0;
        for (int k : keys) z += 4.0 * std::cos(2 * kPi * k * (a + b - c) / p);
        table(a * p + b, c) = z;
      }
  EXPECT_LT((restricted_logits(table, p, keys) - table).cwiseAbs().maxCoeff(), 1e-12);
  EXPECT_LT(excluded_logits(table, p, keys).cwiseAbs().maxCoeff(), 1e-12);
  const std::vector<int64_t> train = {0, 5, 17, 40, 77, 120};
  const FourierLosses l = fourier_losses(table, p, keys, train);
  EXPECT_NEAR(l.restricted, l.full, 1e-12);
  EXPECT_NEAR(l.full, cross_entropy(table, addition_labels(p), train), 1e-15);
  EXPECT_NEAR(l.excluded, std::log(double(p)), 1e-12);  // uniform logits
  EXPECT_LT(l.full, 0.1);
  // Keeping one of the two frequencies: the other survives in the excluded table.
  const FourierLosses half = fourier_losses(table, p, {2}, train);
  EXPECT_GT(half.restricted, half.full);
  EXPECT_LT(half.excluded, std::log(double(p)));
}

TEST(FourierLoss, MatchesTheDenseConstructionOnRandomTables) {
  for (int p : {7, 8}) {
    SCOPED_TRACE(p);
    const Eigen::MatrixXd table = gaussian(p * p, p, 100 + p);
    const std::vector<int> keys = p == 7 ? std::vector<int>{1, 3} : std::vector<int>{2, 4};  // 4 = p/2 for p = 8
    const Eigen::MatrixXd proj = dense_projection(table, p, keys);
    const Eigen::RowVectorXd mean = table.colwise().mean();
    const Eigen::MatrixXd restricted = proj.rowwise() + mean;
    EXPECT_LT((restricted_logits(table, p, keys) - restricted).cwiseAbs().maxCoeff(), 1e-12);
    EXPECT_LT((excluded_logits(table, p, keys) - (table - proj)).cwiseAbs().maxCoeff(), 1e-12);
    const std::vector<int64_t> rows = {1, 2, 3, 10, 20, static_cast<int64_t>(p) * p - 1};
    const std::vector<int32_t> y = addition_labels(p);
    const FourierLosses l = fourier_losses(table, p, keys, rows);
    EXPECT_NEAR(l.full, cross_entropy(table, y, rows), 1e-14);
    EXPECT_NEAR(l.restricted, cross_entropy(restricted, y, rows), 1e-12);
    EXPECT_NEAR(l.excluded, cross_entropy(table - proj, y, rows), 1e-12);
  }
}

TEST(FourierLoss, AllFrequenciesKeepTheAntiDiagonalMeans) {
  const int p = 9;
  std::vector<int> all;
  for (int k = 1; k <= p / 2; ++k) all.push_back(k);
  // A table that depends on (a + b) mod p only: restricted loss with every frequency equals the full loss.
  const Eigen::MatrixXd g = gaussian(p, p, 5);  // g(s, c)
  Eigen::MatrixXd by_sum(p * p, p);
  for (int a = 0; a < p; ++a)
    for (int b = 0; b < p; ++b) by_sum.row(a * p + b) = 3.0 * g.row((a + b) % p);
  EXPECT_LT((restricted_logits(by_sum, p, all) - by_sum).cwiseAbs().maxCoeff(), 1e-12);
  const FourierLosses l = fourier_losses(by_sum, p, all, all_rows(p));
  EXPECT_NEAR(l.restricted, l.full, 1e-12);
  // Excluding every frequency leaves the per-class means: the same logits on every row.
  const Eigen::MatrixXd x = excluded_logits(by_sum, p, all);
  EXPECT_LT((x.rowwise() - x.row(0)).cwiseAbs().maxCoeff(), 1e-12);
  // A general table: restricted(all) = the mean of L over the anti-diagonal a + b = s, for each class.
  const Eigen::MatrixXd table = gaussian(p * p, p, 6);
  Eigen::MatrixXd diag_mean = Eigen::MatrixXd::Zero(p, p);
  for (int a = 0; a < p; ++a)
    for (int b = 0; b < p; ++b) diag_mean.row((a + b) % p) += table.row(a * p + b) / p;
  const Eigen::MatrixXd r = restricted_logits(table, p, all);
  for (int a = 0; a < p; ++a)
    for (int b = 0; b < p; ++b) EXPECT_LT((r.row(a * p + b) - diag_mean.row((a + b) % p)).norm(), 1e-12);
}

TEST(FourierLoss, BadInputThrows) {
  const Eigen::MatrixXd table = Eigen::MatrixXd::Zero(25, 5);
  EXPECT_THROW(restricted_logits(table, 4, {1}), std::invalid_argument);       // 25 x 5 is not p^2 x p for p = 4
  EXPECT_THROW(restricted_logits(table, 5, {3}), std::invalid_argument);       // 3 > floor(5/2)
  EXPECT_THROW(excluded_logits(table, 5, {1, 1}), std::invalid_argument);
  EXPECT_THROW(fourier_losses(table, 5, {1}, {25}), std::invalid_argument);
}

}  // namespace
}  // namespace grokscope::metrics
