// Class-separation gap S_sep against a hand example and a brute-force double loop over class pairs.

// GCC 12 reports false -Wmaybe-uninitialized inside Eigen's AVX-512 kernels (see nn/loss.cpp).
#if defined(__GNUC__) && !defined(__clang__)   // clang has no such warning
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "grokscope/metrics/separation.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <vector>

namespace grokscope::metrics {
namespace {

TEST(Separation, HandExample) {
  // Class 0: (0,0), (2,0) -> mean (1,0); class 1: (0,2), (0,4) -> mean (0,3).
  Eigen::MatrixXd z(4, 2);
  z << 0, 0, 2, 0, 0, 2, 0, 4;
  const SeparationGap g = separation_gap(z, {0, 0, 1, 1}, 0.0);
  EXPECT_DOUBLE_EQ(g.within, 4.0);
  EXPECT_DOUBLE_EQ(g.between, 20.0);  // ordered pairs: 2 ||(1,-3)||^2
  EXPECT_DOUBLE_EQ(g.s_sep, 0.2);
  EXPECT_EQ(g.classes, 2);
  EXPECT_NEAR(separation_gap(z, {0, 0, 1, 1}, 5.0).s_sep, 4.0 / 25.0, 1e-15);
}

TEST(Separation, MatchesBruteForceAndIgnoresEmptyClasses) {
  std::mt19937_64 rng(2);
  std::normal_distribution<double> n(0.0, 1.0);
  const int rows = 40, d = 3;
  const std::vector<int32_t> classes = {0, 1, 3, 5};  // labels 2 and 4 have no sample
  Eigen::MatrixXd z(rows, d);
  std::vector<int32_t> y(rows);
  for (int i = 0; i < rows; ++i) {
    y[i] = classes[i % 4];
    for (int j = 0; j < d; ++j) z(i, j) = n(rng) + 2.0 * y[i] * (j == 0);
  }
  std::map<int32_t, Eigen::RowVectorXd> mu;
  std::map<int32_t, int> count;
  for (int i = 0; i < rows; ++i) {
    if (!mu.count(y[i])) mu[y[i]] = Eigen::RowVectorXd::Zero(d);
    mu[y[i]] += z.row(i);
    ++count[y[i]];
  }
  for (auto& [c, m] : mu) m /= count[c];
  double within = 0.0, between = 0.0;
  for (int i = 0; i < rows; ++i) within += (z.row(i) - mu[y[i]]).squaredNorm();
  for (const auto& [c, m] : mu)
    for (const auto& [c2, m2] : mu)
      if (c != c2) between += (m - m2).squaredNorm();
  const SeparationGap g = separation_gap(z, y, 1e-12);
  EXPECT_EQ(g.classes, 4);
  EXPECT_NEAR(g.within, within, 1e-12);
  EXPECT_NEAR(g.between, between, 1e-10);
  EXPECT_NEAR(g.s_sep, within / (between + 1e-12), 1e-14);
  // A large common offset changes nothing (the class means are centred before the pair sum).
  const SeparationGap shifted = separation_gap(z.array() + 1e6, y, 1e-12);
  EXPECT_NEAR(shifted.s_sep, g.s_sep, 1e-8 * g.s_sep);
}

TEST(Separation, CollapsedClassesGiveZero) {
  Eigen::MatrixXd z(6, 2);
  z << 1, 1, 1, 1, -1, 2, -1, 2, 5, 0, 5, 0;
  const SeparationGap g = separation_gap(z, {0, 0, 1, 1, 2, 2});
  EXPECT_EQ(g.within, 0.0);
  EXPECT_EQ(g.s_sep, 0.0);
  EXPECT_THROW(separation_gap(z, {0, 1}), std::invalid_argument);
  EXPECT_THROW(separation_gap(z, {0, 0, 1, 1, 2, -1}), std::invalid_argument);
}

}  // namespace
}  // namespace grokscope::metrics
