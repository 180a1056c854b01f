// Fourier basis, frequency norms, Gini, key frequencies and the rule gap, checked against direct trig sums.

// GCC 12 reports false -Wmaybe-uninitialized inside Eigen's AVX-512 kernels (see nn/loss.cpp).
#if defined(__GNUC__) && !defined(__clang__)   // clang has no such warning
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "grokscope/metrics/fourier.h"

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

// E_j = (cos(2 pi k j / p), sin(2 pi k j / p), 0, ..., 0): a circle of frequency k.
Eigen::MatrixXd circle(int p, int k, int d) {
  Eigen::MatrixXd e = Eigen::MatrixXd::Zero(p, d);
  for (int j = 0; j < p; ++j) {
    e(j, 0) = std::cos(2 * kPi * k * j / p);
    e(j, 1) = std::sin(2 * kPi * k * j / p);
  }
  return e;
}

// Energy of E in frequency k from unnormalized sums: ||sum_j cos(w k j) E_j||^2 / ||cos||^2 + same for sin.
double direct_energy(const Eigen::MatrixXd& e, int k) {
  const int p = static_cast<int>(e.rows());
  Eigen::RowVectorXd c = Eigen::RowVectorXd::Zero(e.cols()), s = c;
  double cc = 0.0, ss = 0.0;
  for (int j = 0; j < p; ++j) {
    const double cj = std::cos(2 * kPi * k * j / p), sj = std::sin(2 * kPi * k * j / p);
    c += cj * e.row(j);
    s += sj * e.row(j);
    cc += cj * cj;
    ss += sj * sj;
  }
  return c.squaredNorm() / cc + (ss > 1e-9 ? s.squaredNorm() / ss : 0.0);
}

TEST(Fourier, BasisIsOrthonormal) {
  for (int p : {2, 3, 7, 8, 113}) {
    SCOPED_TRACE(p);
    const Eigen::MatrixXd b = fourier_basis(p);
    ASSERT_EQ(b.rows(), p);
    EXPECT_LT((b * b.transpose() - Eigen::MatrixXd::Identity(p, p)).norm(), 1e-12);
    EXPECT_EQ(fourier_basis_names(p).size(), static_cast<size_t>(p));
  }
  const Eigen::MatrixXd b = fourier_basis(7);  // Nanda's rows for odd p: sqrt(2/p) cos / sin
  for (int x = 0; x < 7; ++x) {
    EXPECT_NEAR(b(0, x), 1.0 / std::sqrt(7.0), 1e-15);
    EXPECT_NEAR(b(3, x), std::sqrt(2.0 / 7) * std::cos(2 * kPi * 2 * x / 7), 1e-14);
    EXPECT_NEAR(b(4, x), std::sqrt(2.0 / 7) * std::sin(2 * kPi * 2 * x / 7), 1e-14);
  }
  EXPECT_EQ(fourier_basis_names(7)[3], "cos 2");
  EXPECT_EQ(fourier_basis_names(8).back(), "cos 4");  // even p: the last row is cos_{p/2}, sin_{p/2} is left out
  EXPECT_EQ(num_frequencies(113), 56);
}

TEST(Fourier, FrequencyNormsMatchDirectSumsAndParseval) {
  for (int p : {11, 12}) {
    SCOPED_TRACE(p);
    const Eigen::MatrixXd e = gaussian(p, 6, 42 + p);
    const FrequencyNorms f = frequency_norms(e);
    ASSERT_EQ(f.norms.size(), p / 2);
    for (int k = 1; k <= p / 2; ++k) EXPECT_NEAR(f.norms(k - 1) * f.norms(k - 1), direct_energy(e, k), 1e-11);
    EXPECT_NEAR(f.constant, e.colwise().sum().norm() / std::sqrt(double(p)), 1e-12);
    EXPECT_NEAR(f.norms.squaredNorm() + f.constant * f.constant, e.squaredNorm(), 1e-10);
    EXPECT_NEAR(fourier_component_norms(e).squaredNorm(), e.squaredNorm(), 1e-10);
  }
}

TEST(Fourier, CircleEmbeddingHasOneKeyFrequency) {
  const int p = 23, k = 5;
  const Eigen::MatrixXd e = circle(p, k, 4);
  const FrequencyNorms f = frequency_norms(e);
  EXPECT_NEAR(f.norms(k - 1), std::sqrt(double(p)), 1e-12);  // all of ||E||_F^2 = p in frequency k
  EXPECT_NEAR(f.constant, 0.0, 1e-12);
  EXPECT_EQ(key_frequencies(f.norms), std::vector<int>{k});
  EXPECT_NEAR(gini(f.norms), 1.0 - 1.0 / (p / 2), 1e-12);  // one-hot over 11 frequencies
  EXPECT_NEAR(rule_gap(e, {k}), 0.0, 1e-24);
  EXPECT_NEAR(rule_gap(e, {k + 1}), 1.0, 1e-12);
}

