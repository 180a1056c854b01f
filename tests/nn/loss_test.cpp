// Loss values, gradients and statistics against direct formulas.
#include <gtest/gtest.h>

#include <cmath>

#include "grokscope/nn/loss.h"

namespace grokscope {
namespace {

TEST(CrossEntropy, MatchesLogSoftmaxAndGradient) {
  const std::vector<double> z = {1.0, 2.0, 0.5, -1.0, 3.0, 0.0};  // 2 rows x 3 classes
  const std::vector<int32_t> y = {1, 0};
  std::vector<double> g(6);
  const BatchStats s = classification_loss<double>(LossConfig{}, z.data(), 2, 3, y.data(), g.data());
  auto lse = [](double a, double b, double c) { return std::log(std::exp(a) + std::exp(b) + std::exp(c)); };
  const double l0 = lse(1, 2, 0.5) - 2.0;
  const double l1 = lse(-1, 3, 0) - (-1.0);
  EXPECT_NEAR(s.loss, (l0 + l1) / 2, 1e-15);
  EXPECT_EQ(s.correct, 1);
  EXPECT_DOUBLE_EQ(s.min_margin, -1.0 - 3.0);
  const double e0 = lse(1, 2, 0.5);
  EXPECT_NEAR(g[0], std::exp(1 - e0) / 2, 1e-15);
  EXPECT_NEAR(g[1], (std::exp(2 - e0) - 1) / 2, 1e-15);
}

TEST(CrossEntropy, TinyLossKeepsPrecisionInFloat32) {
  // Loss ~ 2e-12: log-softmax in float32 would round it to 0.
  const std::vector<float> z = {30.0f, 3.0f, 3.0f};
  const std::vector<int32_t> y = {0};
  const BatchStats s = classification_loss<float>(LossConfig{}, z.data(), 1, 3, y.data(), nullptr);
  const double expected = std::log1p(2 * std::exp(-27.0));
  EXPECT_NEAR(s.loss / expected, 1.0, 1e-6);
}

TEST(Mse, MeanAndSumClassesConventions) {
  const std::vector<double> z = {0.5, 0.0, 1.0, 2.0};  // 2 x 2
  const std::vector<int32_t> y = {0, 1};
  LossConfig lc;
  lc.kind = LossKind::mse;
  std::vector<double> g(4);
  const double sq = 0.25 + 0 + 1 + 1;
  EXPECT_DOUBLE_EQ(classification_loss<double>(lc, z.data(), 2, 2, y.data(), g.data()).loss, sq / 4);
  EXPECT_DOUBLE_EQ(g[0], 2 * (0.5 - 1) / 4);
  lc.mse_reduction = MseReduction::sum_classes;
  EXPECT_DOUBLE_EQ(classification_loss<double>(lc, z.data(), 2, 2, y.data(), g.data()).loss, sq / 2);
  EXPECT_DOUBLE_EQ(g[3], 2 * (2.0 - 1) / 2);
}

TEST(CrossEntropy, NonFiniteLogitsGiveNonFiniteLoss) {
  const std::vector<float> z = {NAN, 1.0f};
  const std::vector<int32_t> y = {1};
  EXPECT_FALSE(std::isfinite(classification_loss<float>(LossConfig{}, z.data(), 1, 2, y.data(), nullptr).loss));
}

}  // namespace
}  // namespace grokscope
