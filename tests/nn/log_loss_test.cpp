// Cross-entropy in log space (nn/log_loss.h): agrees with the plain loss where that is representable, and stays
// finite and exact (against hand values) where the plain loss underflows to 0.
#include "grokscope/nn/log_loss.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "grokscope/core/rng.h"

namespace grokscope {
namespace {

TEST(LogSoftplus, MatchesDirectFormulaAndTails) {
  for (double a = -34.0; a <= 34.0; a += 0.37)
    EXPECT_NEAR(log_softplus(a), std::log(std::log1p(std::exp(a))), 1e-14 * std::max(1.0, std::abs(a))) << a;
  EXPECT_NEAR(log_softplus(-40.0), -40.0 - 0.5 * std::exp(-40.0), 1e-15 * 40);
  EXPECT_EQ(log_softplus(-1000.0), -1000.0);              // softplus(-1000) = e^-1000 underflows; its log does not
  EXPECT_NEAR(log_softplus(1000.0), std::log(1000.0), 1e-15);
}

// Random logits with margins from 0 to 30 (plain loss down to ~1e-13, still representable).
TEST(CrossEntropyLogLoss, EqualsLogOfPlainLossAndGradientOverL) {
  const int64_t n = 150;
  const int C = 7;
  Rng rng(3);
  std::vector<double> z(static_cast<size_t>(n * C));
  std::vector<int32_t> y(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    y[static_cast<size_t>(i)] = static_cast<int32_t>(i % C);
    for (int j = 0; j < C; ++j) z[static_cast<size_t>(i * C + j)] = rng.normal();
    z[static_cast<size_t>(i * C + i % C)] += 30.0 * static_cast<double>(i) / static_cast<double>(n);
  }
  for (const bool shift_all : {false, true}) {  // and the same with every row shifted by 25 more
    std::vector<double> zz = z;
    if (shift_all)
      for (int64_t i = 0; i < n; ++i) zz[static_cast<size_t>(i * C + i % C)] += 25.0;
    const LossConfig ce;
    std::vector<double> g_plain(zz.size()), g_log(zz.size());
    const BatchStats plain = classification_loss<double>(ce, zz.data(), n, C, y.data(), g_plain.data());
    double log_l = 0.0;
    const BatchStats logs = cross_entropy_log_loss<double>(zz.data(), n, C, y.data(), g_log.data(), &log_l);
    ASSERT_GT(plain.loss, 0.0);
    EXPECT_NEAR(log_l, std::log(plain.loss), 1e-12 * std::abs(std::log(plain.loss)));
    EXPECT_NEAR(logs.loss, plain.loss, 1e-12 * plain.loss);
    EXPECT_EQ(logs.correct, plain.correct);
    EXPECT_EQ(logs.min_margin, plain.min_margin);
    for (size_t k = 0; k < zz.size(); ++k)
      EXPECT_NEAR(g_log[k], g_plain[k] / plain.loss, 1e-12 * (std::abs(g_plain[k] / plain.loss) + 1e-300)) << k;
  }
}

// Margins of 1000 and 1001 (3 classes, the other logits 0): every l_i underflows, so does the plain loss.
//   l_0 = log(1 + 2 e^-1000) ~ 2 e^-1000,  l_1 ~ 2 e^-1001
//   log L = log((2 e^-1000 + 2 e^-1001) / 2) = -1000 + log(1 + e^-1)
//   d log L / dz_0j = 1 / (2 (1 + e^-1)) and d log L / dz_1j = e^-1 / (2 (1 + e^-1)) for j != y; minus twice that at y
template <class T>
void check_huge_margins() {
  const std::vector<T> z = {T(1000), T(0), T(0), T(0), T(0), T(1001)};
  const std::vector<int32_t> y = {0, 2};
  const LossConfig ce;
  EXPECT_EQ(classification_loss<T>(ce, z.data(), 2, 3, y.data(), nullptr).loss, 0.0);  // the plain loss underflows
  std::vector<T> g(6);
  double log_l = 0.0;
  const BatchStats s = cross_entropy_log_loss<T>(z.data(), 2, 3, y.data(), g.data(), &log_l);
  const double expected = -1000.0 + std::log1p(std::exp(-1.0));
  EXPECT_NEAR(log_l, expected, 1e-12 * 1000.0);
  EXPECT_EQ(s.loss, 0.0);
  EXPECT_EQ(s.correct, 2.0);
  EXPECT_EQ(s.min_margin, 1000.0);
  const double g0 = 1.0 / (2.0 * (1.0 + std::exp(-1.0))), g1 = std::exp(-1.0) * g0;
  const double tol = sizeof(T) == 4 ? 1e-6 : 1e-12;  // log L ~ -1000 carries an absolute error ~1e-13
  const std::vector<double> want = {-2 * g0, g0, g0, g1, g1, -2 * g1};
  for (size_t k = 0; k < 6; ++k) EXPECT_NEAR(static_cast<double>(g[k]), want[k], tol) << k;
}

TEST(CrossEntropyLogLoss, HugeMarginsDouble) { check_huge_margins<double>(); }
TEST(CrossEntropyLogLoss, HugeMarginsFloat) { check_huge_margins<float>(); }

// Misclassified rows with huge negative margins: log L ~ log(mean of the margins' magnitudes), finite.
TEST(CrossEntropyLogLoss, HugeLossStaysFinite) {
  const std::vector<double> z = {0.0, 1e6, 0.0, 0.0};
  const std::vector<int32_t> y = {0, 1};
  double log_l = 0.0;
  std::vector<double> g(4);
  cross_entropy_log_loss<double>(z.data(), 2, 2, y.data(), g.data(), &log_l);
  EXPECT_NEAR(log_l, std::log((1e6 + std::log(2.0)) / 2.0), 1e-12);
  for (double v : g) EXPECT_TRUE(std::isfinite(v));
}

}  // namespace
}  // namespace grokscope