TEST(Fourier, KeyFrequencyThreshold) {
  const int p = 31;
  const Eigen::MatrixXd e = circle(p, 3, 3) + 0.5 * circle(p, 5, 3) + 0.2 * circle(p, 7, 3);
  const FrequencyNorms f = frequency_norms(e);
  EXPECT_EQ(key_frequencies(f.norms), (std::vector<int>{3, 5}));       // 0.2 < max/4
  EXPECT_EQ(key_frequencies(f.norms, 0.1), (std::vector<int>{3, 5, 7}));
  EXPECT_EQ(key_frequencies(f.norms, 1.0), (std::vector<int>{3}));
  EXPECT_TRUE(key_frequencies(Eigen::VectorXd::Zero(4)).empty());
  EXPECT_THROW(key_frequencies(f.norms, 0.0), std::invalid_argument);
}

TEST(Fourier, GiniExactValues) {
  EXPECT_NEAR(gini(Eigen::VectorXd::Unit(5, 2)), 0.8, 1e-15);  // one-hot: 1 - 1/N
  EXPECT_NEAR(gini(Eigen::VectorXd::Constant(7, 3.0)), 0.0, 1e-15);
  EXPECT_EQ(gini(Eigen::VectorXd::Zero(4)), 0.0);
  Eigen::VectorXd c(4);
  c << 3.0, 1.0, 4.0, 2.0;
  EXPECT_NEAR(gini(c), 0.25, 1e-15);  // by hand: 1 - 2 (0.35 + 0.5 + 0.45 + 0.2) / 4
  // Equals the mean-absolute-difference form sum_ij |c_i - c_j| / (2 N^2 mean) on random vectors.
  std::mt19937_64 rng(1);
  std::exponential_distribution<double> ex(1.0);
  for (int n : {1, 2, 9, 56}) {
    Eigen::VectorXd v(n);
    for (int i = 0; i < n; ++i) v(i) = ex(rng);
    double mad = 0.0;
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j) mad += std::abs(v(i) - v(j));
    EXPECT_NEAR(gini(v), mad / (2.0 * n * n * v.mean()), 1e-13) << n;
  }
  EXPECT_THROW(gini(-c), std::invalid_argument);
}

TEST(Fourier, RuleGapMatchesDirectEnergies) {
  const int p = 13;
  const Eigen::MatrixXd a = gaussian(p, 5, 9);
  const double total = a.squaredNorm();
  const double constant = a.colwise().sum().squaredNorm() / p;
  const std::vector<int> keys = {2, 6};
  const double inside = constant + direct_energy(a, 2) + direct_energy(a, 6);
  EXPECT_NEAR(rule_gap(a, keys, 0.0), (total - inside) / total, 1e-12);
  EXPECT_NEAR(rule_gap(a, keys, 0.0, /*include_constant=*/false), (total - inside + constant) / total, 1e-12);
  EXPECT_NEAR(rule_gap(a, {1, 2, 3, 4, 5, 6}, 0.0), 0.0, 1e-24);
  EXPECT_NEAR(rule_gap(a, {}, 0.0, false), 1.0, 1e-15);
  EXPECT_NEAR(rule_gap(a, keys, total), 0.5 * (total - inside) / total, 1e-12);  // delta in the denominator
  EXPECT_THROW(rule_gap(a, {7}), std::invalid_argument);
  EXPECT_THROW(rule_gap(a, {2, 2}), std::invalid_argument);
  EXPECT_THROW(rule_gap(Eigen::MatrixXd::Ones(1, 3), {}), std::invalid_argument);
}

TEST(Fourier, InputSlotEmbeddingsReadTheTransposedFirstLayer) {
  // w1 stored transposed: (2p inputs) x (h units), row-major; slot s = rows [s p, (s+1) p).
  const int p = 3, h = 2;
  std::vector<float> w1t(2 * p * h);
  for (int i = 0; i < 2 * p; ++i)
    for (int u = 0; u < h; ++u) w1t[i * h + u] = static_cast<float>(10 * i + u);
  const Eigen::MatrixXd a = input_slot_embeddings(w1t.data(), p, 2, h);
  ASSERT_EQ(a.rows(), p);
  ASSERT_EQ(a.cols(), 2 * h);
  for (int x = 0; x < p; ++x)
    for (int u = 0; u < h; ++u) {
      EXPECT_EQ(a(x, u), 10 * x + u);            // slot 0: input a = x
      EXPECT_EQ(a(x, h + u), 10 * (p + x) + u);  // slot 1: input b = x
    }
}

}  // namespace
}  // namespace grokscope::metrics
